import { z } from 'zod';
import { configVars, loadConfigOrExit } from '@reps/config';
import { createReadModelCatalog } from '@reps/contacts-read-model';
import { createKafkaEventBus } from '@reps/kafka';
import { connectMongo, serverTraits } from '@reps/mongo';
import { createLogger } from '@reps/observability';
import { groupIdOf, projectionSettings, projectionWriteSettings } from './config';
import { DEFAULT_REBUILD_CATCHUP_LAG, rebuildReadModels } from './rebuild/rebuild-read-models';

/**
 * `npm run rebuild:contacts`: rebuilds the contact read models from offset 0 into new
 * collections and swaps them in, without stopping the live projection or the queries.
 * Prints a one-line JSON report (rate included) on stdout.
 */
const rebuildConfigSchema = projectionSettings.extend({
  LOG_LEVEL: configVars.logLevel,
  REBUILD_CATCHUP_LAG: z.coerce.number().int().min(0).default(DEFAULT_REBUILD_CATCHUP_LAG),
  /** Milliseconds between the swap and dropping the old collections; -1 keeps them. */
  REBUILD_DROP_OLD_AFTER_MS: z.coerce.number().int().min(-1).max(3_600_000).default(30_000),
});

async function main(): Promise<void> {
  const config = loadConfigOrExit(rebuildConfigSchema);
  const logger = createLogger({ service: 'contacts-rebuild', level: config.LOG_LEVEL });
  const mongo = await connectMongo({ url: config.MONGO_URL, dbName: config.MONGO_DB, appName: 'contacts-rebuild' });
  const bus = createKafkaEventBus({ brokers: config.KAFKA_BROKERS, clientId: 'contacts-rebuild', logger });
  try {
    const report = await rebuildReadModels({
      bus,
      catalog: createReadModelCatalog(mongo.db, config.READ_MODEL_PREFIX),
      topic: config.CONTACTS_TOPIC,
      groupsTopic: config.GROUPS_TOPIC,
      smartlinksTopic: config.SMARTLINKS_TOPIC,
      notesTopic: config.NOTES_TOPIC,
      tasksTopic: config.TASKS_TOPIC,
      groupIdFor: (generation) => groupIdOf(config.PROJECTION_GROUP_ID, generation),
      writes: projectionWriteSettings(config, await serverTraits(mongo.db)),
      logger,
      catchUpLag: config.REBUILD_CATCHUP_LAG,
      dropOldAfterMs: config.REBUILD_DROP_OLD_AFTER_MS < 0 ? null : config.REBUILD_DROP_OLD_AFTER_MS,
    });
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } finally {
    await bus.close();
    await mongo.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`rebuild failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
