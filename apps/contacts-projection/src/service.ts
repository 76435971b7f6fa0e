import { createReadModelCatalog } from '@reps/contacts-read-model';
import { startService, type ServiceHandle, type StartOptions } from '@reps/http';
import { createKafkaEventBus } from '@reps/kafka';
import { connectMongo, serverTraits } from '@reps/mongo';
import { createLogger, createMetricsRegistry } from '@reps/observability';
import { consumerTuning, dlqTopicOf, groupIdOf, projectionWriteSettings, type ContactsProjectionConfig } from './config';
import { createProjectionMetrics } from './projection/projection-metrics';
import { createProjectionRunner } from './projection/projection-runner';
import { createReadModelProjection } from './projection/read-model-projection';

const SERVICE = 'contacts-projection';

export async function startContactsProjection(
  config: ContactsProjectionConfig,
  { handleSignals = true, exit }: StartOptions = {},
): Promise<ServiceHandle> {
  const logger = createLogger({ service: SERVICE, level: config.LOG_LEVEL });
  const registry = createMetricsRegistry(SERVICE);
  const mongo = await connectMongo({ url: config.MONGO_URL, dbName: config.MONGO_DB, appName: SERVICE });
  const bus = createKafkaEventBus({ brokers: config.KAFKA_BROKERS, clientId: SERVICE, logger });
  const dlqTopic = dlqTopicOf(config.CONTACTS_TOPIC);

  const admin = await bus.admin();
  // Same spec as contacts-command's (whichever starts first creates it); events are kept forever
  // because rebuilds replay them from offset 0, and so are dead letters, until someone looks.
  await admin.ensureTopics([
    { name: config.CONTACTS_TOPIC, partitions: config.CONTACTS_TOPIC_PARTITIONS, retentionMs: -1 },
    { name: dlqTopic, partitions: 1, retentionMs: -1 },
    { name: config.GROUPS_TOPIC, partitions: config.GROUPS_TOPIC_PARTITIONS, retentionMs: -1 },
    { name: dlqTopicOf(config.GROUPS_TOPIC), partitions: 1, retentionMs: -1 },
    { name: config.SMARTLINKS_TOPIC, partitions: config.SMARTLINKS_TOPIC_PARTITIONS, retentionMs: -1 },
    { name: dlqTopicOf(config.SMARTLINKS_TOPIC), partitions: 1, retentionMs: -1 },
    { name: config.NOTES_TOPIC, partitions: config.NOTES_TOPIC_PARTITIONS, retentionMs: -1 },
    { name: dlqTopicOf(config.NOTES_TOPIC), partitions: 1, retentionMs: -1 },
    { name: config.TASKS_TOPIC, partitions: config.TASKS_TOPIC_PARTITIONS, retentionMs: -1 },
    { name: dlqTopicOf(config.TASKS_TOPIC), partitions: 1, retentionMs: -1 },
  ]);
  const producer = await bus.producer();
  const catalog = createReadModelCatalog(mongo.db, config.READ_MODEL_PREFIX);
  const traits = await serverTraits(mongo.db);
  const writes = projectionWriteSettings(config, traits);
  logger.info({ server: traits.product, version: traits.version, ...writes }, 'read model writes');

  let runnerGroup = () => '';
  const metrics = createProjectionMetrics(registry, () => admin.groupLag(runnerGroup(), config.CONTACTS_TOPIC));
  const runner = createProjectionRunner({
    bus,
    catalog,
    topic: config.CONTACTS_TOPIC,
    groupIdFor: (generation) => groupIdOf(config.PROJECTION_GROUP_ID, generation),
    moreTopics: [config.GROUPS_TOPIC, config.SMARTLINKS_TOPIC, config.NOTES_TOPIC, config.TASKS_TOPIC],
    projectionFor: (collections, groupId) =>
      createReadModelProjection({
        catalog,
        collections,
        groupId,
        contactsTopic: config.CONTACTS_TOPIC,
        groupsTopic: config.GROUPS_TOPIC,
        smartlinksTopic: config.SMARTLINKS_TOPIC,
        notesTopic: config.NOTES_TOPIC,
        tasksTopic: config.TASKS_TOPIC,
        writes,
        deadLetter: (topic, messages) => producer.send(dlqTopicOf(topic), messages),
        metrics,
        logger,
      }),
    logger,
    pollMs: config.GENERATION_POLL_MS,
    sessionTimeoutMs: config.PROJECTION_SESSION_TIMEOUT_MS,
    consumerTuning: consumerTuning(config),
  });
  runnerGroup = () => runner.groupId();
  await runner.start();

  return startService({
    service: SERVICE,
    host: config.HOST,
    port: config.PORT,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    logger,
    metrics: registry,
    readiness: [
      { name: 'mongodb', check: () => mongo.ping() },
      { name: 'kafka', check: () => bus.ping() },
    ],
    // The consumer stops first: its in-flight batch is stored and committed while Kafka and Mongo are still open.
    workers: [{ name: 'projection-consumer', stop: () => runner.stop() }],
    closers: [
      { name: 'kafka', close: () => bus.close() },
      { name: 'mongodb', close: () => mongo.close() },
    ],
    handleSignals,
    ...(exit ? { exit } : {}),
  });
}
