import { Counter, type Registry } from 'prom-client';
import type { Logger } from '@reps/observability';
import type { CommitDoc, EventStore, StorableEvent } from './mongo-event-store';

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
  /** Commits younger than this are left to the inline path, so the two rarely race. */
  minAgeMs?: number;
  /** An outbox entry whose commit is still missing after this long was never written. */
  orphanAfterMs?: number;
  batchSize?: number;
  now?: () => Date;
}

export interface OutboxRelay<E extends StorableEvent> {
  /**
   * The fast path, right after a successful append. Skipped (left to the relay) when the
   * commit before it (`previousCommitId`) is still unpublished: sending now would overtake it.
   */
  publishInline(commits: CommitDoc<E>[], previousCommitId: string | null): Promise<void>;
  /** Publishes everything pending regardless of age; returns how many commits it published. */
  drain(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
}

function counter(registry: Registry, name: string, help: string): Counter<'path' | 'aggregate'> {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Counter<'path' | 'aggregate'>;
  return new Counter({ name, help, labelNames: ['path', 'aggregate'] as const, registers: [registry] });
}

/**
 * The outbox relay: what was stored is published, even if the process died between the two.
 * At-least-once — a crash after sending and before marking resends — so consumers dedupe on
 * (aggregate_id, aggregate_version). Within a stream, events always leave in version order.
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

  // Published commits whose outbox entries are not deleted yet. Deleting is batched (on
  // FerretDB a delete costs ~20 ms, an insert ~1.5 ms), so entries linger briefly; this set
  // keeps the relay from sending them again meanwhile. After a crash they are resent:
  // duplicates are allowed, losses are not.
  const awaitingCleanup = new Set<string>();
  let cleanupTimer: NodeJS.Timeout | undefined;
  let cleanup: Promise<void> | undefined;
  const cleanupDelayMs = Math.min(200, intervalMs);

  function flushCleanup(): Promise<void> {
    if (cleanupTimer) clearTimeout(cleanupTimer);
    cleanupTimer = undefined;
    cleanup ??= (async () => {
      while (awaitingCleanup.size > 0) {
        const ids = [...awaitingCleanup].slice(0, 1000);
        await store.markPublished(ids);
        for (const id of ids) awaitingCleanup.delete(id);
      }
    })()
      .catch((error: unknown) => logger.warn({ err: error }, 'outbox cleanup failed; will retry'))
      .finally(() => {
        cleanup = undefined;
      });
    return cleanup;
  }

  let timer: NodeJS.Timeout | undefined;
  let round: Promise<number> | undefined;
  let stopped = false;

  async function send(commits: CommitDoc<E>[], path: 'inline' | 'relay'): Promise<void> {
    const ordered = [...commits].sort((a, b) => (a.stream === b.stream ? a.version - b.version : a.stream < b.stream ? -1 : 1));
    const events = ordered.flatMap((commit) => commit.events);
    await publish(events);
    for (const commit of ordered) awaitingCleanup.add(commit._id);
    cleanupTimer ??= setTimeout(() => void flushCleanup(), cleanupDelayMs).unref();
    published.inc({ path, aggregate }, events.length);
  }

  const isUnpublished = async (commitId: string) => !awaitingCleanup.has(commitId) && (await store.isPending(commitId));

  async function relayOnce(maxAgeMs: number): Promise<number> {
    const current = now();
    const entries = (await store.pendingOutbox(batchSize + awaitingCleanup.size, new Date(current.getTime() - maxAgeMs)))
      .filter((entry) => !awaitingCleanup.has(entry._id))
      .slice(0, batchSize);
    if (entries.length === 0) return 0;
    const commits = await store.loadCommits(entries.map((entry) => entry._id));
    const inBatch = new Set(entries.map((entry) => entry._id));
    const orphans: string[] = [];
    const ready: CommitDoc<E>[] = [];
    const blockedStreams = new Set<string>();
    for (const entry of entries) {
      const commit = commits.get(entry._id);
      if (!commit) {
        // The writer lost its race or died before storing; past the grace period nothing will come.
        if (current.getTime() - entry.created_at.getTime() > orphanAfterMs) orphans.push(entry._id);
        else blockedStreams.add(entry.stream);
        continue;
      }
      // An earlier commit of this stream still waiting outside this batch must go first.
      if (entry.previous && !inBatch.has(entry.previous) && (await isUnpublished(entry.previous))) {
        blockedStreams.add(entry.stream);
        continue;
      }
      ready.push(commit);
    }
    const sendable = ready.filter((commit) => !blockedStreams.has(commit.stream));
    if (orphans.length > 0) await store.markPublished(orphans);
    if (sendable.length > 0) await send(sendable, 'relay');
    return sendable.length + orphans.length;
  }

  async function drainFrom(maxAgeMs: number): Promise<number> {
    let total = 0;
    for (;;) {
      const count = await relayOnce(maxAgeMs);
      total += count;
      if (count < batchSize || stopped) return total;
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
    async publishInline(commits, previousCommitId) {
      if (commits.length === 0) return;
      try {
        if (previousCommitId && (await isUnpublished(previousCommitId))) return;
        await send(commits, 'inline');
      } catch (error) {
        // Stored is durable: the relay will publish it; the client's write still succeeded.
        failures.inc({ path: 'inline', aggregate });
        logger.warn({ err: error }, 'inline publish failed; the outbox relay will retry');
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
