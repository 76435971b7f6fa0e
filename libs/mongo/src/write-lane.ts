import type { AnyBulkWriteOperation, Collection, Document } from 'mongodb';
import { bulkWriteInCommands, type SplitWriteOptions, type SplitWriteResult } from './write-commands';

/**
 * One writer's path to the database when several of its tasks write at once (a consumer handling
 * the batches of several partitions concurrently): their commands go out one at a time, as if the
 * tasks ran one after the other — so the writer never has two update commands in flight, which
 * `WriteLimits` assumes — and unordered insert-only writes to one collection that queue up meanwhile
 * are merged into one write, split by `bulkWriteInCommands` as usual. Each caller gets its own
 * result, indexed by its own operations.
 */
export interface WriteLane {
  write<T extends Document>(
    collection: Collection<T>,
    operations: readonly AnyBulkWriteOperation<T>[],
    options?: SplitWriteOptions,
  ): Promise<SplitWriteResult>;
}

interface Job {
  collection: Collection<Document>;
  operations: readonly AnyBulkWriteOperation<Document>[];
  options: SplitWriteOptions;
  mergeable: boolean;
  resolve: (result: SplitWriteResult) => void;
  reject: (error: unknown) => void;
}

const isInsert = (operation: AnyBulkWriteOperation<Document>) => 'insertOne' in operation;

/** The share of a merged write's result that belongs to `operations.slice(start, start + count)`. */
function shareOf(merged: SplitWriteResult, start: number, count: number): SplitWriteResult {
  const writeErrors = merged.writeErrors
    .filter((e) => e.index >= start && e.index < start + count)
    .map((e) => ({ ...e, index: e.index - start }));
  const insertedCount = count - writeErrors.length;
  const counts = { insertedCount, matchedCount: 0, modifiedCount: 0, deletedCount: 0, upsertedCount: 0 };
  return { ...counts, commands: [{ start: 0, end: count, updates: 0, ...counts }], writeErrors };
}

export function createWriteLane(): WriteLane {
  const queue: Job[] = [];
  let running = false;

  async function runMerged(candidates: Job[]): Promise<void> {
    // Every caller's own check (e.g. a fence) before the merged command, with the caller's own
    // range; a caller whose check throws is left out, and only it fails.
    const jobs: Job[] = [];
    for (const job of candidates) {
      try {
        await job.options.beforeCommand?.({ start: 0, end: job.operations.length, updates: 0 });
        jobs.push(job);
      } catch (error) {
        job.reject(error);
      }
    }
    const first = jobs[0];
    if (!first) return;
    try {
      const merged = await bulkWriteInCommands(
        first.collection,
        jobs.flatMap((job) => job.operations),
        { ordered: false, ...(first.options.limits ? { limits: first.options.limits } : {}) },
      );
      let start = 0;
      for (const job of jobs) {
        job.resolve(shareOf(merged, start, job.operations.length));
        start += job.operations.length;
      }
    } catch (error) {
      // The server failed: every caller of this write retries its own batch.
      for (const job of jobs) job.reject(error);
    }
  }

  async function drain(): Promise<void> {
    for (;;) {
      const job = queue.shift();
      if (!job) {
        running = false; // in the same turn as the empty check, so a job queued after it schedules a drain
        return;
      }
      if (!job.mergeable) {
        await bulkWriteInCommands(job.collection, job.operations, job.options).then(job.resolve, job.reject);
        continue;
      }
      const sameCollection = (other: Job) => other.mergeable && other.collection.namespace === job.collection.namespace;
      const jobs = [job, ...queue.filter(sameCollection)];
      queue.splice(0, queue.length, ...queue.filter((other) => !sameCollection(other)));
      await runMerged(jobs);
    }
  }

  return {
    write(collection, operations, options = {}) {
      return new Promise<SplitWriteResult>((resolve, reject) => {
        const ops = operations as readonly AnyBulkWriteOperation<Document>[];
        queue.push({
          collection: collection as unknown as Collection<Document>,
          operations: ops,
          options,
          mergeable: options.ordered === false && ops.length > 0 && ops.every(isInsert),
          resolve,
          reject,
        });
        if (running) return;
        running = true;
        // Next macrotask: the other tasks of the same turn (batches handed over together) join in.
        setImmediate(() => {
          void drain();
        });
      });
    },
  };
}
