import type { Collection } from 'mongodb';
import { isDuplicateKeyError } from './errors';
import { deleteMatching } from './write-commands';

/**
 * A claim on a key (e.g. one read model's share of one Kafka partition): epoch `n` was claimed by
 * one writer, and nobody else can claim it. Epochs are dense (1, 2, 3, …), so "a later claim
 * exists" is a single `_id` lookup of `<key>#<n + 1>` — the one query FerretDB answers through
 * SQLite's index instead of a scan.
 */
export interface FenceToken {
  key: string;
  epoch: number;
}

export interface FenceDoc {
  /** `<key>#<epoch>` for a claim, `<key>#latest` for the hint where the next claim starts looking. */
  _id: string;
  key: string;
  epoch: number;
  holder?: string;
  claimed_at?: Date;
}

/** The writer's claim was superseded: another writer claimed the key since. */
export class FencedOutError extends Error {
  constructor(
    readonly key: string,
    readonly epoch: number,
  ) {
    super(`fenced out of ${key}: epoch ${epoch + 1} was claimed after this writer's epoch ${epoch}`);
    this.name = 'FencedOutError';
  }
}

export interface Fences {
  /**
   * Claims the next epoch of `key`: from now on every `check` of an earlier epoch fails. Atomic
   * on MongoDB and FerretDB alike, because it is an insert of a unique `_id`.
   */
  claim(key: string, holder: string, now?: Date): Promise<FenceToken>;
  /** Throws {@link FencedOutError} when a later epoch of the token's key has been claimed. */
  check(token: FenceToken): Promise<void>;
  /** Removes every claim of keys starting with `keyPrefix` (their data is gone). */
  forget(keyPrefix: string): Promise<number>;
}

const claimId = (key: string, epoch: number) => `${key}#${epoch}`;
const hintId = (key: string) => `${key}#latest`;
const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function createFences(collection: Collection<FenceDoc>): Fences {
  return {
    async claim(key, holder, now = new Date()) {
      // The hint is written after each claim without a condition, so it may lag behind (two
      // claimers racing) but never runs ahead: probing upward from it always ends at the first
      // free epoch, and every epoch below that exists.
      let epoch = ((await collection.findOne({ _id: hintId(key) }))?.epoch ?? 0) + 1;
      for (;;) {
        try {
          await collection.insertOne({ _id: claimId(key, epoch), key, epoch, holder, claimed_at: now });
          break;
        } catch (error) {
          if (!isDuplicateKeyError(error)) throw error;
          epoch++;
        }
      }
      await collection.replaceOne({ _id: hintId(key) }, { key, epoch }, { upsert: true }).catch((error: unknown) => {
        if (!isDuplicateKeyError(error)) throw error; // a concurrent claimer created the hint first
      });
      return { key, epoch };
    },
    async check(token) {
      const later = await collection.findOne({ _id: claimId(token.key, token.epoch + 1) }, { projection: { _id: 1 } });
      if (later) throw new FencedOutError(token.key, token.epoch);
    },
    forget: (keyPrefix) => deleteMatching(collection, { key: { $regex: `^${escapeRegex(keyPrefix)}` } }),
  };
}
