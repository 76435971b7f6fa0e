import { startService, type ServiceHandle, type StartOptions } from '@reps/http';
import { connectMongo } from '@reps/mongo';
import { createLogger, createMetricsRegistry } from '@reps/observability';
import type { ContactsQueryConfig } from './config';

const SERVICE = 'contacts-query';

export async function startContactsQuery(
  config: ContactsQueryConfig,
  { handleSignals = true, exit }: StartOptions = {},
): Promise<ServiceHandle> {
  const logger = createLogger({ service: SERVICE, level: config.LOG_LEVEL });
  const metrics = createMetricsRegistry(SERVICE);
  const mongo = await connectMongo({ url: config.MONGO_URL, dbName: config.MONGO_DB, appName: SERVICE });

  return startService({
    service: SERVICE,
    host: config.HOST,
    port: config.PORT,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    logger,
    metrics,
    readiness: [{ name: 'mongodb', check: () => mongo.ping() }],
    closers: [{ name: 'mongodb', close: () => mongo.close() }],
    handleSignals,
    ...(exit ? { exit } : {}),
  });
}
