import type { Collection } from 'mongodb';
import { isDuplicateKeyError } from '@reps/mongo';

/** `_id` is `<tenant>:<user>`: a rep's token for that company was seen on a write. */
export interface KnownRepDoc {
  _id: string;
  first_seen_at: Date;
}

export interface KnownReps {
  /** Records that a rep of `companyId` exists (their own signed token said so). */
  register(companyId: number, userId: number, now: Date): Promise<void>;
  isKnown(companyId: number, userId: number): Promise<boolean>;
}

const CACHE_MAX = 50_000;

/**
 * Which user ids are reps of which company, as far as this service can know: a user id means
 * something only inside its tenant, and the only proof that rep 7 belongs to company 10 is a token
 * signed for (company 10, user 7). So a rep becomes known — and assignable by the company — with
 * their first write through the user API; a company naming any other id is refused. One insert
 * by `_id` per rep, remembered in memory after that.
 */
export function createKnownReps(collection: Collection<KnownRepDoc>): KnownReps {
  const seen = new Set<string>();
  const key = (companyId: number, userId: number) => `${companyId}:${userId}`;
  const remember = (id: string) => {
    if (seen.size >= CACHE_MAX) seen.clear();
    seen.add(id);
  };
  return {
    async register(companyId, userId, now) {
      const _id = key(companyId, userId);
      if (seen.has(_id)) return;
      try {
        await collection.insertOne({ _id, first_seen_at: now });
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
      remember(_id);
    },
    async isKnown(companyId, userId) {
      const _id = key(companyId, userId);
      if (seen.has(_id)) return true;
      const found = (await collection.findOne({ _id }, { projection: { _id: 1 } })) !== null;
      if (found) remember(_id);
      return found;
    },
  };
}
