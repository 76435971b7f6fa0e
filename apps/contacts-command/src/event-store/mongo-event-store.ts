import type { Collection, IndexDescription } from 'mongodb';
import { isDuplicateKeyError } from '@reps/mongo';

/** What the store needs of an event: the envelope's identity and position in its stream. */
export interface StorableEvent {
  id: string;
  aggregate_version: number;
}

/**
 * One document per decision ("commit"), holding all events that decision produced: a decision
 * is stored whole or not at all, which per-event documents cannot promise without transactions
 * (FerretDB has none). `version` is the commit's first event version; as every writer starts at
 * the version it read plus one, the unique (stream, version) index lets exactly one of two
 * concurrent writers win. `published` is the outbox flag the relay works from.
 */
export interface CommitDoc<E extends StorableEvent> {
  _id: string;
  stream: string;
  version: number;
  last_version: number;
  events: E[];
  published: boolean;
  recorded_at: Date;
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
  /** False when an earlier commit still waits for the relay: publishing inline would reorder. */
  allPublished: boolean;
}

export interface AppendRequest<E> {
  stream: string;
  expectedVersion: number;
  events: E[];
}

export interface EventStore<E extends StorableEvent> {
  readStream(stream: string): Promise<StreamRead<E>>;
  /** Appends one commit; throws `StreamVersionConflict` when another writer got there first. */
  append(request: AppendRequest<E>, now: Date): Promise<CommitDoc<E>>;
  /** Appends many independent commits (bulk create); returns per request the commit or the conflict. */
  appendMany(requests: AppendRequest<E>[], now: Date): Promise<(CommitDoc<E> | StreamVersionConflict)[]>;
  unpublished(limit: number, recordedBefore: Date): Promise<CommitDoc<E>[]>;
  /** Streams (among `streams`) that have an unpublished commit below `belowVersion`. */
  streamsWithEarlierUnpublished(streams: { stream: string; belowVersion: number }[]): Promise<Set<string>>;
  markPublished(commitIds: string[]): Promise<void>;
}

export const eventStoreIndexes: IndexDescription[] = [
  { key: { stream: 1, version: 1 }, name: 'stream_version_unique', unique: true },
  { key: { published: 1, recorded_at: 1 }, name: 'outbox' },
];

function toCommit<E extends StorableEvent>(request: AppendRequest<E>, now: Date): CommitDoc<E> {
  const first = request.events[0];
  const last = request.events[request.events.length - 1];
  if (!first || !last) throw new Error('a commit needs at least one event');
  if (first.aggregate_version !== request.expectedVersion + 1) {
    throw new Error(`first event version ${first.aggregate_version} does not follow ${request.expectedVersion}`);
  }
  return {
    _id: `${request.stream}@${first.aggregate_version}`,
    stream: request.stream,
    version: first.aggregate_version,
    last_version: last.aggregate_version,
    events: request.events,
    published: false,
    recorded_at: now,
  };
}

export function createMongoEventStore<E extends StorableEvent>(commits: Collection<CommitDoc<E>>): EventStore<E> {
  return {
    async readStream(stream) {
      const docs = await commits.find({ stream }, { sort: { version: 1 } }).toArray();
      const events = docs.flatMap((doc) => doc.events);
      return {
        events,
        version: docs.at(-1)?.last_version ?? 0,
        allPublished: docs.every((doc) => doc.published),
      };
    },

    async append(request, now) {
      const commit = toCommit(request, now);
      try {
        await commits.insertOne(commit as never);
      } catch (error) {
        if (isDuplicateKeyError(error)) throw new StreamVersionConflict(request.stream, request.expectedVersion);
        throw error;
      }
      return commit;
    },

    async appendMany(requests, now) {
      const docs = requests.map((request) => toCommit(request, now));
      const failed = new Set<number>();
      if (docs.length > 0) {
        try {
          await commits.insertMany(docs as never[], { ordered: false });
        } catch (error) {
          const writeErrors = (error as { writeErrors?: { index: number; code?: number }[] | { index: number; code?: number } })
            .writeErrors;
          const list = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
          if (list.length === 0 || list.some((e) => e.code !== 11000)) throw error;
          for (const e of list) failed.add(e.index);
        }
      }
      return docs.map((doc, index) =>
        failed.has(index)
          ? new StreamVersionConflict(doc.stream, doc.version - 1)
          : doc,
      );
    },

    async unpublished(limit, recordedBefore) {
      return commits
        .find({ published: false, recorded_at: { $lt: recordedBefore } } as never, {
          sort: { recorded_at: 1, stream: 1, version: 1 },
          limit,
        })
        .toArray() as Promise<CommitDoc<E>[]>;
    },

    async streamsWithEarlierUnpublished(streams) {
      if (streams.length === 0) return new Set();
      const blocked = await commits
        .find(
          { published: false, $or: streams.map(({ stream, belowVersion }) => ({ stream, version: { $lt: belowVersion } })) } as never,
          { projection: { stream: 1 } },
        )
        .toArray();
      return new Set(blocked.map((doc) => doc.stream));
    },

    async markPublished(commitIds) {
      if (commitIds.length === 0) return;
      await commits.updateMany({ _id: { $in: commitIds } } as never, { $set: { published: true } } as never);
    },
  };
}
