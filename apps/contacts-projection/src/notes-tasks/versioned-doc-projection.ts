import type { ApplyResult } from '@reps/contacts-read-model';
import type { IncomingBatch, IncomingMessage, OutgoingMessage } from '@reps/kafka';
import { bulkWriteInCommands, FencedOutError, findByIds, type WriteLimits } from '@reps/mongo';
import type { Logger } from '@reps/observability';
import type { AnyBulkWriteOperation, Collection, Document } from 'mongodb';
import { deadLetterMessage } from '../projection/contact-projection';
import type { ProjectionMetrics } from '../projection/projection-metrics';
import { decodeEventMessage, type DeadLetterReason } from '../projector/decode-contact-message';

type Doc = Document & { _id: string; _v: number };
type Event = { id: string; type: string; aggregate_version: number };

/** One topic whose events each update one document by version (notes, tasks, …). */
export interface VersionedDocModel<E extends Event, D extends Doc> {
  /** The metrics' `model` label. */
  name: string;
  collection: () => Collection<D>;
  schema: Parameters<typeof decodeEventMessage<E>>[1];
  creationType: string;
  docIdOf(event: E): string;
  apply(doc: D | null, event: E): ApplyResult<D>;
}

export interface VersionedDocProjectionDeps {
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

/**
 * Projects a topic whose every event belongs to one document, next version only: load the batch's
 * documents by `_id`, fold each one's events in order, write them in bounded commands behind the
 * partition's write fence, and reload and retry when a document changed under the projection.
 * Idempotent under redelivery and replay (an applied version is a duplicate); an event that cannot
 * apply goes to the dead-letter topic; a gap is logged and left for the missing version.
 */
export function createVersionedDocProjection<E extends Event, D extends Doc>(
  model: VersionedDocModel<E, D>,
  deps: VersionedDocProjectionDeps,
): { handleBatch(batch: IncomingBatch): Promise<void> } {
  const { metrics, logger } = deps;
  const maxAttempts = deps.maxAttempts ?? 5;
  const clock = deps.clock ?? (() => new Date());

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

  async function apply(events: E[], sources: Map<string, IncomingMessage>, fence: () => Promise<void>) {
    const collection = model.collection();
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const loaded = await findByIds(collection, events.map(model.docIdOf));
      const current = new Map<string, D | null>();
      const loadedVersion = new Map<string, number>();
      for (const [id, doc] of loaded) {
        current.set(id, doc as D);
        loadedVersion.set(id, (doc as D)._v);
      }
      let applied = 0;
      let duplicates = 0;
      const rejected: { message: IncomingMessage; reason: DeadLetterReason; detail: string }[] = [];
      for (const event of events) {
        const id = model.docIdOf(event);
        const result = model.apply(current.get(id) ?? null, event);
        if (result.kind === 'next') {
          current.set(id, result.doc);
          applied++;
        } else if (result.kind === 'duplicate') duplicates++;
        else if (result.kind === 'gap') {
          metrics.gaps.inc({ model: model.name });
          logger.error(
            { id, version: event.aggregate_version },
            `gap in a ${model.name} stream: event not applied`,
          );
        } else {
          const message = sources.get(event.id);
          if (message) rejected.push({ message, reason: 'unprojectable', detail: result.detail });
        }
      }
      const writes: { id: string; op: AnyBulkWriteOperation<D> }[] = [];
      for (const [id, doc] of current) {
        if (!doc || doc._v === loadedVersion.get(id)) continue;
        const before = loadedVersion.get(id);
        writes.push({
          id,
          op:
            before === undefined
              ? { insertOne: { document: doc as never } }
              : {
                  replaceOne: {
                    filter: (deps.conditionalReplace ? { _id: id, _v: before } : { _id: id }) as never,
                    replacement: doc,
                  },
                },
        });
      }
      const conflicts = new Set<string>();
      if (writes.length > 0) {
        const outcome = await bulkWriteInCommands(
          collection,
          writes.map((w) => w.op),
          { ordered: false, ...(deps.limits ? { limits: deps.limits } : {}), beforeCommand: fence },
        );
        const unexpected = outcome.writeErrors.find((e) => e.code !== 11000);
        if (unexpected)
          throw new Error(
            `${model.name} read model write refused: ${unexpected.message} (code ${unexpected.code})`,
          );
        for (const refused of outcome.writeErrors) conflicts.add(writes[refused.index]!.id);
        for (const command of outcome.commands) {
          const replaces = writes.slice(command.start, command.end).filter((w) => 'replaceOne' in w.op);
          if (command.matchedCount < replaces.length) for (const w of replaces) conflicts.add(w.id);
        }
      }
      if (conflicts.size === 0) {
        metrics.applied.inc({ model: model.name }, applied);
        if (duplicates > 0) metrics.duplicates.inc({ model: model.name }, duplicates);
        await sendToDeadLetter(rejected);
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
            { fence: error.key, partition: batch.partition },
            `fenced out of a ${model.name} partition; not writing it`,
          );
        throw error;
      } finally {
        clearInterval(keepAlive);
      }
    },
  };
}
