import { MongoBulkWriteError, type AnyBulkWriteOperation, type Collection, type Document, type Filter } from 'mongodb';

/**
 * How much one write command may carry. Every multi-document write of the services goes through
 * {@link bulkWriteInCommands} (or the helpers below, built on it), which splits it to these limits.
 *
 * Why updates have a low limit of their own: FerretDB 1.24 (SQLite backend) hangs on an `update`
 * command with more than ~100 matched single-document updates. In its
 * `internal/handler/msg_update.go` (`updateDocument`), `defer closer.Close()` sits inside the
 * loop over the command's statements, and the limit iterator of a single-document update never
 * closes the backend iterator under it: every *matched* `updateOne`/`replaceOne` keeps one of
 * the database's 100 SQLite connections until the whole command ends. The statement that needs
 * the 101st waits forever, and so does every other client of that database; only a restart of
 * the server recovers. The connections are per database and shared by every writer at once (a
 * live projection and a rebuild write the same database), so the default leaves room for three
 * concurrent writers (each command also needs one connection for its write transaction).
 * Inserts and deletes release their connections per statement and only share the general limit.
 */
export interface WriteLimits {
  /** `updateOne` / `replaceOne` / `updateMany` statements per command. */
  maxUpdatesPerCommand: number;
  /** Statements of any kind per command. */
  maxOperationsPerCommand: number;
}

export const DEFAULT_WRITE_LIMITS: Readonly<WriteLimits> = { maxUpdatesPerCommand: 32, maxOperationsPerCommand: 1000 };

/** One command's share of the operations: `operations.slice(start, end)`. */
export interface CommandRange {
  start: number;
  end: number;
  updates: number;
}

export interface CommandOutcome extends CommandRange {
  insertedCount: number;
  matchedCount: number;
  modifiedCount: number;
  deletedCount: number;
  upsertedCount: number;
}

export interface OperationError {
  /** Index into the operations passed in (not into one command). */
  index: number;
  code: number | undefined;
  message: string;
}

export interface SplitWriteResult {
  insertedCount: number;
  matchedCount: number;
  modifiedCount: number;
  deletedCount: number;
  upsertedCount: number;
  /** Per command sent, in order (a command refused as a whole is not listed). */
  commands: CommandOutcome[];
  /**
   * Operations the server refused (e.g. duplicate key, code 11000). Returned, not thrown: the
   * caller decides which refusals are expected. Ordered writes stop after the first command that
   * had one, as the driver does.
   */
  writeErrors: OperationError[];
}

export interface SplitWriteOptions {
  ordered?: boolean;
  limits?: Partial<WriteLimits>;
  /** Runs right before each command is sent (e.g. a fence check); throwing stops the write there. */
  beforeCommand?: (range: CommandRange) => Promise<void>;
}

function isUpdate<T extends Document>(operation: AnyBulkWriteOperation<T>): boolean {
  return 'updateOne' in operation || 'replaceOne' in operation || 'updateMany' in operation;
}

function resolveLimits(limits: Partial<WriteLimits> = {}): WriteLimits {
  const resolved = { ...DEFAULT_WRITE_LIMITS, ...limits };
  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`write limit ${name} must be a positive integer, got ${value}`);
  }
  return resolved;
}

/**
 * Splits operations into consecutive commands, none over the limits; order is kept. Pure: the
 * driver never merges two `bulkWrite` calls, so each range is at most one command per kind of
 * statement on the wire.
 */
export function planCommands<T extends Document>(
  operations: readonly AnyBulkWriteOperation<T>[],
  limits?: Partial<WriteLimits>,
): CommandRange[] {
  const { maxUpdatesPerCommand, maxOperationsPerCommand } = resolveLimits(limits);
  const ranges: CommandRange[] = [];
  let current: CommandRange = { start: 0, end: 0, updates: 0 };
  operations.forEach((operation, index) => {
    const update = isUpdate(operation);
    const full =
      current.end - current.start >= maxOperationsPerCommand || (update && current.updates >= maxUpdatesPerCommand);
    if (full) {
      ranges.push(current);
      current = { start: index, end: index, updates: 0 };
    }
    current.end = index + 1;
    if (update) current.updates++;
  });
  if (current.end > current.start) ranges.push(current);
  return ranges;
}

/**
 * `collection.bulkWrite`, sent as commands within {@link WriteLimits}, one after the other.
 * Counts are summed; refused operations come back in `writeErrors` with their index in
 * `operations`. Any other failure (network, server down) is thrown: commands sent before it stay
 * written, so callers retry whole writes idempotently.
 */
export async function bulkWriteInCommands<T extends Document>(
  collection: Collection<T>,
  operations: readonly AnyBulkWriteOperation<T>[],
  options: SplitWriteOptions = {},
): Promise<SplitWriteResult> {
  const ordered = options.ordered ?? true;
  const result: SplitWriteResult = {
    insertedCount: 0,
    matchedCount: 0,
    modifiedCount: 0,
    deletedCount: 0,
    upsertedCount: 0,
    commands: [],
    writeErrors: [],
  };
  for (const range of planCommands(operations, options.limits)) {
    await options.beforeCommand?.(range);
    let counts: Omit<CommandOutcome, keyof CommandRange>;
    let refused: OperationError[] = [];
    try {
      counts = await collection.bulkWrite(operations.slice(range.start, range.end), { ordered });
    } catch (error) {
      if (!(error instanceof MongoBulkWriteError) || error.writeErrors === undefined) throw error;
      const writeErrors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
      if (writeErrors.length === 0) throw error; // a write concern error: nothing to attribute
      counts = error.result;
      refused = writeErrors.map((e) => ({ index: range.start + e.index, code: e.code, message: e.errmsg ?? error.message }));
    }
    const outcome: CommandOutcome = {
      ...range,
      insertedCount: counts.insertedCount,
      matchedCount: counts.matchedCount,
      modifiedCount: counts.modifiedCount,
      deletedCount: counts.deletedCount,
      upsertedCount: counts.upsertedCount,
    };
    result.commands.push(outcome);
    result.insertedCount += outcome.insertedCount;
    result.matchedCount += outcome.matchedCount;
    result.modifiedCount += outcome.modifiedCount;
    result.deletedCount += outcome.deletedCount;
    result.upsertedCount += outcome.upsertedCount;
    result.writeErrors.push(...refused);
    if (ordered && refused.length > 0) break;
  }
  return result;
}

/**
 * Deletes documents by `_id`: one `deleteOne({_id})` statement each, in split commands. On
 * FerretDB's SQLite backend `{_id: v}` is the only filter that reaches SQLite (and its index);
 * `{_id: {$in: ids}}` would scan the collection in Go.
 */
export async function deleteByIds<T extends Document & { _id: unknown }>(
  collection: Collection<T>,
  ids: readonly T['_id'][],
  limits?: Partial<WriteLimits>,
): Promise<number> {
  if (ids.length === 0) return 0;
  const operations = ids.map((_id) => ({ deleteOne: { filter: { _id } as Filter<T> } }));
  const result = await bulkWriteInCommands(collection, operations, { ordered: false, limits });
  const failed = result.writeErrors[0];
  if (failed) throw new Error(`delete of ${String(ids[failed.index])} failed: ${failed.message}`);
  return result.deletedCount;
}

/**
 * `deleteMany(filter)` in rounds: up to `batchSize` matching `_id`s are looked up, then deleted
 * by `_id`, until a round finds fewer. No single command matches an unbounded number of documents
 * (on FerretDB one delete binds one SQL variable per matched document, and SQLite caps those).
 * Documents matching after a round started may wait for the next call.
 */
export async function deleteMatching<T extends Document & { _id: unknown }>(
  collection: Collection<T>,
  filter: Filter<T>,
  options: { batchSize?: number; limits?: Partial<WriteLimits> } = {},
): Promise<number> {
  const batchSize = options.batchSize ?? DEFAULT_WRITE_LIMITS.maxOperationsPerCommand;
  let deleted = 0;
  for (;;) {
    const found = await collection.find(filter, { projection: { _id: 1 }, limit: batchSize }).toArray();
    deleted += await deleteByIds(collection, found.map((doc) => doc._id) as T['_id'][], options.limits);
    if (found.length < batchSize) return deleted;
  }
}
