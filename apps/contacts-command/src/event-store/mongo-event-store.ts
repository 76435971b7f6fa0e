import type { Collection, IndexDescription } from 'mongodb';
import { deleteByIds, isDuplicateKeyError } from '@reps/mongo';

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
  events: E[];
  recorded_at: Date;
}

/**
 * The outbox: one entry per commit not yet on Kafka, written *before* the commit so a crash
 * right after the commit still leaves a trace for the relay. An entry whose commit never
 * appeared (the writer lost a race or died in between) is an orphan the relay removes.
 * The collection only holds what is in flight, so scanning it stays cheap on FerretDB too.
 */
export interface OutboxDoc {
  _id: string;
  stream: string;
  version: number;
  previous: string | null;
  created_at: Date;
}

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
}

export interface AppendRequest<E> {
  stream: string;
  expectedVersion: number;
  previous: string | null;
  events: E[];
}

export interface EventStore<E extends StorableEvent> {
  readStream(stream: string): Promise<StreamRead<E>>;
  /** The commits after a known position (a snapshot's): `events` holds only those, `version` the stream's. */
  readStreamAfter(stream: string, version: number, lastCommitId: string | null): Promise<StreamRead<E>>;
  /** Appends one commit; throws `StreamVersionConflict` when another writer got there first. */
  append(request: AppendRequest<E>, now: Date): Promise<CommitDoc<E>>;
  /** Appends many commits to new streams (bulk create); per request the commit or the conflict. */
  appendMany(requests: AppendRequest<E>[], now: Date): Promise<(CommitDoc<E> | StreamVersionConflict)[]>;
  /** Outbox entries written before `before`, oldest first. */
  pendingOutbox(limit: number, before: Date): Promise<OutboxDoc[]>;
  loadCommits(ids: string[]): Promise<Map<string, CommitDoc<E>>>;
  isPending(commitId: string): Promise<boolean>;
  /** Removes outbox entries: the commits are on Kafka (or never existed). */
  markPublished(commitIds: string[]): Promise<void>;
}

export const eventStoreIndexes: IndexDescription[] = [
  { key: { stream: 1, version: 1 }, name: 'stream_version_unique', unique: true },
];
export const outboxIndexes: IndexDescription[] = [{ key: { created_at: 1 }, name: 'created_at' }];

const commitId = (stream: string, version: number) => `${stream}@${version}`;

function toCommit<E extends StorableEvent>(request: AppendRequest<E>, now: Date): CommitDoc<E> {
  const first = request.events[0];
  const last = request.events[request.events.length - 1];
  if (!first || !last) throw new Error('a commit needs at least one event');
  if (first.aggregate_version !== request.expectedVersion + 1) {
    throw new Error(`first event version ${first.aggregate_version} does not follow ${request.expectedVersion}`);
  }
  return {
    _id: commitId(request.stream, first.aggregate_version),
    stream: request.stream,
    version: first.aggregate_version,
    last_version: last.aggregate_version,
    previous: request.previous,
    events: request.events,
    recorded_at: now,
  };
}

const toOutbox = <E extends StorableEvent>(commit: CommitDoc<E>): OutboxDoc => ({
  _id: commit._id,
  stream: commit.stream,
  version: commit.version,
  previous: commit.previous,
  created_at: commit.recorded_at,
});

/** Indexes of the documents an unordered insertMany refused as duplicates; rethrows anything else. */
function duplicateIndexes(error: unknown): Set<number> {
  const raw = (error as { writeErrors?: { index: number; code?: number }[] | { index: number; code?: number } }).writeErrors;
  const list = Array.isArray(raw) ? raw : raw ? [raw] : [];
  if (list.length === 0 || list.some((e) => e.code !== 11000)) throw error;
  return new Set(list.map((e) => e.index));
}

export function createMongoEventStore<E extends StorableEvent>(
  commits: Collection<CommitDoc<E>>,
  outbox: Collection<OutboxDoc>,
): EventStore<E> {
  const isPending = async (id: string) => (await outbox.findOne({ _id: id }, { projection: { _id: 1 } })) !== null;

  const store: EventStore<E> = {
    readStream: (stream) => store.readStreamAfter(stream, 0, null),

    async readStreamAfter(stream, after, afterCommitId) {
      const events: E[] = [];
      let version = after;
      let lastCommitId: string | null = afterCommitId;
      for (;;) {
        const doc = (await commits.findOne({ _id: commitId(stream, version + 1) } as never)) as CommitDoc<E> | null;
        if (!doc) break;
        events.push(...doc.events);
        version = doc.last_version;
        lastCommitId = doc._id;
      }
      return { events, version, lastCommitId };
    },

    async append(request, now) {
      const commit = toCommit(request, now);
      try {
        await outbox.insertOne(toOutbox(commit));
      } catch (error) {
        // Another writer is appending this very version (or died doing so; the relay clears that).
        if (isDuplicateKeyError(error)) throw new StreamVersionConflict(request.stream, request.expectedVersion);
        throw error;
      }
      try {
        await commits.insertOne(commit as never);
      } catch (error) {
        await outbox.deleteOne({ _id: commit._id, created_at: commit.recorded_at }).catch(() => undefined);
        if (isDuplicateKeyError(error)) throw new StreamVersionConflict(request.stream, request.expectedVersion);
        throw error;
      }
      return commit;
    },

    async appendMany(requests, now) {
      const docs = requests.map((request) => toCommit(request, now));
      const refused = new Set<number>();
      if (docs.length > 0) {
        await outbox.insertMany(docs.map(toOutbox), { ordered: false }).catch((error: unknown) => {
          for (const i of duplicateIndexes(error)) refused.add(i);
        });
        const toInsert = docs.filter((_, i) => !refused.has(i));
        const positions = docs.map((_, i) => i).filter((i) => !refused.has(i));
        if (toInsert.length > 0) {
          await commits.insertMany(toInsert as never[], { ordered: false }).catch((error: unknown) => {
            for (const i of duplicateIndexes(error)) refused.add(positions[i]!);
          });
        }
      }
      return docs.map((doc, index) => (refused.has(index) ? new StreamVersionConflict(doc.stream, doc.version - 1) : doc));
    },

    async pendingOutbox(limit, before) {
      return outbox.find({ created_at: { $lt: before } }, { sort: { created_at: 1 }, limit }).toArray();
    },

    async loadCommits(ids) {
      const found = new Map<string, CommitDoc<E>>();
      // Point lookups in small parallel groups: `_id` equality is what FerretDB pushes down.
      for (let i = 0; i < ids.length; i += 16) {
        const docs = await Promise.all(
          ids.slice(i, i + 16).map((id) => commits.findOne({ _id: id } as never) as Promise<CommitDoc<E> | null>),
        );
        for (const doc of docs) if (doc) found.set(doc._id, doc);
      }
      return found;
    },

    isPending,

    async markPublished(ids) {
      // By `_id`, one statement each (in bounded commands): `{_id: {$in}}` scans the whole outbox
      // on FerretDB, which after a Kafka outage holds the backlog (2.3 s per 1,000 at 20,000 entries).
      await deleteByIds(outbox, ids);
    },
  };
  return store;
}
