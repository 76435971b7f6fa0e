import type { IncomingBatch, IncomingMessage, OutgoingMessage } from '@reps/kafka';
import { bulkWriteInCommands, FencedOutError, findByIds, type WriteLane, type WriteLimits } from '@reps/mongo';
import type { Logger } from '@reps/observability';
import type { AnyBulkWriteOperation, Collection, Document } from 'mongodb';
import { decodeEventMessage, type DeadLetterReason } from '../projector/decode-contact-message';
import { deadLetterMessage } from './contact-projection';
import { fenceUpdates, type FenceCheck } from './partition-fence';
import type { ProjectionMetrics } from './projection-metrics';
import type { BatchHandler } from './topic-router';
import {
  foldVersionedEvents,
  type VersionedDoc,
  type VersionedDocFold,
  type VersionedEvent,
  type VersionedWrite,
} from './versioned-doc-fold';

/** One topic whose events each update one document by version (groups, SmartLinks, notes, tasks). */
export interface VersionedDocModel<
  E extends VersionedEvent,
  D extends VersionedDoc & Document,
  S = D,
> extends VersionedDocFold<E, D, S> {
  /** The metrics' `model` label, also naming the model in logs. */
  name: string;
  collection: () => Collection<D>;
  schema: Parameters<typeof decodeEventMessage<E>>[1];
  creationType: string;
  /** Runs on every attempt before the batch's documents are written (a group's rep index), behind the fence. */
  beforeWrite?(events: readonly E[], fence: FenceCheck): Promise<void>;
}

export interface VersionedDocProjectionDeps {
  /** The write fence of the batch's partition (claimed on first use per assignment): check it before every command. */
  fenceFor: (batch: IncomingBatch) => Promise<FenceCheck>;
  deadLetter: (messages: OutgoingMessage[]) => Promise<void>;
  metrics: ProjectionMetrics;
  logger: Logger;
  groupId: string;
  /** Whether a replace may carry its version in the filter (`{_id, _v}`): only where that is atomic and indexed (MongoDB). */
  conditionalReplace: boolean;
  limits?: Partial<WriteLimits>;
  /** The consumer's shared write path (`createWriteLane`), when it handles partitions concurrently. */
  lane?: WriteLane;
  maxAttempts?: number;
  clock?: () => Date;
}

/**
 * Projects a topic whose every event belongs to one document, next version only: load the batch's
 * documents by `_id`, fold each one's events in order, write them in bounded commands behind the
 * partition's write fence (one writer per document: the consumer of its partition), and reload and
 * retry when a document changed under the projection. Idempotent under redelivery and replay (an
 * applied version is a duplicate); an event that cannot apply goes to the dead-letter topic; a gap
 * is logged and left for the missing version.
 */
export function createVersionedDocProjection<
  E extends VersionedEvent,
  D extends VersionedDoc & Document,
  S = D,
>(model: VersionedDocModel<E, D, S>, deps: VersionedDocProjectionDeps): BatchHandler {
  const { metrics, logger } = deps;
  const maxAttempts = deps.maxAttempts ?? 5;
  const clock = deps.clock ?? (() => new Date());

  const operation = (write: VersionedWrite<D>): AnyBulkWriteOperation<D> =>
    write.kind === 'insert'
      ? { insertOne: { document: write.doc as never } }
      : {
          replaceOne: {
            filter: (deps.conditionalReplace
              ? { _id: write.doc._id, _v: write.expectedVersion }
              : { _id: write.doc._id }) as never,
            replacement: write.doc,
          },
        };

  async function sendToDeadLetter(
    entries: { message: IncomingMessage; reason: DeadLetterReason; detail: string }[],
  ) {
    if (entries.length === 0) return;
    const now = clock();
    await deps.deadLetter(
      entries.map((e) => deadLetterMessage(e.message, e.reason, e.detail, deps.groupId, now)),
    );
    for (const e of entries) {
      metrics.deadLettered.inc({ reason: e.reason });
      logger.warn(
        {
          topic: e.message.topic,
          partition: e.message.partition,
          offset: e.message.offset,
          reason: e.reason,
        },
        `${model.name} event sent to the dead-letter topic`,
      );
    }
  }

  async function apply(events: E[], sources: Map<string, IncomingMessage>, fence: FenceCheck) {
    const collection = model.collection();
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const current = await findByIds(
        collection,
        events.map((e) => model.docIdOf(e)),
      );
      const result = foldVersionedEvents(events, current as ReadonlyMap<string, D>, model);
      if (model.beforeWrite) await model.beforeWrite(events, fence);
      const conflicts = new Set<string>();
      if (result.writes.length > 0) {
        const outcome = await (deps.lane ? deps.lane.write.bind(deps.lane) : bulkWriteInCommands)(collection, result.writes.map(operation), {
          ordered: false,
          ...(deps.limits ? { limits: deps.limits } : {}),
          beforeCommand: fenceUpdates(fence),
        });
        const unexpected = outcome.writeErrors.find((e) => e.code !== 11000);
        if (unexpected)
          throw new Error(
            `${model.name} read model write refused: ${unexpected.message} (code ${unexpected.code})`,
          );
        for (const refused of outcome.writeErrors) {
          const write = result.writes[refused.index];
          if (write) conflicts.add(write.doc._id);
        }
        for (const command of outcome.commands) {
          const replaces = result.writes
            .slice(command.start, command.end)
            .filter((w) => w.kind === 'replace');
          if (command.matchedCount < replaces.length) for (const w of replaces) conflicts.add(w.doc._id);
        }
      }
      if (conflicts.size === 0) {
        metrics.applied.inc(
          { model: model.name },
          result.writes.reduce((sum, w) => sum + w.eventIds.length, 0),
        );
        if (result.duplicates.length > 0)
          metrics.duplicates.inc({ model: model.name }, result.duplicates.length);
        for (const gap of result.gaps) {
          metrics.gaps.inc({ model: model.name });
          logger.error(
            gap,
            `gap in a ${model.name} stream: event not applied (an earlier version is missing)`,
          );
        }
        await sendToDeadLetter(
          result.rejected.flatMap(({ event, detail }) => {
            const message = sources.get(event.id);
            return message ? [{ message, reason: 'unprojectable' as const, detail }] : [];
          }),
        );
        return;
      }
      logger.info(
        { attempt, ids: [...conflicts] },
        `${model.name} read model changed under the projection; reloading`,
      );
    }
    throw new Error(`${model.name} read model writes kept conflicting after ${maxAttempts} attempts`);
  }

  return {
    async handleBatch(batch) {
      const keepAlive = setInterval(() => void batch.heartbeat().catch(() => undefined), 1000);
      const stopTimer = metrics.batchSeconds.startTimer();
      try {
        const events: E[] = [];
        const sources = new Map<string, IncomingMessage>();
        const poison: { message: IncomingMessage; reason: DeadLetterReason; detail: string }[] = [];
        for (const message of batch.messages) {
          const decoded = decodeEventMessage(message.value, model.schema, model.creationType);
          if (decoded.ok) {
            events.push(decoded.event);
            sources.set(decoded.event.id, message);
          } else poison.push({ message, reason: decoded.reason, detail: decoded.detail });
        }
        await sendToDeadLetter(poison);
        if (events.length > 0) await apply(events, sources, await deps.fenceFor(batch));
        stopTimer();
      } catch (error) {
        if (error instanceof FencedOutError)
          logger.warn(
            { fence: error.key, epoch: error.epoch, partition: batch.partition },
            `fenced out of a ${model.name} partition; not writing it`,
          );
        throw error;
      } finally {
        clearInterval(keepAlive);
      }
    },
  };
}
