import type { ServerTraits } from './server-traits';
import { MongoClient, type Db, type IndexDescription, type Collection, type Document } from 'mongodb';
import { installStalledWriteGuard } from './stalled-write-guard';

export interface MongoOptions {
  url: string;
  dbName: string;
  appName: string;
  /** How long a request waits for a reachable server before failing (and /readyz turning 503). */
  serverSelectionTimeoutMs?: number;
}

export interface MongoHandle {
  client: MongoClient;
  db: Db;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Connects the official driver. Everything built on it sticks to what both MongoDB and
 * FerretDB support: no transactions, change streams, `$text`, TTL/partial indexes, `$lookup`.
 */
export async function connectMongo(options: MongoOptions): Promise<MongoHandle> {
  // Without it a server restart under load can leave the driver's monitor stuck for good
  // (see stalled-write-guard.ts).
  installStalledWriteGuard();
  const client = new MongoClient(options.url, {
    appName: options.appName,
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMs ?? 5000,
    // FerretDB answers retryable writes with an error; retries are our own, explicit, concern.
    retryWrites: false,
  });
  await client.connect();
  const db = client.db(options.dbName);
  return {
    client,
    db,
    async ping() {
      await db.command({ ping: 1 });
    },
    close: () => client.close(),
  };
}


/**
 * Creates indexes idempotently: an existing identical index is a no-op on both servers.
 * One `createIndexes` command per index: FerretDB 1.24 (SQLite) panics and drops the
 * connection when one command names two or more indexes that already exist, which is exactly
 * what every restart of a service sends.
 *
 * Where secondary indexes serve no query (`traits.secondaryIndexesServeQueries`, false on
 * FerretDB 1.24 SQLite) only unique indexes are created: they are constraints, the others would
 * only make every insert dearer (about +60 % per document for three of them, measured there).
 * Indexes created earlier are left in place.
 */
export async function ensureIndexes<T extends Document>(
  collection: Collection<T>,
  indexes: IndexDescription[],
  traits: Pick<ServerTraits, 'secondaryIndexesServeQueries'>,
): Promise<void> {
  for (const index of indexes) {
    if (!traits.secondaryIndexesServeQueries && index.unique !== true) continue;
    await collection.createIndexes([index]);
  }
}

export * from './errors';
export * from './fences';
export * from './find-by-ids';
export * from './server-traits';
export * from './stalled-write-guard';
export * from './write-commands';
export * from './write-lane';
