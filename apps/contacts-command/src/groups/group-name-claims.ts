import type { Collection } from 'mongodb';
import { groupNameKey } from '@reps/contracts';
import { ConflictError } from '@reps/errors';
import { isDuplicateKeyError } from '@reps/mongo';

/**
 * A claimed group name. `_id` is `<company>:<user>:<name key>`, so "one name per rep, whatever
 * its case" is the unique `_id` itself: of two concurrent creates or renames to one name exactly
 * one insert succeeds, on MongoDB and FerretDB alike, and every lookup is by `_id`.
 */
export interface GroupNameDoc {
  _id: string;
  group_id: number;
  claimed_at: Date;
}

export interface Owner {
  companyId: number;
  userId: number;
}

/** What the claim's group says about it now: does the group still hold that name? */
export type ClaimHolder = (groupId: number, key: string) => Promise<'holds' | 'released' | 'unknown'>;

export interface GroupNameClaims {
  /** Claims `name` for `groupId`, or throws 409 `group_name_taken`; a claim the group already holds is fine. */
  claim(owner: Owner, name: string, groupId: number, now: Date): Promise<void>;
  /** Gives `name` up, if `groupId` holds it (never someone else's claim). */
  release(owner: Owner, name: string, groupId: number): Promise<void>;
}

/** A claim whose group never got written (its writer died) is taken over after this long. */
const UNWRITTEN_AFTER_MS = 30_000;

export const nameClaimId = (owner: Owner, name: string): string =>
  `${owner.companyId}:${owner.userId}:${groupNameKey(name)}`;

/**
 * Claims are written before the group event and released after the rename or delete, so a crash
 * in between can leave a claim its group no longer holds. Such a claim is stale: the next create
 * or rename to that name asks the group (`holder`) and takes the claim over.
 */
export function createGroupNameClaims(names: Collection<GroupNameDoc>, holder: ClaimHolder): GroupNameClaims {
  const taken = () => new ConflictError('You already have a group with this name', 'group_name_taken');

  async function release(owner: Owner, name: string, groupId: number): Promise<void> {
    const _id = nameClaimId(owner, name);
    // `_id`-only filters throughout (FerretDB scans for anything else); a claim that turns out
    // to be someone else's is put back.
    const removed = await names.findOneAndDelete({ _id });
    if (removed && removed.group_id !== groupId) await names.insertOne(removed).catch(() => undefined);
  }

  return {
    async claim(owner, name, groupId, now) {
      const _id = nameClaimId(owner, name);
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          await names.insertOne({ _id, group_id: groupId, claimed_at: now });
          return;
        } catch (error) {
          if (!isDuplicateKeyError(error)) throw error;
        }
        const existing = await names.findOne({ _id });
        if (!existing) continue;
        if (existing.group_id === groupId) return;
        const held = await holder(existing.group_id, groupNameKey(name));
        const unwritten =
          held === 'unknown' && now.getTime() - existing.claimed_at.getTime() > UNWRITTEN_AFTER_MS;
        if (held === 'holds' || (held === 'unknown' && !unwritten)) throw taken();
        await release(owner, name, existing.group_id);
      }
      throw taken();
    },
    release,
  };
}
