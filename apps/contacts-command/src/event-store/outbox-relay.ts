import { LRUCache } from 'lru-cache';
import { Counter, type Registry } from 'prom-client';
import type { Logger } from '@reps/observability';
import {
  isFlushDoc,
  outboxKeyOf,
  type CommitDoc,
  type EventStore,
  type OutboxCommitRef,
  type OutboxDoc,
  type StorableEvent,
} from './mongo-event-store';

export interface OutboxRelayOptions<E extends StorableEvent> {
  store: EventStore<E>;
  /** Sends the events, in the given order, and resolves once the broker acknowledged them all. */
  publish: (events: E[]) => Promise<void>;
  logger: Logger;
  metrics: Registry;
  /** Which aggregate's outbox this relay drains (`contact`, `group`): the metrics' `aggregate` label. */
  aggregate?: string;
  /** How often the relay looks for commits the inline path did not publish. */
  intervalMs?: number;
  /** Outbox documents younger than this are left to the inline path, so the two rarely race. */
  minAgeMs?: number;
  /** A listed commit still missing after this long was never written. */
  orphanAfterMs?: number;
  /** About how many commits one relay round handles (whole outbox documents, at least one). */
  batchSize?: number;
  /** How many outbox keys known to be published are remembered (saves a lookup per update). */
  rememberPublished?: number;
  now?: () => Date;
}

/** A commit a flush stored, with the outbox key of the commit before it (`undefined`: unknown). */
export interface FlushedCommit<E extends StorableEvent> {
  commit: CommitDoc<E>;
  previousKey: string | null | undefined;
}

export interface OutboxRelay<E extends StorableEvent> {
  /**
   * Tells the relay a flush is being written and published by the inline path: its outbox
   * document is left alone by relay rounds until `publishFlush` is done with it.
   */
  claim(flushId: string): void;
  /** The inline path gives up on a flush (storing failed part-way): the relay takes it from here. */
  release(flushId: string): void;
  /**
   * The fast path, right after a flush is stored: sends its commits and queues the outbox
   * document for deletion. Skipped (left to the relay) when the commit before any of them is
   * still unpublished: sending now would overtake it. Never throws (the relay retries).
   */
  publishFlush(flushId: string, commits: FlushedCommit<E>[]): Promise<void>;
  /** Publishes everything pending regardless of age; returns how many commits it published or dropped. */
  drain(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
}

function counter(registry: Registry, name: string, help: string): Counter<'path' | 'aggregate'> {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Counter<'path' | 'aggregate'>;
  return new Counter({ name, help, labelNames: ['path', 'aggregate'] as const, registers: [registry] });
}

interface Entry {
  /** The outbox document listing the commit. */
  key: string;
  ref: OutboxCommitRef;
  createdAt: Date;
}

/** The commits an outbox document lists; an entry written before group commit lists itself. */
const entriesOf = (doc: OutboxDoc): Entry[] =>
  isFlushDoc(doc)
    ? doc.commits.map((ref) => ({ key: doc._id, ref, createdAt: doc.created_at }))
    : [
        {
          key: doc._id,
          ref: { _id: doc._id, stream: doc.stream, version: doc.version, previous: doc.previous, previous_key: doc.previous },
          createdAt: doc.created_at,
        },
      ];

/**
 * The outbox relay: what was stored is published, even if the process died between the two.
 * At-least-once — a crash after sending and before deleting the outbox document resends — so
 * consumers dedupe on (aggregate_id, aggregate_version). Within a stream, events always leave in
 * version order: a commit waits while the one before it is unpublished.
 */
export function createOutboxRelay<E extends StorableEvent>(options: OutboxRelayOptions<E>): OutboxRelay<E> {
  const { store, publish, logger } = options;
  const intervalMs = options.intervalMs ?? 500;
  const minAgeMs = options.minAgeMs ?? 2000;
  const batchSize = options.batchSize ?? 500;
  const orphanAfterMs = options.orphanAfterMs ?? 30_000;
  const now = options.now ?? (() => new Date());

  const aggregate = options.aggregate ?? 'contact';
  // One relay per aggregate type shares the service's registry: the counters are made once.
  const published = counter(options.metrics, 'outbox_events_published_total', 'Events published to Kafka, by path (inline after the write, or by the relay)');
  const failures = counter(options.metrics, 'outbox_publish_failures_total', 'Failed publish attempts (the relay retries them)');

  // Outbox keys whose commits are all on Kafka: a commit whose predecessor's key is here is sent
  // without asking the database. Once published, always published, so forgetting is safe.
  const knownPublished = new LRUCache<string, true>({ max: options.rememberPublished ?? 50_000 });
  // Flushes the inline path is writing or sending right now: relay rounds leave them alone.
  const inFlight = new Set<string>();
  // Commits the relay published from an outbox document that still waits on others of its commits.
  const partlyPublished = new Map<string, Set<string>>();

  // Published outbox documents not deleted yet. Deleting is batched (on FerretDB a delete costs
  // ~20 ms, an insert ~1.5 ms), so documents linger briefly; this set keeps the relay from
  // sending them again meanwhile. After a crash they are resent: duplicates are allowed, losses are not.
  const awaitingCleanup = new Set<string>();
  let cleanupTimer: NodeJS.Timeout | undefined;
  let cleanup: Promise<void> | undefined;
  const cleanupDelayMs = Math.min(200, intervalMs);

  function flushCleanup(): Promise<void> {
    if (cleanupTimer) clearTimeout(cleanupTimer);
    cleanupTimer = undefined;
    cleanup ??= (async () => {
      while (awaitingCleanup.size > 0) {
        const keys = [...awaitingCleanup].slice(0, 1000);
        await store.markPublished(keys);
        for (const key of keys) awaitingCleanup.delete(key);
      }
    })()
      .catch((error: unknown) => logger.warn({ err: error }, 'outbox cleanup failed; will retry'))
      .finally(() => {
        cleanup = undefined;
      });
    return cleanup;
  }

  function done(key: string): void {
    knownPublished.set(key, true);
    partlyPublished.delete(key);
    awaitingCleanup.add(key);
    cleanupTimer ??= setTimeout(() => void flushCleanup(), cleanupDelayMs).unref();
  }

  let timer: NodeJS.Timeout | undefined;
  let round: Promise<number> | undefined;
  let stopped = false;

  async function send(commits: CommitDoc<E>[], path: 'inline' | 'relay'): Promise<void> {
    const ordered = [...commits].sort((a, b) => (a.stream === b.stream ? a.version - b.version : a.stream < b.stream ? -1 : 1));
    const events = ordered.flatMap((commit) => commit.events);
    await publish(events);
    published.inc({ path, aggregate }, events.length);
  }

  /** Whether the commit `previous` (covered by outbox document `key`, if known) is not on Kafka yet. */
  async function isUnpublished(previous: string, key: string | null | undefined): Promise<boolean> {
    const outboxKey = key === undefined ? await store.outboxKeyOf(previous) : key;
    if (outboxKey === null) return false;
    if (knownPublished.has(outboxKey) || awaitingCleanup.has(outboxKey)) return false;
    if (partlyPublished.get(outboxKey)?.has(previous)) return false;
    if (inFlight.has(outboxKey)) return true;
    if (await store.isPending(outboxKey)) return true;
    knownPublished.set(outboxKey, true);
    return false;
  }

  async function relayOnce(maxAgeMs: number): Promise<{ handled: number; more: boolean }> {
    const current = now();
    const skip = awaitingCleanup.size + inFlight.size;
    const fetched = await store.pendingOutbox(batchSize + skip, new Date(current.getTime() - maxAgeMs));
    const docs: OutboxDoc[] = [];
    let listed = 0;
    for (const doc of fetched) {
      if (awaitingCleanup.has(doc._id) || inFlight.has(doc._id) || knownPublished.has(doc._id)) continue;
      if (docs.length > 0 && listed >= batchSize) break;
      docs.push(doc);
      listed += entriesOf(doc).length;
    }
    if (docs.length === 0) return { handled: 0, more: false };

    const entries = docs.flatMap(entriesOf).filter((e) => !partlyPublished.get(e.key)?.has(e.ref._id));
    const commits = await store.loadCommits([...new Set(entries.map((e) => e.ref._id))]);
    // A commit belongs to the flush that stored it; another flush listing the same `_id` lost the race.
    const owned = (e: Entry) => {
      const commit = commits.get(e.ref._id);
      return commit && outboxKeyOf(commit) === e.key ? commit : undefined;
    };
    const inBatch = new Set(entries.filter((e) => owned(e)).map((e) => e.ref._id));
    const finished = new Map<string, Set<string>>(); // per outbox key: commits sent or dropped
    const finish = (e: Entry) => {
      const set = finished.get(e.key) ?? new Set(partlyPublished.get(e.key));
      set.add(e.ref._id);
      finished.set(e.key, set);
    };
    const ready: { entry: Entry; commit: CommitDoc<E> }[] = [];
    // Per stream, the first version that must wait: it and everything after it stay for a later round.
    const blockedFrom = new Map<string, number>();
    const block = (ref: OutboxCommitRef) =>
      blockedFrom.set(ref.stream, Math.min(ref.version, blockedFrom.get(ref.stream) ?? Infinity));
    let dropped = 0;
    for (const entry of entries) {
      const commit = owned(entry);
      if (!commit) {
        // Lost its race (the `_id` is someone else's), or the writer died before storing: past the
        // grace period nothing will come. Until then it blocks nothing: a commit after it would
        // name it as `previous`, and that check holds the stream.
        if (commits.has(entry.ref._id) || current.getTime() - entry.createdAt.getTime() > orphanAfterMs) {
          finish(entry);
          dropped++;
        }
        continue;
      }
      const { previous } = entry.ref;
      // An earlier commit of this stream still waiting outside this batch must go first.
      if (previous && !inBatch.has(previous) && (await isUnpublished(previous, entry.ref.previous_key))) {
        block(entry.ref);
        continue;
      }
      ready.push({ entry, commit });
    }
    const sendable = ready.filter((r) => r.commit.version < (blockedFrom.get(r.commit.stream) ?? Infinity));
    if (sendable.length > 0) await send(sendable.map((r) => r.commit), 'relay');
    for (const r of sendable) finish(r.entry);
    for (const doc of docs) {
      const set = finished.get(doc._id) ?? partlyPublished.get(doc._id);
      if (!set) continue;
      if (entriesOf(doc).every((e) => set.has(e.ref._id))) done(doc._id);
      else partlyPublished.set(doc._id, set);
    }
    return { handled: sendable.length + dropped, more: fetched.length >= batchSize + skip };
  }

  async function drainFrom(maxAgeMs: number): Promise<number> {
    let total = 0;
    for (;;) {
      const { handled, more } = await relayOnce(maxAgeMs);
      total += handled;
      if (!more || handled === 0 || stopped) return total;
    }
  }

  function runRound(maxAgeMs: number): Promise<number> {
    round ??= drainFrom(maxAgeMs)
      .catch((error: unknown) => {
        failures.inc({ path: 'relay', aggregate });
        logger.warn({ err: error }, 'outbox relay round failed; will retry');
        return 0;
      })
      .finally(() => {
        round = undefined;
      });
    return round;
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      void runRound(minAgeMs).finally(schedule);
    }, intervalMs);
  }

  return {
    claim(flushId) {
      inFlight.add(flushId);
    },
    release(flushId) {
      inFlight.delete(flushId);
    },
    async publishFlush(flushId, flushed) {
      try {
        const waiting = await Promise.all(
          flushed.map(({ commit, previousKey }) =>
            commit.previous && previousKey !== flushId ? isUnpublished(commit.previous, previousKey) : false,
          ),
        );
        if (waiting.some(Boolean)) return;
        if (flushed.length > 0) await send(flushed.map((f) => f.commit), 'inline');
        done(flushId);
      } catch (error) {
        // Stored is durable: the relay will publish it; the clients' writes still succeeded.
        failures.inc({ path: 'inline', aggregate });
        logger.warn({ err: error }, 'inline publish failed; the outbox relay will retry');
      } finally {
        inFlight.delete(flushId);
      }
    },
    drain: async () => {
      // A round already in progress may use the age filter; run one more without it.
      await round;
      const count = await runRound(0);
      await flushCleanup();
      return count;
    },
    start() {
      stopped = false;
      // First round at once and regardless of age: it publishes what a crash left behind.
      void runRound(0).finally(schedule);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await round;
      await flushCleanup();
    },
  };
}
