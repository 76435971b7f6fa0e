import { randomUUID } from 'node:crypto';
import type { Collection, IndexDescription } from 'mongodb';
import { deleteByIds } from '@reps/mongo';

/** What the store needs of an event: the envelope's identity and position in its stream. */
export interface StorableEvent {
  id: string;
  aggregate_version: number;
}

/**
 * One document per decision ("commit"), holding every event that decision produced: a decision
 * is stored whole or not at all, which per-event documents cannot promise without transactions
 * (FerretDB has none). `_id` is `<stream>@<first version>` and `previous` links to the commit
 * before it, so a stream is read by `_id` lookups only — the one query FerretDB's SQLite
 * backend answers without scanning the collection. The unique (stream, version) index (and the
 * `_id` itself) lets exactly one of two writers that read the same version win.
 */
export interface CommitDoc<E extends StorableEvent> {
  _id: string;
  stream: string;
  version: number;
  last_version: number;
  previous: string | null;
  /**
   * The outbox document that covers this commit: the id of the flush that wrote it (see
   * `FlushOutboxDoc`). Absent on commits written before group commit, whose outbox entry had the
   * commit's own `_id`.
   */
  flush?: string;
  events: E[];
  recorded_at: Date;
}

/** One commit as its flush's outbox document lists it. */
export interface OutboxCommitRef {
  _id: string;
  stream: string;
  version: number;
  previous: string | null;
  /**
   * The outbox key of `previous` (its flush id, or its own `_id` for an older commit), so "is the
   * commit before this one still unpublished?" is one `_id` lookup; `undefined` when the writer did
   * not know it (the relay then reads it from the previous commit).
   */
  previous_key?: string | null;
}

/**
 * The outbox: one document per flush (a group of commits stored together), written *before* its
 * commits, so a crash right after the commits still leaves a trace for the relay. It lists the
 * commits the flush tried to store; one that never appeared under this flush (it lost its race to
 * another writer, or the writer died in between) is an orphan the relay skips. The collection only
 * holds what is in flight, so scanning it stays cheap on FerretDB too.
 */
export interface FlushOutboxDoc {
  _id: string;
  commits: OutboxCommitRef[];
  created_at: Date;
}

/**
 * How a commit and a flush are stored. FerretDB's cost grows with the number of fields it
 * converts, not with bytes: 1,000 commits whose events are nested documents took 270–330 ms to
 * insert there, the same with the events as one JSON string 77–126 ms; a flush listing 1,000
 * commits as subdocuments 25–45 ms to insert and 33 ms to delete, as a string about 7 ms. Nothing
 * queries inside either (commits are read by `_id`, flushes by `_id` and age), so both keep their
 * envelope fields and carry their payload as JSON text — the very JSON each event is published as.
 * Documents written before (`events` / `commits` arrays) are still read.
 */
/** A `CommitDoc` as stored: the same envelope fields, its events as JSON text. */
type StoredCommit = Omit<CommitDoc<StorableEvent>, 'events'> & {
  /** `JSON.stringify(events)`. */
  events_json?: string;
  /** Commits written before `events_json`. */
  events?: unknown[];
};

interface StoredFlushDoc {
  _id: string;
  /** `JSON.stringify(commits)`: the `OutboxCommitRef`s of the flush. */
  commits_json: string;
  created_at: Date;
}

function encodeCommit<E extends StorableEvent>(commit: CommitDoc<E>): StoredCommit {
  const { events, ...envelope } = commit;
  return { ...envelope, events_json: JSON.stringify(events) };
}

function decodeCommit<E extends StorableEvent>(stored: StoredCommit): CommitDoc<E> {
  const { events_json, events, ...envelope } = stored;
  return {
    ...envelope,
    events: (events_json !== undefined ? JSON.parse(events_json) : (events ?? [])) as E[],
  };
}

/** The events of a commit document as stored (either form); for tests and tools that read the collection. */
export function storedEvents<E>(doc: { events_json?: string; events?: unknown[] }): E[] {
  return (doc.events_json !== undefined ? JSON.parse(doc.events_json) : (doc.events ?? [])) as E[];
}

function decodeOutbox(doc: OutboxDoc | StoredFlushDoc): OutboxDoc {
  if (typeof (doc as StoredFlushDoc).commits_json !== 'string') return doc as OutboxDoc;
  const { commits_json, ...rest } = doc as StoredFlushDoc;
  return { ...rest, commits: JSON.parse(commits_json) as OutboxCommitRef[] };
}

/** The outbox entry of one commit, as written before group commit: still read, never written. */
export interface LegacyOutboxDoc {
  _id: string;
  stream: string;
  version: number;
  previous: string | null;
  created_at: Date;
}

export type OutboxDoc = FlushOutboxDoc | LegacyOutboxDoc;

export const isFlushDoc = (doc: OutboxDoc): doc is FlushOutboxDoc =>
  Array.isArray((doc as FlushOutboxDoc).commits);

/** The outbox key a commit is covered by: its flush, or (written before group commit) itself. */
export const outboxKeyOf = (commit: Pick<CommitDoc<StorableEvent>, '_id' | 'flush'>): string =>
  commit.flush ?? commit._id;

export class StreamVersionConflict extends Error {
  constructor(
    readonly stream: string,
    readonly expectedVersion: number,
  ) {
    super(`stream ${stream} moved past version ${expectedVersion}`);
    this.name = 'StreamVersionConflict';
  }
}

export interface StreamRead<E> {
  events: E[];
  version: number;
  /** The `_id` of the newest commit, which the next commit links to. */
  lastCommitId: string | null;
  /**
   * The outbox key of the newest commit (`outboxKeyOf`); `undefined` when the read started from a
   * snapshot and found no commit after it (then it is looked up only if needed).
   */
  lastOutboxKey?: string | null;
}

export interface AppendRequest<E> {
  stream: string;
  expectedVersion: number;
  previous: string | null;
  /** `StreamRead.lastOutboxKey` of the read this request was decided on. */
  previousOutboxKey?: string | null;
  events: E[];
}

/** What one flush stored: its id (the outbox key of its commits) and, per request, the commit or the conflict. */
export interface StoredFlush<E extends StorableEvent> {
  id: string;
  results: (CommitDoc<E> | StreamVersionConflict)[];
}

export interface EventStore<E extends StorableEvent> {
  readStream(stream: string): Promise<StreamRead<E>>;
  /** The commits after a known position (a snapshot's): `events` holds only those, `version` the stream's. */
  readStreamAfter(stream: string, version: number, lastCommitId: string | null): Promise<StreamRead<E>>;
  /**
   * Stores commits as one flush: one outbox document listing them all, then one unordered
   * `insertMany` of the commits. Per request the commit, or `StreamVersionConflict` when another
   * writer (or another request of the same flush) got there first — a conflict never fails the others.
   */
  appendFlush(requests: AppendRequest<E>[], now: Date, flushId?: string): Promise<StoredFlush<E>>;
  /** Appends one commit (a flush of one); throws `StreamVersionConflict` when another writer got there first. */
  append(request: AppendRequest<E>, now: Date): Promise<CommitDoc<E>>;
  /** `appendFlush` without the flush id: per request the commit or the conflict. */
  appendMany(requests: AppendRequest<E>[], now: Date): Promise<(CommitDoc<E> | StreamVersionConflict)[]>;
  /** Outbox documents written before `before`, oldest first. */
  pendingOutbox(limit: number, before: Date): Promise<OutboxDoc[]>;
  loadCommits(ids: string[]): Promise<Map<string, CommitDoc<E>>>;
  /** Whether an outbox document (a flush id, or an older commit's own `_id`) is still there. */
  isPending(outboxKey: string): Promise<boolean>;
  /** The outbox key of a stored commit, or null when there is no such commit. */
  outboxKeyOf(commitId: string): Promise<string | null>;
  /** Removes outbox documents by key: their commits are on Kafka (or never existed). */
  markPublished(outboxKeys: string[]): Promise<void>;
}

export const eventStoreIndexes: IndexDescription[] = [
  { key: { stream: 1, version: 1 }, name: 'stream_version_unique', unique: true },
];
export const outboxIndexes: IndexDescription[] = [{ key: { created_at: 1 }, name: 'created_at' }];

const commitId = (stream: string, version: number) => `${stream}@${version}`;

function toCommit<E extends StorableEvent>(
  request: AppendRequest<E>,
  now: Date,
  flush: string,
): CommitDoc<E> {
  const first = request.events[0];
  const last = request.events[request.events.length - 1];
  if (!first || !last) throw new Error('a commit needs at least one event');
  if (first.aggregate_version !== request.expectedVersion + 1) {
    throw new Error(
      `first event version ${first.aggregate_version} does not follow ${request.expectedVersion}`,
    );
  }
  return {
    _id: commitId(request.stream, first.aggregate_version),
    stream: request.stream,
    version: first.aggregate_version,
    last_version: last.aggregate_version,
    previous: request.previous,
    flush,
    events: request.events,
    recorded_at: now,
  };
}

const toRef = <E extends StorableEvent>(
  commit: CommitDoc<E>,
  request: AppendRequest<E>,
): OutboxCommitRef => ({
  _id: commit._id,
  stream: commit.stream,
  version: commit.version,
  previous: commit.previous,
  ...(request.previousOutboxKey !== undefined ? { previous_key: request.previousOutboxKey } : {}),
});

/** Indexes of the documents an unordered insertMany refused as duplicates; rethrows anything else. */
function duplicateIndexes(error: unknown): Set<number> {
  const raw = (
    error as { writeErrors?: { index: number; code?: number }[] | { index: number; code?: number } }
  ).writeErrors;
  const list = Array.isArray(raw) ? raw : raw ? [raw] : [];
  if (list.length === 0 || list.some((e) => e.code !== 11000)) throw error;
  return new Set(list.map((e) => e.index));
}

export function createMongoEventStore<E extends StorableEvent>(
  commits: Collection<CommitDoc<E>>,
  outbox: Collection<OutboxDoc>,
): EventStore<E> {
  const isPending = async (id: string) =>
    (await outbox.findOne({ _id: id }, { projection: { _id: 1 } })) !== null;

  const store: EventStore<E> = {
    readStream: (stream) => store.readStreamAfter(stream, 0, null),

    async readStreamAfter(stream, after, afterCommitId) {
      const events: E[] = [];
      let version = after;
      let lastCommitId: string | null = afterCommitId;
      // From the stream's start, "no commit" is known; from a snapshot, the head's key is not.
      let lastOutboxKey: string | null | undefined = afterCommitId === null ? null : undefined;
      for (;;) {
        const stored = (await commits.findOne({
          _id: commitId(stream, version + 1),
        } as never)) as StoredCommit | null;
        if (!stored) break;
        const doc = decodeCommit<E>(stored);
        events.push(...doc.events);
        version = doc.last_version;
        lastCommitId = doc._id;
        lastOutboxKey = outboxKeyOf(doc);
      }
      return { events, version, lastCommitId, ...(lastOutboxKey !== undefined ? { lastOutboxKey } : {}) };
    },

    async appendFlush(requests, now, id = randomUUID()) {
      const docs = requests.map((request) => toCommit(request, now, id));
      const refused = new Set<number>();
      if (docs.length > 0) {
        // The outbox first: once a commit exists, a trace of it does too.
        const flush: StoredFlushDoc = {
          _id: id,
          commits_json: JSON.stringify(docs.map((doc, i) => toRef(doc, requests[i]!))),
          created_at: now,
        };
        await outbox.insertOne(flush as never);
        await commits
          .insertMany(docs.map(encodeCommit) as never[], { ordered: false })
          .catch((error: unknown) => {
            for (const i of duplicateIndexes(error)) refused.add(i);
          });
      }
      return {
        id,
        results: docs.map((doc, index) =>
          refused.has(index) ? new StreamVersionConflict(doc.stream, doc.version - 1) : doc,
        ),
      };
    },

    async append(request, now) {
      const [result] = (await store.appendFlush([request], now)).results;
      if (result instanceof StreamVersionConflict) throw result;
      return result!;
    },

    appendMany: async (requests, now) => (await store.appendFlush(requests, now)).results,

    async pendingOutbox(limit, before) {
      const docs = await outbox
        .find({ created_at: { $lt: before } }, { sort: { created_at: 1 }, limit })
        .toArray();
      return docs.map(decodeOutbox);
    },

    async loadCommits(ids) {
      const found = new Map<string, CommitDoc<E>>();
      // Point lookups in small parallel groups: `_id` equality is what FerretDB pushes down.
      for (let i = 0; i < ids.length; i += 16) {
        const docs = await Promise.all(
          ids
            .slice(i, i + 16)
            .map((id) => commits.findOne({ _id: id } as never) as Promise<StoredCommit | null>),
        );
        for (const doc of docs) if (doc) found.set(doc._id, decodeCommit<E>(doc));
      }
      return found;
    },

    isPending,

    async outboxKeyOf(id) {
      const doc = (await commits.findOne({ _id: id } as never, {
        projection: { _id: 1, flush: 1 },
      })) as CommitDoc<E> | null;
      return doc ? outboxKeyOf(doc) : null;
    },

    async markPublished(ids) {
      // By `_id`, one statement each (in bounded commands): `{_id: {$in}}` scans the whole outbox
      // on FerretDB, which after a Kafka outage holds the backlog (2.3 s per 1,000 at 20,000 entries).
      await deleteByIds(outbox, ids);
    },
  };
  return store;
}
