import { GroupEvent } from '@reps/contracts';
import {
  repGroupIds,
  repGroupSlotId,
  type GroupReadDoc,
  type GroupReadModelCollections,
} from '@reps/contacts-read-model';
import type { IncomingBatch, IncomingMessage, OutgoingMessage } from '@reps/kafka';
import { bulkWriteInCommands, FencedOutError, isDuplicateKeyError, type WriteLimits } from '@reps/mongo';
import type { Logger } from '@reps/observability';
import type { AnyBulkWriteOperation } from 'mongodb';
import { deadLetterMessage } from '../projection/contact-projection';
import type { ProjectionMetrics } from '../projection/projection-metrics';
import { decodeEventMessage, type DeadLetterReason } from '../projector/decode-contact-message';
import { groupDocIdOf, projectGroupEvents, type GroupWrite } from './group-projector';

export interface GroupProjectionDeps {
  models: () => GroupReadModelCollections;
  /** The write fence of the batch's partition (claimed on first use per assignment): check it before every command. */
  fenceFor: (batch: IncomingBatch) => Promise<() => Promise<void>>;
  deadLetter: (messages: OutgoingMessage[]) => Promise<void>;
  metrics: ProjectionMetrics;
  logger: Logger;
  groupId: string;
  /** Whether a replace may carry its version in the filter (`{_id, _v}`): only where that is atomic and indexed (MongoDB). */
  conditionalReplace: boolean;
  limits?: Partial<WriteLimits>;
  maxAttempts?: number;
  clock?: () => Date;
}

export interface GroupProjection {
  handleBatch(batch: IncomingBatch): Promise<void>;
}

const MODEL = 'groups';

/**
 * Projects `crm.groups.v1` into the groups read model: the group documents (one writer each: the
 * consumer of the group's partition, behind the same write fence as the contact documents) and
 * the reps' group indexes (insert-only slots). Idempotent under redelivery and replay: a document
 * takes an event only as its next version, and a group already in its rep's index is not added
 * again.
 */
export function createGroupProjection(deps: GroupProjectionDeps): GroupProjection {
  const { metrics, logger } = deps;
  const maxAttempts = deps.maxAttempts ?? 5;
  const clock = deps.clock ?? (() => new Date());

  /** Puts the group in its rep's index unless it is there: the first free slot, by unique insert. */
  async function index(
    entry: { tenantCompanyId: number; userId: number; groupId: number },
    fence: () => Promise<void>,
  ) {
    const { slots } = deps.models();
    const known = await repGroupIds(slots, entry.tenantCompanyId, entry.userId);
    if (known.includes(entry.groupId)) return;
    for (let slot = known.length + 1; ; slot++) {
      await fence();
      try {
        await slots.insertOne({
          _id: repGroupSlotId(entry.tenantCompanyId, entry.userId, slot),
          group_id: entry.groupId,
        });
        return;
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
        // Another group of the rep took this slot meanwhile, or this group did (a concurrent redelivery).
        const taken = await slots.findOne({ _id: repGroupSlotId(entry.tenantCompanyId, entry.userId, slot) });
        if (taken?.group_id === entry.groupId) return;
      }
    }
  }

  const operation = (write: GroupWrite): AnyBulkWriteOperation<GroupReadDoc> =>
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

  async function apply(
    events: GroupEvent[],
    sources: Map<string, IncomingMessage>,
    fence: () => Promise<void>,
  ) {
    const { groups } = deps.models();
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const ids = [...new Set(events.map(groupDocIdOf))];
      const loaded = await Promise.all(ids.map((_id) => groups.findOne({ _id })));
      const current = new Map(
        loaded.filter((d): d is GroupReadDoc => d !== null).map((d) => [d._id, d] as const),
      );
      const result = projectGroupEvents(events, current);
      // The index first: a reader that finds a slot whose group is not stored yet skips it, so a
      // group is listed from the moment its document exists.
      for (const entry of result.created) await index(entry, fence);
      const conflicts = new Set<string>();
      if (result.writes.length > 0) {
        const outcome = await bulkWriteInCommands(groups, result.writes.map(operation), {
          ordered: false,
          ...(deps.limits ? { limits: deps.limits } : {}),
          beforeCommand: fence,
        });
        const unexpected = outcome.writeErrors.find((e) => e.code !== 11000);
        if (unexpected)
          throw new Error(`groups read model write refused: ${unexpected.message} (code ${unexpected.code})`);
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
          { model: MODEL },
          result.writes.reduce((sum, w) => sum + w.eventIds.length, 0),
        );
        if (result.duplicates.length > 0) metrics.duplicates.inc({ model: MODEL }, result.duplicates.length);
        for (const gap of result.gaps) {
          metrics.gaps.inc({ model: MODEL });
          logger.error(gap, 'gap in a group stream: event not applied (an earlier version is missing)');
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
        { attempt, groups: [...conflicts] },
        'groups read model changed under the projection; reloading',
      );
    }
    throw new Error(`groups read model writes kept conflicting after ${maxAttempts} attempts`);
  }

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
        'group event sent to the dead-letter topic',
      );
    }
  }

  return {
    async handleBatch(batch) {
      const keepAlive = setInterval(() => void batch.heartbeat().catch(() => undefined), 1000);
      const stopTimer = metrics.batchSeconds.startTimer();
      try {
        const events: GroupEvent[] = [];
        const sources = new Map<string, IncomingMessage>();
        const poison: { message: IncomingMessage; reason: DeadLetterReason; detail: string }[] = [];
        for (const message of batch.messages) {
          const decoded = decodeEventMessage(message.value, GroupEvent, 'group.created');
          if (decoded.ok) {
            events.push(decoded.event);
            sources.set(decoded.event.id, message);
          } else poison.push({ message, reason: decoded.reason, detail: decoded.detail });
        }
        await sendToDeadLetter(poison);
        if (events.length > 0) await apply(events, sources, await deps.fenceFor(batch));
        stopTimer();
      } catch (error) {
        if (error instanceof FencedOutError) {
          logger.warn(
            { fence: error.key, epoch: error.epoch, partition: batch.partition },
            'fenced out of a groups partition; not writing it',
          );
        }
        throw error;
      } finally {
        clearInterval(keepAlive);
      }
    },
  };
}
