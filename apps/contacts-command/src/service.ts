import { createTokenVerifierFromConfig, requireScope } from '@reps/auth';
import type { ContactEvent, GroupEvent } from '@reps/contracts';
import { startService, type ServiceHandle, type StartOptions } from '@reps/http';
import { createKafkaEventBus } from '@reps/kafka';
import { connectMongo, ensureIndexes, serverTraits } from '@reps/mongo';
import { createLogger, createMetricsRegistry } from '@reps/observability';
import type { ContactsCommandConfig } from './config';
import { createContactCommandHandler } from './contacts/contact-command-handler';
import { createContactRoutes } from './contacts/contact-routes';
import { openAggregateStreams, type StreamSettings } from './event-store/aggregate-streams';
import { createContactLookup } from './groups/contact-lookup';
import { createGroupCommandHandler, groupClaimHolder } from './groups/group-command-handler';
import { createGroupNameClaims, type GroupNameDoc } from './groups/group-name-claims';
import { createGroupRoutes } from './groups/group-routes';
import { idAllocatorIn } from './ids/id-allocator';
import { createIdempotencyStore, idempotencyIndexes, type IdempotencyDoc } from './idempotency/idempotency-store';
import { createSmartlinks } from './smartlinks/smartlink-wiring';
import { API_VERSION } from './http/command-http';
import { createNotesAndTasks } from './tasks/notes-and-tasks-wiring';
import { registerRep } from './reps/register-rep';

const SERVICE = 'contacts-command';
const IDEMPOTENCY_SWEEP_MS = 10 * 60 * 1000;

export async function startContactsCommand(
  config: ContactsCommandConfig,
  { handleSignals = true, exit }: StartOptions = {},
): Promise<ServiceHandle> {
  const logger = createLogger({ service: SERVICE, level: config.LOG_LEVEL });
  const metrics = createMetricsRegistry(SERVICE);
  const verifier = createTokenVerifierFromConfig(config, config.NODE_ENV, (message) => logger.warn(message));
  const clock = () => new Date();

  const mongo = await connectMongo({ url: config.MONGO_URL, dbName: config.MONGO_DB, appName: SERVICE });
  const idempotencyKeys = mongo.db.collection<IdempotencyDoc>('idempotency_keys');
  const traits = await serverTraits(mongo.db);
  await ensureIndexes(idempotencyKeys, idempotencyIndexes, traits);

  const bus = createKafkaEventBus({ brokers: config.KAFKA_BROKERS, clientId: SERVICE, logger });
  const admin = await bus.admin();
  // Events feed rebuilds from offset 0, so the topic keeps them forever.
  await admin.ensureTopics([
    { name: config.CONTACTS_TOPIC, partitions: config.CONTACTS_TOPIC_PARTITIONS, retentionMs: -1 },
    { name: config.GROUPS_TOPIC, partitions: config.GROUPS_TOPIC_PARTITIONS, retentionMs: -1 },
    { name: config.NOTES_TOPIC, partitions: config.NOTES_TOPIC_PARTITIONS, retentionMs: -1 },
    { name: config.TASKS_TOPIC, partitions: config.TASKS_TOPIC_PARTITIONS, retentionMs: -1 },
  ]);
  await admin.close();
  const producer = await bus.producer();

  const streams: StreamSettings = {
    producer,
    logger,
    metrics,
    relayIntervalMs: config.OUTBOX_RELAY_INTERVAL_MS,
    maxBatch: config.COMMIT_BATCH_MAX,
    traits,
  };
  const {
    store,
    relay,
    commits: contactCommits,
  } = await openAggregateStreams<ContactEvent>(mongo.db, {
    aggregate: 'contact',
    topic: config.CONTACTS_TOPIC,
    ...streams,
    ...(config.FAULT_INJECTION === 'crash_after_store'
      ? {
          afterStore: () => {
            logger.warn('FAULT_INJECTION=crash_after_store: killing the process after the store write');
            process.kill(process.pid, 'SIGKILL');
          },
        }
      : {}),
  });
  // Groups have their own streams, outbox and relay (so one aggregate's backlog never holds up
  // the other's), publishing on their own topic through the same producer.
  const {
    store: groupStore,
    relay: groupRelay,
    commits: groupCommits,
  } = await openAggregateStreams<GroupEvent>(mongo.db, { aggregate: 'group', topic: config.GROUPS_TOPIC, ...streams });
  const groupHandler = createGroupCommandHandler({
    store: groupStore,
    commits: groupCommits,
    clock,
    contacts: createContactLookup(store),
    names: createGroupNameClaims(mongo.db.collection<GroupNameDoc>('group_names'), groupClaimHolder(groupStore)),
  });
  const idempotency = createIdempotencyStore(idempotencyKeys);
  const smartlinks = await createSmartlinks({
    db: mongo.db,
    bus,
    config,
    contactStore: store,
    idempotency,
    verifier,
    clock,
    logger,
    metrics,
    streams,
  });
  const notesAndTasks = await createNotesAndTasks({
    db: mongo.db,
    notesTopic: config.NOTES_TOPIC,
    tasksTopic: config.TASKS_TOPIC,
    contactStore: store,
    idempotency,
    verifier,
    clock,
    logger,
    streams,
  });
  const contactHandler = createContactCommandHandler({ store, commits: contactCommits, clock });
  const handler = notesAndTasks.followingContacts(contactHandler);
  const ids = idAllocatorIn(mongo.db, 'contact');
  const groupIds = idAllocatorIn(mongo.db, 'group');

  const sweeper = setInterval(() => {
    idempotency.sweepExpired(clock()).catch((error: unknown) => logger.warn({ err: error }, 'idempotency sweep failed'));
  }, IDEMPOTENCY_SWEEP_MS);
  sweeper.unref();
  relay.start();
  groupRelay.start();
  for (const r of smartlinks.relays) r.start();
  for (const r of notesAndTasks.relays) r.start();

  return startService({
    service: SERVICE,
    host: config.HOST,
    port: config.PORT,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    logger,
    metrics,
    // The gateway enforces 1 MB per contact and 10 MB per bulk; this is the bulk ceiling.
    jsonLimit: '10mb',
    readiness: [
      { name: 'mongodb', check: () => mongo.ping() },
      { name: 'kafka', check: () => bus.ping() },
    ],
    routes: (app) => {
      // Every rep write proves the rep belongs to the token's company (a company may then assign them tasks).
      app.use(`/api/user/crm/${API_VERSION}`, requireScope(verifier, 'user'), registerRep(notesAndTasks.reps, clock));
      app.use(createContactRoutes({ handler, ids, idempotency, verifier, clock }));
      app.use(createGroupRoutes({ handler: groupHandler, ids: groupIds, idempotency, verifier, clock }));
      for (const router of smartlinks.routes()) app.use(router);
      for (const router of notesAndTasks.routes()) app.use(router);
    },
    workers: [
      {
        name: 'outbox-relay',
        stop: async () => {
          clearInterval(sweeper);
          const relays = [relay, groupRelay, ...notesAndTasks.relays, ...smartlinks.relays];
          await Promise.all(relays.map((r) => r.stop()));
          // Publish what is pending now rather than leaving it to the next start.
          await Promise.all(relays.map((r) => r.drain().catch(() => undefined)));
        },
      },
    ],
    closers: [
      { name: 'kafka', close: () => bus.close() },
      { name: 'mongodb', close: () => mongo.close() },
    ],
    handleSignals,
    ...(exit ? { exit } : {}),
  });
}
