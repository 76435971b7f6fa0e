import { SmartlinkEvent } from '@reps/contracts';
import type { SmartlinkReadDoc } from '@reps/contacts-read-model';
import type { IncomingBatch, IncomingMessage, OutgoingMessage } from '@reps/kafka';
import { bulkWriteInCommands, findByIds, FencedOutError, type WriteLimits } from '@reps/mongo';
import type { Logger } from '@reps/observability';
import type { AnyBulkWriteOperation, Collection } from 'mongodb';
import { deadLetterMessage } from '../projection/contact-projection';
import type { FenceCheck } from '../projection/partition-fence';
import type { ProjectionMetrics } from '../projection/projection-metrics';
import type { BatchHandler } from '../projection/topic-router';
import { decodeEventMessage, type DeadLetterReason } from '../projector/decode-contact-message';
import { projectSmartlinkEvents, smartlinkDocIdOf, type SmartlinkWrite } from './smartlink-projector';

export interface SmartlinkProjectionDeps {
  smartlinks: () => Collection<SmartlinkReadDoc>;
  fenceFor: (batch: IncomingBatch) => Promise<FenceCheck>;
  deadLetter: (messages: OutgoingMessage[]) => Promise<void>;
  metrics: ProjectionMetrics;
  logger: Logger;
  groupId: string;
  /** `{_id, _v}` replace filters only where they are atomic and indexed (MongoDB). */
  conditionalReplace: boolean;
  limits?: Partial<WriteLimits>;
  maxAttempts?: number;
  clock?: () => Date;
}

const MODEL = 'smartlinks';

/**
 * Projects `crm.smartlinks.v1` into the SmartLinks read model (one writer per document: the
 * consumer of its partition, behind the partition's write fence), the way the groups model is
 * projected. Poison messages go to the topic's dead-letter topic.
 */
export function createSmartlinkProjection(deps: SmartlinkProjectionDeps): BatchHandler {
  const { metrics, logger } = deps;
  const maxAttempts = deps.maxAttempts ?? 5;
  const clock = deps.clock ?? (() => new Date());

  const operation = (write: SmartlinkWrite): AnyBulkWriteOperation<SmartlinkReadDoc> =>
    write.kind === 'insert'
      ? { insertOne: { document: write.doc } }
      : {
          replaceOne: {
            filter: deps.conditionalReplace
              ? { _id: write.doc._id, _v: write.expectedVersion }
              : { _id: write.doc._id },
            replacement: write.doc,
          },
        };

  async function deadLetter(
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
        'SmartLink event sent to the dead-letter topic',
      );
    }
  }

  async function apply(events: SmartlinkEvent[], sources: Map<string, IncomingMessage>, fence: FenceCheck) {
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const current = await findByIds(deps.smartlinks(), events.map(smartlinkDocIdOf));
      const result = projectSmartlinkEvents(events, current);
      const conflicts = new Set<string>();
      if (result.writes.length > 0) {
        const outcome = await bulkWriteInCommands(deps.smartlinks(), result.writes.map(operation), {
          ordered: false,
          ...(deps.limits ? { limits: deps.limits } : {}),
          beforeCommand: fence,
        });
        const unexpected = outcome.writeErrors.find((e) => e.code !== 11000);
        if (unexpected)
          throw new Error(
            `SmartLinks read model write refused: ${unexpected.message} (code ${unexpected.code})`,
          );
        for (const refused of outcome.writeErrors) conflicts.add(result.writes[refused.index]!.doc._id);
        for (const command of outcome.commands) {
          const replaces = result.writes
            .slice(command.start, command.end)
            .filter((w) => w.kind === 'replace');
          if (command.matchedCount < replaces.length) for (const w of replaces) conflicts.add(w.doc._id);
        }
      }
      if (conflicts.size === 0) {
        metrics.applied.inc(
          { model: MODEL },
          result.writes.reduce((sum, w) => sum + w.eventIds.length, 0),
        );
        if (result.duplicates.length > 0) metrics.duplicates.inc({ model: MODEL }, result.duplicates.length);
        for (const gap of result.gaps) {
          metrics.gaps.inc({ model: MODEL });
          logger.error(gap, 'gap in a SmartLink stream: event not applied (an earlier version is missing)');
        }
        await deadLetter(
          result.rejected.flatMap(({ event, detail }) => {
            const message = sources.get(event.id);
            return message ? [{ message, reason: 'unprojectable' as const, detail }] : [];
          }),
        );
        return;
      }
      logger.info(
        { attempt, smartlinks: [...conflicts] },
        'SmartLinks read model changed under the projection; reloading',
      );
    }
    throw new Error(`SmartLinks read model writes kept conflicting after ${maxAttempts} attempts`);
  }

  return {
    async handleBatch(batch) {
      const keepAlive = setInterval(() => void batch.heartbeat().catch(() => undefined), 1000);
      const stopTimer = metrics.batchSeconds.startTimer();
      try {
        const events: SmartlinkEvent[] = [];
        const sources = new Map<string, IncomingMessage>();
        const poison: { message: IncomingMessage; reason: DeadLetterReason; detail: string }[] = [];
        for (const message of batch.messages) {
          const decoded = decodeEventMessage(message.value, SmartlinkEvent, 'smartlink.created');
          if (decoded.ok) {
            events.push(decoded.event);
            sources.set(decoded.event.id, message);
          } else poison.push({ message, reason: decoded.reason, detail: decoded.detail });
        }
        await deadLetter(poison);
        if (events.length > 0) await apply(events, sources, await deps.fenceFor(batch));
        stopTimer();
      } catch (error) {
        if (error instanceof FencedOutError) {
          logger.warn(
            { fence: error.key, partition: batch.partition },
            'fenced out of a SmartLinks partition; not writing it',
          );
        }
        throw error;
      } finally {
        clearInterval(keepAlive);
      }
    },
  };
}
