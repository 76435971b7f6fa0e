import { randomUUID } from 'node:crypto';
import {
  StreamVersionConflict,
  type AppendRequest,
  type CommitDoc,
  type EventStore,
  type StorableEvent,
} from './mongo-event-store';
import type { OutboxRelay } from './outbox-relay';

export interface CommitBatcherOptions<E extends StorableEvent> {
  store: EventStore<E>;
  relay: OutboxRelay<E>;
  clock: () => Date;
  /**
   * The most commits one flush stores (default 256). Requests queue while a flush is in flight
   * and the next flush takes as many as fit; one call's commits (a bulk create) are never split,
   * so a call larger than this is a flush of its own.
   */
  maxBatch?: number;
  /** Test-only fault point between "stored" and "published" (see FAULT_INJECTION). */
  afterStore?: () => void;
}

/** The outcome of one request: its commit, or the conflict that refused it. */
export type CommitResult<E extends StorableEvent> = CommitDoc<E> | StreamVersionConflict;

export interface CommitBatcher<E extends StorableEvent> {
  /**
   * Stores one commit in the next flush and publishes it with the flush; resolves once it is
   * stored and (unless left to the relay) on Kafka. Throws `StreamVersionConflict` when another
   * writer got to this version first.
   */
  commit(request: AppendRequest<E>): Promise<CommitDoc<E>>;
  /** Several commits in one flush (bulk create); per request the commit or the conflict. */
  commitMany(requests: AppendRequest<E>[]): Promise<CommitResult<E>[]>;
  /**
   * Runs `task` once every task this process started earlier on `stream` has settled (first come,
   * first served; a lone task starts at once). One process's commands on a stream then decide one
   * after another, each on the state the previous one left, instead of racing for the same version
   * and losing repeatedly (four concurrent PATCHes of one contact made some give up with a 409).
   * Writers in other processes still race: the executor's retries cover those.
   */
  inTurn<T>(stream: string, task: () => Promise<T>): Promise<T>;
}

interface Waiting<E extends StorableEvent> {
  requests: AppendRequest<E>[];
  resolve(results: CommitResult<E>[]): void;
  reject(error: unknown): void;
}

/**
 * Group commit: requests that arrive while a flush is in flight share the next one — one outbox
 * document, one unordered `insertMany` of commits, one Kafka send of all their events, one
 * cleanup — instead of paying those round trips each. A request arriving when nothing is in
 * flight is flushed at once (no timer), so a lone request waits for nobody; under load a request
 * waits at most for the flush in flight. Flushes run one after another, so they are published in
 * flush order and a commit never overtakes the one it was decided on.
 */
export function createCommitBatcher<E extends StorableEvent>(
  options: CommitBatcherOptions<E>,
): CommitBatcher<E> {
  const { store, relay, clock } = options;
  const maxBatch = options.maxBatch ?? 256;
  const queue: Waiting<E>[] = [];
  let running = false;

  function take(): Waiting<E>[] {
    const batch: Waiting<E>[] = [queue.shift()!];
    let size = batch[0]!.requests.length;
    while (queue.length > 0 && size + queue[0]!.requests.length <= maxBatch) {
      const next = queue.shift()!;
      size += next.requests.length;
      batch.push(next);
    }
    return batch;
  }

  async function flush(batch: Waiting<E>[]): Promise<void> {
    const requests = batch.flatMap((w) => w.requests);
    const id = randomUUID();
    relay.claim(id);
    let results: CommitResult<E>[];
    try {
      ({ results } = await store.appendFlush(requests, clock(), id));
    } catch (error) {
      // Part of it may be stored: the outbox document is there, the relay takes it from here.
      relay.release(id);
      for (const w of batch) w.reject(error);
      return;
    }
    options.afterStore?.();
    const stored = results.flatMap((result, i) =>
      result instanceof StreamVersionConflict
        ? []
        : [{ commit: result, previousKey: requests[i]!.previousOutboxKey }],
    );
    await relay.publishFlush(id, stored);
    let offset = 0;
    for (const w of batch) {
      w.resolve(results.slice(offset, offset + w.requests.length));
      offset += w.requests.length;
    }
  }

  async function run(): Promise<void> {
    running = true;
    try {
      while (queue.length > 0) await flush(take());
    } finally {
      running = false;
    }
  }

  function enqueue(requests: AppendRequest<E>[]): Promise<CommitResult<E>[]> {
    if (requests.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      queue.push({ requests, resolve, reject });
      if (!running) void run();
    });
  }

  // Per stream, the settled end of its latest task; removed when nothing follows it.
  const turns = new Map<string, Promise<void>>();
  const ignore = (): void => undefined;

  function inTurn<T>(stream: string, task: () => Promise<T>): Promise<T> {
    const previous = turns.get(stream);
    const result = previous ? previous.then(task) : task();
    const settled = result.then(ignore, ignore);
    turns.set(stream, settled);
    void settled.then(() => {
      if (turns.get(stream) === settled) turns.delete(stream);
    });
    return result;
  }

  return {
    inTurn,
    async commit(request) {
      const [result] = await enqueue([request]);
      if (result instanceof StreamVersionConflict) throw result;
      return result!;
    },
    commitMany: enqueue,
  };
}
