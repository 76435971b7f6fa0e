import { Registry } from 'prom-client';
import { newGenerationName, type ReadModelCatalog } from '@reps/contacts-read-model';
import type { EventBus } from '@reps/kafka';
import type { Logger } from '@reps/observability';
import type { ProjectionWriteSettings } from '../config';
import { createProjectionMetrics } from '../projection/projection-metrics';
import { createReadModelProjection } from '../projection/read-model-projection';

/**
 * The default of REBUILD_CATCHUP_LAG: how many messages the rebuild may be further behind than
 * the live projection when it swaps. The target is the live projection's own lag, not 0: while
 * writes go on, neither group is ever exactly at the end when it looks, so a rebuild waiting for
 * 0 may never swap (npm run chaos: none in 120 s at 40 writes/s). Against the live lag, the swap
 * comes as soon as the new generation is as current as the active one, so a client never reads
 * an older state after the swap than before it.
 */
export const DEFAULT_REBUILD_CATCHUP_LAG = 0;

/**
 * The most of the live projection's lag the rebuild may match. When the live projection is down
 * or far behind, its lag says little: past this the rebuild waits to be this close to the end.
 */
const MAX_LIVE_LAG_CREDIT = 500;

export interface RebuildDeps {
  bus: EventBus;
  catalog: ReadModelCatalog;
  topic: string;
  /** The group events' topic, replayed into the same generation. */
  groupsTopic: string;
  /** The SmartLink events' topic, replayed too (the SmartLinks model and their timeline entries). */
  smartlinksTopic: string;
  /** The note and task events' topics, replayed too when given (the rebuild command always gives them). */
  notesTopic?: string;
  tasksTopic?: string;
  groupIdFor: (generation: string) => string;
  writes: ProjectionWriteSettings;
  logger: Logger;
  /**
   * Swap once the rebuild's group is at most this many messages further behind than the live
   * projection's group (whose lag counts up to MAX_LIVE_LAG_CREDIT); the live projection then
   * continues from the rebuild's offsets.
   */
  catchUpLag: number;
  /** Drop the old generation this long after the swap (null keeps it); longer than the query's generation cache. */
  dropOldAfterMs: number | null;
  pollMs?: number;
  now?: () => Date;
}

export interface RebuildReport {
  from: string;
  to: string;
  messages: number;
  seconds: number;
  messagesPerSecond: number;
  droppedOld: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Rebuilds the read models from offset 0 into a new generation of collections with a consumer
 * group of its own, while the live projection keeps the active generation current and queries
 * keep reading it. When the new generation has caught up it becomes the active one (one
 * single-document write); the live projection follows the swap and continues from the
 * rebuild's committed offsets. Poison messages are skipped, not dead-lettered again: the live
 * projection already did that.
 */
export async function rebuildReadModels(deps: RebuildDeps): Promise<RebuildReport> {
  const { catalog, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const pollMs = deps.pollMs ?? 500;
  const from = await catalog.ensureActiveGeneration();
  const to = newGenerationName(now());
  const groupId = deps.groupIdFor(to);
  await catalog.ensureIndexes(to);
  logger.info({ from, to, groupId }, 'rebuilding the read models from offset 0');

  const admin = await deps.bus.admin();
  const metrics = createProjectionMetrics(new Registry(), () => admin.groupLag(groupId, deps.topic));
  const projection = createReadModelProjection({
    catalog,
    collections: catalog.collections(to),
    groupId,
    contactsTopic: deps.topic,
    groupsTopic: deps.groupsTopic,
    smartlinksTopic: deps.smartlinksTopic,
    ...(deps.notesTopic ? { notesTopic: deps.notesTopic } : {}),
    ...(deps.tasksTopic ? { tasksTopic: deps.tasksTopic } : {}),
    writes: deps.writes,
    deadLetter: async () => undefined,
    metrics,
    logger,
  });
  const topics = [
    deps.topic,
    deps.groupsTopic,
    deps.smartlinksTopic,
    ...[deps.notesTopic, deps.tasksTopic].filter((t): t is string => t !== undefined),
  ];
  const consumer = await deps.bus.consumer({ groupId, topics, fromBeginning: true });
  let messages = 0;
  const started = Date.now();
  try {
    await consumer.run(async (batch) => {
      await projection.handleBatch(batch);
      messages += batch.messages.length;
    });
    for (;;) {
      await sleep(pollMs);
      // Caught up means caught up on both topics: the groups model is part of the generation too.
      const totalLag = async (group: string) =>
        (await Promise.all(topics.map((topic) => admin.groupLag(group, topic))))
          .flat()
          .reduce((sum, p) => sum + p.lag, 0);
      const [lag, liveLag] = await Promise.all([totalLag(groupId), totalLag(deps.groupIdFor(from))]);
      logger.info({ messages, lag, liveLag }, 'rebuild progress');
      if (lag <= deps.catchUpLag + Math.min(liveLag, MAX_LIVE_LAG_CREDIT)) break;
    }
  } finally {
    // Stopping lets the in-flight batch finish and commit: the live projection starts from there.
    await consumer.close();
  }
  const seconds = (Date.now() - started) / 1000;
  await catalog.activate(to, now());
  logger.info({ from, to, messages, seconds }, 'swapped in the rebuilt read models');

  let droppedOld = false;
  if (deps.dropOldAfterMs !== null && from !== to) {
    await sleep(deps.dropOldAfterMs);
    await catalog.drop(from);
    droppedOld = true;
    logger.info({ generation: from }, 'dropped the old read models');
  }
  await admin.close();
  return {
    from,
    to,
    messages,
    seconds,
    messagesPerSecond: seconds > 0 ? Math.round(messages / seconds) : messages,
    droppedOld,
  };
}
