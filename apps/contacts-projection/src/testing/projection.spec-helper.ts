import type { ContactEvent, GroupEvent, SmartlinkEvent } from '@reps/contracts';
import { createReadModelCatalog, type ContactReadDoc, type ReadModelCatalog, type ReadModelScope } from '@reps/contacts-read-model';
import type { ServiceHandle } from '@reps/http';
import { createKafkaEventBus, type EventBus, type EventProducer, type IncomingMessage } from '@reps/kafka';
import { connectMongo, serverTraits, type MongoHandle } from '@reps/mongo';
import { createLogger } from '@reps/observability';
import { uniqueName, waitFor, type TestEnv } from '@reps/testing';
import { contactsProjectionConfigSchema, groupIdOf, projectionSettings, projectionWriteSettings } from '../config';
import { rebuildReadModels, type RebuildReport } from '../rebuild/rebuild-read-models';
import { startContactsProjection } from '../service';

export interface ProjectionUnderTest {
  topic: string;
  /** This projection's `crm.groups.v1` stand-in. */
  groupsTopic: string;
  /** This projection's `crm.smartlinks.v1` stand-in. */
  smartlinksTopic: string;
  /** This projection's `crm.notes.v1` and `crm.tasks.v1` stand-ins. */
  notesTopic: string;
  tasksTopic: string;
  /** Publishes events of any aggregate to `topic`, keyed by aggregate id. */
  publishTo(topic: string, events: { aggregate_id: number; correlation_id: string }[]): Promise<void>;
  dbName: string;
  env: Record<string, string>;
  mongo: MongoHandle;
  bus: EventBus;
  producer: EventProducer;
  catalog: ReadModelCatalog;
  handle: ServiceHandle | undefined;
  base(): string;
  /** Starts (again) the projection in this process; overrides change its env. */
  start(overrides?: Record<string, string>): Promise<ServiceHandle>;
  stop(): Promise<void>;
  publish(events: ContactEvent[]): Promise<void>;
  publishRaw(key: string, value: string): Promise<void>;
  /** Publishes group events on the groups topic, keyed by group id. */
  publishGroups(events: GroupEvent[]): Promise<void>;
  /** Publishes SmartLink events on the SmartLinks topic, keyed by SmartLink id. */
  publishSmartlinks(events: SmartlinkEvent[]): Promise<void>;
  /** Every document of a read model in the active generation, by `_id`. */
  docs(scope: ReadModelScope): Promise<Map<string, ContactReadDoc>>;
  /** Waits until the user model holds `docId` at `version` (and the company model, if given). */
  waitForVersion(docId: string, version: number, scopes?: ReadModelScope[]): Promise<void>;
  readTopic(topic: string, expectAtLeast: number): Promise<IncomingMessage[]>;
  /** `npm run rebuild:contacts` against this projection's topic and read models, to the swap. */
  rebuild(options: { dropOldAfterMs: number | null; catchUpLag?: number }): Promise<RebuildReport>;
  close(): Promise<void>;
}

/** The projection with its own topic, database, collection prefix and consumer group. */
export async function projectionUnderTest(env: TestEnv, partitions = 3): Promise<ProjectionUnderTest> {
  const topic = uniqueName('crm.contacts.proj');
  const groupsTopic = uniqueName('crm.groups.proj');
  const smartlinksTopic = uniqueName('crm.smartlinks.proj');
  const notesTopic = uniqueName('crm.notes.proj');
  const tasksTopic = uniqueName('crm.tasks.proj');
  const groupId = uniqueName('proj-group');
  const dbName = uniqueName('proj').replace(/-/g, '_');
  const settings: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    HOST: '127.0.0.1',
    PORT: '0',
    KAFKA_BROKERS: env.kafkaBrokers.join(','),
    MONGO_URL: env.mongoUrl,
    MONGO_DB: dbName,
    CONTACTS_TOPIC: topic,
    CONTACTS_TOPIC_PARTITIONS: String(partitions),
    GROUPS_TOPIC: groupsTopic,
    GROUPS_TOPIC_PARTITIONS: String(partitions),
    SMARTLINKS_TOPIC: smartlinksTopic,
    SMARTLINKS_TOPIC_PARTITIONS: String(partitions),
    NOTES_TOPIC: notesTopic,
    NOTES_TOPIC_PARTITIONS: String(partitions),
    TASKS_TOPIC: tasksTopic,
    TASKS_TOPIC_PARTITIONS: String(partitions),
    PROJECTION_GROUP_ID: groupId,
    READ_MODEL_PREFIX: 't_',
    GENERATION_POLL_MS: '200',
  };
  const mongo = await connectMongo({ url: env.mongoUrl, dbName, appName: 'test' });
  const bus = createKafkaEventBus({ brokers: env.kafkaBrokers, clientId: uniqueName('test') });
  const admin = await bus.admin();
  await admin.ensureTopics([
    { name: topic, partitions, retentionMs: -1 },
    { name: groupsTopic, partitions, retentionMs: -1 },
    { name: smartlinksTopic, partitions, retentionMs: -1 },
    { name: notesTopic, partitions, retentionMs: -1 },
    { name: tasksTopic, partitions, retentionMs: -1 },
  ]);
  await admin.close();
  const producer = await bus.producer();
  const catalog = createReadModelCatalog(mongo.db, settings['READ_MODEL_PREFIX']);

  const collection = async (scope: ReadModelScope) => {
    const generation = (await catalog.activeGeneration()) ?? 'g1';
    return catalog.collections(generation)[scope];
  };

  const harness: ProjectionUnderTest = {
    topic,
    groupsTopic,
    smartlinksTopic,
    notesTopic,
    tasksTopic,
    dbName,
    env: settings,
    mongo,
    bus,
    producer,
    catalog,
    handle: undefined,
    base: () => `http://127.0.0.1:${harness.handle?.port}`,
    async start(overrides = {}) {
      const config = contactsProjectionConfigSchema.parse({ ...settings, ...overrides });
      harness.handle = await startContactsProjection(config, { handleSignals: false, exit: () => undefined });
      return harness.handle;
    },
    rebuild: async ({ dropOldAfterMs, catchUpLag = 0 }) =>
      rebuildReadModels({
        bus,
        catalog,
        topic,
        groupsTopic,
        smartlinksTopic,
        notesTopic,
        tasksTopic,
        groupIdFor: (generation) => groupIdOf(groupId, generation),
        writes: projectionWriteSettings(projectionSettings.parse(settings), await serverTraits(mongo.db)),
        logger: createLogger({ service: 'rebuild-test', level: 'silent' }),
        catchUpLag,
        dropOldAfterMs,
        pollMs: 200,
      }),
    async stop() {
      await harness.handle?.shutdown();
      harness.handle = undefined;
    },
    async publish(events) {
      await producer.send(
        topic,
        events.map((e) => ({ key: String(e.aggregate_id), value: JSON.stringify(e), headers: { 'correlation-id': e.correlation_id } })),
      );
    },
    async publishGroups(events) {
      await producer.send(
        groupsTopic,
        events.map((e) => ({ key: String(e.aggregate_id), value: JSON.stringify(e), headers: { 'correlation-id': e.correlation_id } })),
      );
    },
    async publishSmartlinks(events) {
      await producer.send(
        smartlinksTopic,
        events.map((e) => ({ key: String(e.aggregate_id), value: JSON.stringify(e), headers: { 'correlation-id': e.correlation_id } })),
      );
    },
    async publishTo(name, events) {
      await producer.send(
        name,
        events.map((e) => ({ key: String(e.aggregate_id), value: JSON.stringify(e), headers: { 'correlation-id': e.correlation_id } })),
      );
    },
    async publishRaw(key, value) {
      await producer.send(topic, [{ key, value, headers: { 'correlation-id': 'poison-test' } }]);
    },
    async docs(scope) {
      const all = await (await collection(scope)).find({}).toArray();
      return new Map(all.map((d) => [d._id, d]));
    },
    async waitForVersion(docId, version, scopes = ['user']) {
      await waitFor(
        async () => {
          for (const scope of scopes) {
            const doc = await (await collection(scope)).findOne({ _id: docId });
            if (!doc || doc._v < version) return false;
          }
          return true;
        },
        { what: `${docId} at version ${version} in ${scopes.join('+')}`, timeoutMs: 30_000 },
      );
    },
    async readTopic(name, expectAtLeast) {
      const seen: IncomingMessage[] = [];
      const consumer = await bus.consumer({ groupId: uniqueName('reader'), topics: [name], fromBeginning: true });
      await consumer.run(async (batch) => void seen.push(...batch.messages));
      try {
        await waitFor(() => seen.length >= expectAtLeast, { what: `${expectAtLeast} messages on ${name}`, timeoutMs: 30_000 });
        return [...seen];
      } finally {
        await consumer.close();
      }
    },
    async close() {
      await harness.stop();
      const cleanup = await bus.admin();
      await cleanup
        .deleteTopics(
          [topic, groupsTopic, smartlinksTopic, notesTopic, tasksTopic].flatMap((name) => [name, `${name}.dlq`]),
        )
        .catch(() => undefined);
      await bus.close();
      await mongo.db.dropDatabase().catch(() => undefined);
      await mongo.close();
    },
  };
  return harness;
}
