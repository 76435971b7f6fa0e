import type { Collection, Db } from 'mongodb';
import { isDuplicateKeyError } from '@reps/mongo';

interface CounterDoc {
  _id: string;
  next: number;
}

interface BlockClaimDoc {
  _id: string;
  claimed_at: Date;
}

export interface IdAllocator {
  next(): Promise<number>;
  nextMany(count: number): Promise<number[]>;
}

/**
 * Ids per block. A constant of the id space, not a tuning knob: every process must agree on
 * it, or two of them would compute overlapping ranges from different block numbers.
 */
export const ID_BLOCK_SIZE = 100;

/**
 * System-wide unique integer ids, claimed in blocks of `ID_BLOCK_SIZE`. Uniqueness rests on
 * inserting a claim document with a unique `_id` per block — an insert is atomic on MongoDB
 * and FerretDB alike, whereas FerretDB's findAndModify `$inc` can lose an update under
 * concurrency. The counter is only a hint of where free blocks start. Ids of a block lost in a
 * crash are never reused: gaps are fine, duplicates are not.
 */
export function createIdAllocator(
  counters: Collection<CounterDoc>,
  claims: Collection<BlockClaimDoc>,
  name: string,
  clock: () => Date = () => new Date(),
): IdAllocator {
  const available: number[] = [];
  let refill: Promise<void> | undefined;

  async function claimBlock(): Promise<number> {
    const hint = await counters
      .findOneAndUpdate({ _id: name }, { $inc: { next: 1 } }, { upsert: true, returnDocument: 'after' })
      .catch((error: unknown) => {
        // Two first-ever upserts can race to insert the counter; the loser retries as an update.
        if (isDuplicateKeyError(error))
          return counters.findOneAndUpdate({ _id: name }, { $inc: { next: 1 } }, { returnDocument: 'after' });
        throw error;
      });
    let block = hint?.next ?? 1;
    for (;;) {
      try {
        await claims.insertOne({ _id: `${name}:${block}`, claimed_at: clock() });
        break;
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
        block++;
      }
    }
    if (block !== hint?.next) await counters.updateOne({ _id: name }, { $max: { next: block } });
    return block;
  }

  async function claimBlocks(blocks: number): Promise<void> {
    for (let i = 0; i < blocks; i++) {
      const block = await claimBlock();
      const first = (block - 1) * ID_BLOCK_SIZE + 1;
      for (let id = first; id < first + ID_BLOCK_SIZE; id++) available.push(id);
    }
  }

  async function nextMany(count: number): Promise<number[]> {
    const ids: number[] = [];
    while (ids.length < count) {
      if (available.length === 0) {
        // One refill at a time: concurrent callers wait for it instead of each claiming blocks.
        refill ??= claimBlocks(Math.ceil((count - ids.length) / ID_BLOCK_SIZE)).finally(() => {
          refill = undefined;
        });
        await refill;
        continue;
      }
      ids.push(available.shift()!);
    }
    return ids;
  }

  return {
    next: async () => (await nextMany(1))[0]!,
    nextMany,
  };
}

export type { BlockClaimDoc, CounterDoc };

/** An allocator on this database's shared `id_counters` and `id_block_claims`, for one id space (`contact`, `group`, …). */
export function idAllocatorIn(db: Db, name: string): IdAllocator {
  return createIdAllocator(
    db.collection<CounterDoc>('id_counters'),
    db.collection<BlockClaimDoc>('id_block_claims'),
    name,
  );
}
