import type { Collection } from 'mongodb';

interface CounterDoc {
  _id: string;
  next: number;
}

export interface IdAllocator {
  next(): Promise<number>;
  nextMany(count: number): Promise<number[]>;
}

/**
 * System-wide unique integer ids, taken from a shared counter in blocks so a create costs a
 * database round trip only once per `blockSize` ids. Ids of a block lost in a crash are never
 * reused — gaps are fine, duplicates are not.
 */
export function createIdAllocator(counters: Collection<CounterDoc>, name: string, blockSize = 100): IdAllocator {
  let nextId = 0;
  let limit = 0; // exclusive
  let refill: Promise<void> | undefined;

  async function reserve(size: number): Promise<[number, number]> {
    const after = await counters.findOneAndUpdate(
      { _id: name },
      { $inc: { next: size } },
      { upsert: true, returnDocument: 'after' },
    );
    if (!after) throw new Error(`id counter ${name} did not return a value`);
    return [after.next - size + 1, after.next + 1];
  }

  async function nextMany(count: number): Promise<number[]> {
    const ids: number[] = [];
    while (ids.length < count) {
      if (nextId >= limit) {
        // One refill at a time: concurrent callers wait for it instead of each taking a block.
        refill ??= reserve(Math.max(blockSize, count - ids.length))
          .then(([from, to]) => {
            nextId = from;
            limit = to;
          })
          .finally(() => {
            refill = undefined;
          });
        await refill;
        continue;
      }
      ids.push(nextId++);
    }
    return ids;
  }

  return {
    next: async () => (await nextMany(1))[0] as number,
    nextMany,
  };
}

export type { CounterDoc };
