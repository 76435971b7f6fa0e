import { LRUCache } from 'lru-cache';
import { ConflictError, PreconditionFailedError, type AppError } from '@reps/errors';
import type { Decision } from '@reps/contacts-domain';
import {
  outboxKeyOf,
  StreamVersionConflict,
  type CommitDoc,
  type EventStore,
  type StorableEvent,
  type StreamRead,
} from './mongo-event-store';
import type { CommitBatcher } from './commit-batcher';

export interface ExecuteContext {
  correlationId: string;
  /** From `If-Match`: the version the client last saw; `undefined` means "whatever is current". */
  expectedVersion?: number;
}

export interface ExecuteOutcome<S> {
  /** The aggregate before the command (null: it did not exist). */
  before: S | null;
  /** After the command's events (the same as `before` when it decided none). */
  state: S;
  version: number;
}

/** One aggregate type, as the executor needs it: where its stream is, how to decide, fold and wrap. */
export interface StreamAggregate<C extends { actor: A }, D, E extends StorableEvent, S, Err, A> {
  /** What a 409 after repeated lost races calls the thing ("The group kept changing…"). */
  name: string;
  streamOf(command: C): string;
  decide(command: C, state: S | null): Decision<D, Err>;
  /** Folds events onto `from` (the state before them; `null` = the stream's start). */
  fold(events: readonly E[], from: S | null): S | null;
  envelope(
    events: D[],
    before: S | null,
    context: { actor: A; correlationId: string; now: string },
  ): { envelopes: E[]; after: S | null };
  toAppError(error: Err): AppError;
  /**
   * Optional: where the current state comes from when folding the whole stream is too slow (a
   * SmartLink's stream grows by one commit per open): a snapshot plus the commits after it.
   * `read.events` may then hold only that tail; the executor uses `read.version` and `read.lastCommitId`.
   * The executor's own cache of stream heads is not used for such an aggregate.
   */
  load?(stream: string): Promise<{ read: StreamRead<E>; state: S | null }>;
  /**
   * Optional: whether the command starts a stream under a freshly allocated id (a create). Its
   * first attempt then skips the stream read: a new id has no stream. A replay that reuses a
   * reserved id meets the stored commit as a version conflict, and the next attempt reads.
   */
  creates?(command: C): boolean;
  /** Optional: told the state after each successful append (e.g. to move the snapshot on). */
  appended?(stream: string, state: S, commit: CommitDoc<E>): Promise<void>;
}

export interface StreamExecutorDeps<E extends StorableEvent> {
  store: EventStore<E>;
  /** Where decisions are committed: the aggregate's group-commit batcher. */
  commits: CommitBatcher<E>;
  clock: () => Date;
  maxAttempts?: number;
  /**
   * How many streams' heads (state, version, newest commit) this process remembers, so that the
   * next command on one of them reads only the commits after it — usually one `_id` lookup that
   * finds nothing — instead of the whole stream, one lookup per commit. Commits never change and
   * each names its version, so a remembered head is always a true prefix of the stream, even
   * when another process wrote since. Default 10,000; 0 turns it off.
   */
  headCacheSize?: number;
}

interface StreamHead<S> {
  state: S | null;
  version: number;
  lastCommitId: string | null;
  lastOutboxKey: string | null | undefined;
}

/**
 * Load → decide → commit (stored and published by the aggregate's batcher) for one stream, with optimistic concurrency: a lost race
 * without `If-Match` decides again on the fresh state (a few times), with `If-Match` it is a 412.
 * Scope is checked before the version, so a 412 never reveals an aggregate the caller cannot see.
 */
export function createStreamExecutor<C extends { actor: A }, D, E extends StorableEvent, S, Err, A>(
  deps: StreamExecutorDeps<E>,
  aggregate: StreamAggregate<C, D, E, S, Err, A>,
) {
  const maxAttempts = deps.maxAttempts ?? 4;

  const nothing: { read: StreamRead<E>; state: S | null } = {
    read: { events: [], version: 0, lastCommitId: null, lastOutboxKey: null },
    state: null,
  };

  const headCacheSize = deps.headCacheSize ?? 10_000;
  const heads = headCacheSize > 0 ? new LRUCache<string, StreamHead<S>>({ max: headCacheSize }) : undefined;

  function remember(stream: string, head: StreamHead<S>): void {
    // Never move a head back: a slower request may finish after a newer one was remembered.
    if (head.version > 0 && head.version >= (heads?.get(stream)?.version ?? 0)) heads?.set(stream, head);
  }

  async function load(stream: string): Promise<{ read: StreamRead<E>; state: S | null }> {
    if (aggregate.load) return aggregate.load(stream);
    const head = heads?.get(stream);
    const tail = await deps.store.readStreamAfter(stream, head?.version ?? 0, head?.lastCommitId ?? null);
    const state =
      tail.events.length > 0 || !head ? aggregate.fold(tail.events, head?.state ?? null) : head.state;
    const lastOutboxKey = tail.lastOutboxKey !== undefined ? tail.lastOutboxKey : head?.lastOutboxKey;
    const read: StreamRead<E> = { ...tail, ...(lastOutboxKey !== undefined ? { lastOutboxKey } : {}) };
    remember(stream, { state, version: read.version, lastCommitId: read.lastCommitId, lastOutboxKey });
    return { read, state };
  }

  return {
    load,
    async execute(makeCommand: (now: string) => C, context: ExecuteContext): Promise<ExecuteOutcome<S>> {
      const now = deps.clock();
      const first = makeCommand(now.toISOString());
      // A create starts a stream under a fresh id: no other command of this process can be on it.
      if (aggregate.creates?.(first) === true) return attempts(first, now, makeCommand, context);
      return deps.commits.inTurn(aggregate.streamOf(first), () => attempts(first, now, makeCommand, context));
    },
  };

  /** Load → decide → commit, again on a lost race (another process wrote the version first). */
  async function attempts(
    first: C,
    firstNow: Date,
    makeCommand: (now: string) => C,
    context: ExecuteContext,
  ): Promise<ExecuteOutcome<S>> {
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const now = attempt === 1 ? firstNow : deps.clock();
      const command = attempt === 1 ? first : makeCommand(now.toISOString());
      const stream = aggregate.streamOf(command);
      const fresh = attempt === 1 && aggregate.creates?.(command) === true;
      const { read, state } = fresh ? nothing : await load(stream);
      const decision = aggregate.decide(command, state);
      if (!decision.ok) throw aggregate.toAppError(decision.error);
      if (context.expectedVersion !== undefined && context.expectedVersion !== read.version) {
        throw new PreconditionFailedError();
      }
      if (decision.events.length === 0) {
        if (!state) throw new Error('a decision without events needs an existing aggregate');
        return { before: state, state, version: read.version };
      }
      const { envelopes, after } = aggregate.envelope(decision.events, state, {
        actor: command.actor,
        correlationId: context.correlationId,
        now: now.toISOString(),
      });
      let commit: CommitDoc<E>;
      try {
        commit = await deps.commits.commit({
          stream,
          expectedVersion: read.version,
          previous: read.lastCommitId,
          ...(read.lastOutboxKey !== undefined ? { previousOutboxKey: read.lastOutboxKey } : {}),
          events: envelopes,
        });
      } catch (error) {
        if (!(error instanceof StreamVersionConflict)) throw error;
        if (context.expectedVersion !== undefined) throw new PreconditionFailedError();
        continue;
      }
      if (!aggregate.load) {
        remember(stream, {
          state: after,
          version: commit.last_version,
          lastCommitId: commit._id,
          lastOutboxKey: outboxKeyOf(commit),
        });
      }
      if (aggregate.appended && after) await aggregate.appended(stream, after, commit);
      return { before: state, state: after as S, version: commit.last_version };
    }
    throw new ConflictError(
      `The ${aggregate.name} kept changing concurrently; retry the request`,
      'concurrent_modification',
    );
  }
}
