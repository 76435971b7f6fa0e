import { startService, type ServiceHandle, type StartOptions } from '@reps/http';
import { createKafkaEventBus } from '@reps/kafka';
import { connectMongo } from '@reps/mongo';
import { createLogger, createMetricsRegistry } from '@reps/observability';
import type { ContactsCommandConfig } from './config';

const SERVICE = 'contacts-command';

export async function startContactsCommand(
  config: ContactsCommandConfig,
  { handleSignals = true, exit }: StartOptions = {},
): Promise<ServiceHandle> {
  const logger = createLogger({ service: SERVICE, level: config.LOG_LEVEL });
  const metrics = createMetricsRegistry(SERVICE);
  const mongo = await connectMongo({ url: config.MONGO_URL, dbName: config.MONGO_DB, appName: SERVICE });
  const bus = createKafkaEventBus({ brokers: config.KAFKA_BROKERS, clientId: SERVICE, logger });

  return startService({
    service: SERVICE,
    host: config.HOST,
    port: config.PORT,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    logger,
    metrics,
    readiness: [
      { name: 'mongodb', check: () => mongo.ping() },
      { name: 'kafka', check: () => bus.ping() },
    ],
    closers: [
      { name: 'kafka', close: () => bus.close() },
      { name: 'mongodb', close: () => mongo.close() },
    ],
    handleSignals,
    ...(exit ? { exit } : {}),
  });
}
