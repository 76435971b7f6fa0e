import { createTokenVerifierFromConfig } from '@reps/auth';
import { startService, type ServiceHandle, type StartOptions } from '@reps/http';
import { createKafkaEventBus } from '@reps/kafka';
import { connectMongo } from '@reps/mongo';
import { createLogger, createMetricsRegistry } from '@reps/observability';
import { closeRedis, createRedisConnection, pingRedis } from '@reps/redis';
import { mountQueueDashboard } from './admin/queue-dashboard';
import { createPushRoutes } from './api/push-routes';
import type { NotifierConfig } from './config';
import { resolveVapidKeys } from './delivery/vapid-keys';
import { createWebPushSender } from './delivery/web-push-sender';
import { startEventConsumers } from './pipeline/event-consumers';
import { createNotifierMetrics } from './pipeline/notifier-metrics';
import { createPushPipeline } from './pipeline/push-pipeline';
import { createContactNames, createTaskReminders } from './store/projections';
import { cachedContactNames, cachedSettings, cachedSubscriptions } from './store/read-caches';
import { createRedisLock } from './store/rep-lock';
import { createSettingsStore } from './store/settings-store';
import { createSubscriptionStore } from './store/subscription-store';

const SERVICE = 'notifier';

export async function startNotifier(
  config: NotifierConfig,
  { handleSignals = true, exit }: StartOptions = {},
): Promise<ServiceHandle> {
  const logger = createLogger({ service: SERVICE, level: config.LOG_LEVEL });
  const registry = createMetricsRegistry(SERVICE);
  const verifier = createTokenVerifierFromConfig(config, config.NODE_ENV, (message) => logger.warn(message));
  if (config.PUSH_ALLOW_INSECURE_ENDPOINTS)
    logger.warn(
      'PUSH_ALLOW_INSECURE_ENDPOINTS=true: http and private/loopback push endpoints are accepted (tests and local development only)',
    );
  if (!config.ADMIN_TOKEN)
    logger.warn('ADMIN_TOKEN is not set: the queue dashboard at /admin/queues answers 401 to everyone');
  const vapid = await resolveVapidKeys(config, logger);

  // Fails fast on commands while Redis is down, so /readyz reports it instead of hanging.
  const probe = createRedisConnection(config.REDIS_URL, { connectionName: `${SERVICE}-probe` });
  // Queues and workers wait through an outage instead (BullMQ needs maxRetriesPerRequest: null).
  const connection = createRedisConnection(config.REDIS_URL, { blocking: true, connectionName: SERVICE });
  const mongo = await connectMongo({ url: config.MONGO_URL, dbName: config.MONGO_DB, appName: SERVICE });
  const bus = createKafkaEventBus({ brokers: config.KAFKA_BROKERS, clientId: SERVICE, logger });
  const admin = await bus.admin();
  // Created up front like crm.contacts.v1 (the consumers do not auto-create); existing topics are left alone.
  await admin.ensureTopics(
    [config.SMARTLINKS_TOPIC, config.TASKS_TOPIC, config.CONTACTS_TOPIC].map((name) => ({
      name,
      partitions: config.TOPIC_PARTITIONS,
      retentionMs: -1,
    })),
  );
  await admin.close();

  const subscriptions = createSubscriptionStore(mongo.db, createRedisLock(probe, config.QUEUE_PREFIX));
  const settings = createSettingsStore(mongo.db);
  // Renames reach the cache through apply(), which the name consumer calls on this same instance.
  const contactNames = cachedContactNames(createContactNames(mongo.db), { ttlMs: 30_000 });
  let queues: ReturnType<typeof createPushPipeline>['queues'] = [];
  const metrics = createNotifierMetrics(registry, () => queues);
  const pipeline = createPushPipeline({
    connection,
    prefix: config.QUEUE_PREFIX,
    coalesceMs: config.PUSH_COALESCE_MS,
    ratePerMinute: config.PUSH_RATE_PER_MINUTE,
    rateWindowMs: config.PUSH_RATE_WINDOW_MS,
    maxEventAgeMs: config.PUSH_MAX_EVENT_AGE_MS,
    reminderMaxLateMs: config.REMINDER_MAX_LATE_MS,
    sendAttempts: config.PUSH_SEND_ATTEMPTS,
    retryBaseMs: config.PUSH_RETRY_BASE_MS,
    appBaseUrl: config.APP_BASE_URL,
    // The pipeline reads through short-lived caches; the HTTP API below reads fresh.
    subscriptions: cachedSubscriptions(subscriptions, { ttlMs: config.PUSH_READ_CACHE_MS }),
    settings: cachedSettings(settings, { ttlMs: config.PUSH_READ_CACHE_MS }),
    contactNames,
    taskReminders: createTaskReminders(mongo.db),
    sender: createWebPushSender({
      vapid,
      ttlSeconds: config.PUSH_TTL_S,
      timeoutMs: config.PUSH_SEND_TIMEOUT_MS,
      allowInsecure: config.PUSH_ALLOW_INSECURE_ENDPOINTS,
    }),
    metrics,
    logger,
  });
  queues = pipeline.queues;
  const consumers = await startEventConsumers({
    bus,
    groupId: config.NOTIFIER_GROUP_ID,
    topics: {
      smartlinks: config.SMARTLINKS_TOPIC,
      tasks: config.TASKS_TOPIC,
      contacts: config.CONTACTS_TOPIC,
    },
    pipeline,
    contactNames,
    metrics,
    logger,
  });

  return startService({
    service: SERVICE,
    host: config.HOST,
    port: config.PORT,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    logger,
    metrics: registry,
    readiness: [
      { name: 'redis', check: () => pingRedis(probe) },
      { name: 'kafka', check: () => bus.ping() },
      { name: 'mongodb', check: () => mongo.ping() },
    ],
    beforeBody: (app) => mountQueueDashboard(app, pipeline.queues, config.ADMIN_TOKEN),
    routes: (app) =>
      app.use(
        createPushRoutes({
          verifier,
          subscriptions,
          settings,
          vapidPublicKey: vapid.publicKey,
          allowInsecureEndpoints: config.PUSH_ALLOW_INSECURE_ENDPOINTS,
        }),
      ),
    // Consumers stop first (their batch finishes into the queues), then the workers finish their jobs.
    workers: [
      { name: 'event-consumers', stop: () => consumers.stop() },
      { name: 'push-pipeline', stop: () => pipeline.close() },
    ],
    closers: [
      { name: 'kafka', close: () => bus.close() },
      { name: 'mongodb', close: () => mongo.close() },
      { name: 'redis', close: () => Promise.all([closeRedis(connection), closeRedis(probe)]) },
    ],
    handleSignals,
    ...(exit ? { exit } : {}),
  });
}
