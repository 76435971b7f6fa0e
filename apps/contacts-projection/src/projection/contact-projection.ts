import type { ContactEvent } from '@reps/contracts';
import type { ReadModelScope } from '@reps/contacts-read-model';
import type { IncomingBatch, IncomingMessage, OutgoingMessage } from '@reps/kafka';
import { FencedOutError } from '@reps/mongo';
import type { Logger } from '@reps/observability';
import { projectContactEvents, scopesOf } from '../projector/contact-projector';
import { decodeContactMessage, type DeadLetterReason } from '../projector/decode-contact-message';
import { docIdOf } from '../projector/read-model-state';
import type { FenceCheck } from './partition-fence';
import type { ProjectionMetrics } from './projection-metrics';
import type { ReadModelStore } from './read-model-store';

export interface ContactProjectionDeps {
  store: ReadModelStore;
  /** Publishes to the dead-letter topic; resolves once the broker acknowledged. */
  deadLetter: (messages: OutgoingMessage[]) => Promise<void>;
  metrics: ProjectionMetrics;
  logger: Logger;
  groupId: string;
  /** How often a batch is re-projected after losing a race to another writer before it fails. */
  maxAttempts?: number;
  /** Events stored per load-and-write round; a consumed batch is split into slices of this size. */
  chunkSize?: number;
  /**
   * The write fence of the batch's partition (`createPartitionFence`), checked before every write
   * command: a consumer that lost the partition stops writing once the new owner claimed it.
   */
  fenceFor: (batch: IncomingBatch) => Promise<FenceCheck>;
  clock?: () => Date;
}

export interface ContactProjection {
  /** Stores one batch; resolves only when it is durable, so the consumer may then commit. */
  handleBatch(batch: IncomingBatch): Promise<void>;
}

/** The dead-letter copy of a message: same key and value, the reason and origin in headers. */
export function deadLetterMessage(
  message: IncomingMessage,
  reason: DeadLetterReason,
  detail: string,
  groupId: string,
  now: Date,
): OutgoingMessage {
  return {
    key: message.key ?? '',
    value: message.value?.toString('utf8') ?? '',
    headers: {
      ...message.headers,
      'dlq-reason': reason,
      'dlq-detail': detail,
      'dlq-source-topic': message.topic,
      'dlq-source-partition': String(message.partition),
      'dlq-source-offset': message.offset,
      'dlq-consumer-group': groupId,
      'dlq-failed-at': now.toISOString(),
    },
  };
}

export function createContactProjection(deps: ContactProjectionDeps): ContactProjection {
  const { store, metrics, logger } = deps;
  const maxAttempts = deps.maxAttempts ?? 5;
  const chunkSize = deps.chunkSize ?? 2000;
  const clock = deps.clock ?? (() => new Date());

  async function sendToDeadLetter(entries: { message: IncomingMessage; reason: DeadLetterReason; detail: string }[]) {
    if (entries.length === 0) return;
    const now = clock();
    await deps.deadLetter(entries.map((e) => deadLetterMessage(e.message, e.reason, e.detail, deps.groupId, now)));
    for (const e of entries) {
      metrics.deadLettered.inc({ reason: e.reason });
      logger.warn(
        { topic: e.message.topic, partition: e.message.partition, offset: e.message.offset, reason: e.reason, detail: e.detail },
        'message sent to the dead-letter topic',
      );
    }
  }

  async function apply(
    events: ContactEvent[],
    sources: Map<string, IncomingMessage>,
    batch: IncomingBatch,
    fence: FenceCheck,
  ) {
    // A contact whose first event here is its creation is most likely new: insert without a
    // lookup (inserts are cheap, lookups are not on FerretDB). If it existed, the insert fails
    // on its `_id` and the next attempt loads everything.
    const firstVersion = new Map<string, number>();
    for (const event of events) if (!firstVersion.has(docIdOf(event))) firstVersion.set(docIdOf(event), event.aggregate_version);
    const storedBefore: Record<ReadModelScope, Set<string>> = { user: new Set(), company: new Set() };
    let loadAll = false;

    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const wanted: Record<ReadModelScope, Set<string>> = { user: new Set(), company: new Set() };
      for (const event of events) {
        const docId = docIdOf(event);
        if (!loadAll && firstVersion.get(docId) === 1) continue;
        for (const scope of scopesOf(event)) wanted[scope].add(docId);
      }
      const result = projectContactEvents(events, await store.load(wanted));
      const outcome = await store.write(result.writes, fence);
      for (const write of outcome.stored) {
        metrics.applied.inc({ model: write.scope }, write.eventIds.length);
        for (const id of write.eventIds) storedBefore[write.scope].add(id);
      }
      if (outcome.conflicts.user.size + outcome.conflicts.company.size === 0) {
        for (const scope of ['user', 'company'] as const) {
          // Events this batch itself stored in an earlier attempt are not redeliveries.
          const skipped = result.duplicates[scope].filter((id) => !storedBefore[scope].has(id)).length;
          if (skipped > 0) metrics.duplicates.inc({ model: scope }, skipped);
        }
        for (const gap of result.gaps) {
          metrics.gaps.inc({ model: gap.scope });
          logger.error(gap, 'gap in a contact stream: event not applied (an earlier version is missing)');
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
        { attempt, user: [...outcome.conflicts.user], company: [...outcome.conflicts.company] },
        'read model changed under the projection; reloading and projecting again',
      );
      loadAll = true;
      await batch.heartbeat();
    }
    throw new Error(`read model writes kept conflicting after ${maxAttempts} attempts`);
  }

  return {
    async handleBatch(batch) {
      // A batch can take longer than the session timeout on a slow store (FerretDB updates cost
      // ~10 ms each): keep the group membership alive meanwhile, or the partition is taken away
      // and the commit at the end is refused.
      const keepAlive = setInterval(() => void batch.heartbeat().catch(() => undefined), 1000);
      try {
        await handle(batch);
      } catch (error) {
        if (error instanceof FencedOutError) {
          // Nothing of this batch is written past the check, and it is not committed: the group
          // has given the partition to another consumer, which applies these events itself.
          logger.warn({ fence: error.key, epoch: error.epoch, partition: batch.partition }, 'fenced out of a partition; not writing it');
        }
        throw error;
      } finally {
        clearInterval(keepAlive);
      }
    },
  };

  async function handle(batch: IncomingBatch): Promise<void> {
    const stopTimer = metrics.batchSeconds.startTimer();
    const events: ContactEvent[] = [];
    const sources = new Map<string, IncomingMessage>();
    const poison: { message: IncomingMessage; reason: DeadLetterReason; detail: string }[] = [];
    for (const message of batch.messages) {
      const decoded = decodeContactMessage(message.value);
      if (decoded.ok) {
        events.push(decoded.event);
        sources.set(decoded.event.id, message);
      } else {
        poison.push({ message, reason: decoded.reason, detail: decoded.detail });
      }
    }
    // Dead-lettered before the batch is committed: a crash in between re-sends them (at-least-once).
    await sendToDeadLetter(poison);
    const fence = events.length > 0 ? await deps.fenceFor(batch) : async () => undefined;
    // Stored in slices, so a round's loads stay bounded and progress is visible between them.
    for (let start = 0; start < events.length; start += chunkSize) {
      await apply(events.slice(start, start + chunkSize), sources, batch, fence);
      await batch.heartbeat();
    }
    stopTimer();
  }
}
