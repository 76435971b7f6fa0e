import type { ActivityReadDoc } from '@reps/contacts-read-model';
import type { IncomingBatch } from '@reps/kafka';
import { bulkWriteInCommands, FencedOutError, type WriteLane, type WriteLimits } from '@reps/mongo';
import type { Logger } from '@reps/observability';
import type { Collection } from 'mongodb';
import type { BatchHandler } from '../projection/topic-router';
import { fenceUpdates, type FenceCheck } from '../projection/partition-fence';
import type { ProjectionMetrics } from '../projection/projection-metrics';
import type { ActivitySource } from './activity-source';

export interface ActivityProjectionDeps {
  activities: () => Collection<ActivityReadDoc>;
  /** Which source reads which topic (topics are configurable, sources are not). */
  sources: ReadonlyMap<string, ActivitySource>;
  fenceFor: (batch: IncomingBatch) => Promise<FenceCheck>;
  metrics: ProjectionMetrics;
  logger: Logger;
  limits?: Partial<WriteLimits>;
  /** The consumer's shared write path: entries of batches handled together go in one insert. */
  lane?: WriteLane;
}

const MODEL = 'activities';
const DUPLICATE_KEY = 11000;

/**
 * Projects every source topic's batches into the activity timeline. Entries are only ever
 * inserted, with the source event id as `_id`: a redelivered or replayed event is a duplicate key
 * and changes nothing, so the timeline needs no versions and no ordering across topics. Messages a
 * source cannot read are skipped here — the topic's own projection dead-letters them.
 */
export function createActivityProjection(deps: ActivityProjectionDeps): BatchHandler {
  return {
    async handleBatch(batch) {
      const source = deps.sources.get(batch.topic);
      if (!source) return;
      const docs: ActivityReadDoc[] = [];
      for (const message of batch.messages) {
        const event = source.decode(message.value);
        if (event) docs.push(...source.entriesOf(event));
      }
      if (docs.length === 0) return;
      const fence = await deps.fenceFor(batch);
      try {
        const outcome = await (deps.lane ? deps.lane.write.bind(deps.lane) : bulkWriteInCommands)(
          deps.activities(),
          docs.map((document) => ({ insertOne: { document } })),
          { ordered: false, ...(deps.limits ? { limits: deps.limits } : {}), beforeCommand: fenceUpdates(fence) },
        );
        const unexpected = outcome.writeErrors.find((e) => e.code !== DUPLICATE_KEY);
        if (unexpected)
          throw new Error(`activities write refused: ${unexpected.message} (code ${unexpected.code})`);
        const duplicates = outcome.writeErrors.length;
        deps.metrics.applied.inc({ model: MODEL }, docs.length - duplicates);
        if (duplicates > 0) deps.metrics.duplicates.inc({ model: MODEL }, duplicates);
      } catch (error) {
        if (error instanceof FencedOutError) {
          deps.logger.warn(
            { fence: error.key, partition: batch.partition },
            'fenced out of a partition; not writing its activities',
          );
        }
        throw error;
      }
    },
  };
}
