import { createTokenVerifierFromConfig, resolveSmartlinkTokenKey } from '@reps/auth';
import { createReadModelCatalog } from '@reps/contacts-read-model';
import { startService, type ServiceHandle, type StartOptions } from '@reps/http';
import { connectMongo } from '@reps/mongo';
import { createLogger, createMetricsRegistry } from '@reps/observability';
import type { ContactsQueryConfig } from './config';
import { createContactReadRoutes } from './contacts/contact-read-routes';
import { createGenerationCache } from './contacts/generation-cache';
import { createGroupReadRoutes } from './groups/group-read-routes';
import { createNoteTaskReadRoutes } from './notes-tasks/note-task-read-routes';
import { createActivityReadRoutes } from './activities/activity-read-routes';
import { createSmartlinkReadRoutes } from './smartlinks/smartlink-read-routes';

const SERVICE = 'contacts-query';

export async function startContactsQuery(
  config: ContactsQueryConfig,
  { handleSignals = true, exit }: StartOptions = {},
): Promise<ServiceHandle> {
  const logger = createLogger({ service: SERVICE, level: config.LOG_LEVEL });
  const metrics = createMetricsRegistry(SERVICE);
  const verifier = createTokenVerifierFromConfig(config, config.NODE_ENV, (message) => logger.warn(message));
  const mongo = await connectMongo({ url: config.MONGO_URL, dbName: config.MONGO_DB, appName: SERVICE });
  const catalog = createReadModelCatalog(mongo.db, config.READ_MODEL_PREFIX);
  const readModels = createGenerationCache(catalog, config.GENERATION_CACHE_MS, logger);
  // Indexes of the active generation exist before the first request (idempotent; a new generation gets them on first use).
  await readModels();

  return startService({
    service: SERVICE,
    host: config.HOST,
    port: config.PORT,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    logger,
    metrics,
    readiness: [{ name: 'mongodb', check: () => mongo.ping() }],
    routes: (app) => {
      app.use(
        createContactReadRoutes({
          verifier,
          readModels,
          consistencyWaitMs: config.CONSISTENCY_WAIT_MS,
          listMaxTimeMs: config.LIST_MAX_TIME_MS,
          metrics,
        }),
      );
      app.use(createGroupReadRoutes({ verifier, readModels, consistencyWaitMs: config.CONSISTENCY_WAIT_MS }));
      app.use(createNoteTaskReadRoutes({ verifier, readModels, consistencyWaitMs: config.CONSISTENCY_WAIT_MS }));
      const lists = { verifier, readModels, consistencyWaitMs: config.CONSISTENCY_WAIT_MS, listMaxTimeMs: config.LIST_MAX_TIME_MS };
      app.use(createActivityReadRoutes(lists));
      app.use(
        createSmartlinkReadRoutes({
          ...lists,
          tokenKey: resolveSmartlinkTokenKey(config, config.NODE_ENV, (message) => logger.warn(message)),
          publicBaseUrl: config.PUBLIC_BASE_URL,
        }),
      );
    },
    closers: [{ name: 'mongodb', close: () => mongo.close() }],
    handleSignals,
    ...(exit ? { exit } : {}),
  });
}
