import { createHash } from 'node:crypto';
import type { Collection, IndexDescription } from 'mongodb';
import { deleteMatching, isDuplicateKeyError } from '@reps/mongo';

/** The response a key replays: same status, same body, same replayable headers. */
export interface StoredResponse {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

export interface IdempotencyDoc {
  _id: string;
  request_hash: string;
  /** `released`: the request failed; a retry takes the claim over at once, with its reserved ids. */
  state: 'pending' | 'completed' | 'released';
  response?: StoredResponse;
  /** Ids the request allocated before writing; a takeover after a crash reuses them. */
  reserved_ids?: number[];
  created_at: Date;
  expires_at: Date;
}

export type IdempotencyClaim =
  | { kind: 'claimed'; id: string; reservedIds: number[] | undefined }
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'mismatch' }
  | { kind: 'in_progress' };

export interface IdempotencyStore {
  /** Claims `key` for this request, or says why not (replay, other body, still running). */
  claim(principalKey: string, key: string, requestBody: unknown, now: Date): Promise<IdempotencyClaim>;
  /** Records the ids this request is about to create, before it writes them. */
  reserve(id: string, ids: number[]): Promise<void>;
  complete(id: string, response: StoredResponse): Promise<void>;
  /**
   * Releases the claim of a request that failed, so a retry can run at once. A claim with reserved
   * ids is kept (state `released`) and the retry gets the ids: the failure may have come after the
   * write was applied (a lost reply while the database restarts), and new ids would create the
   * contacts twice. Only a claim with nothing reserved is deleted.
   */
  release(id: string): Promise<void>;
  /** FerretDB has no TTL indexes, so expiry is a sweep (and lookups ignore expired records). */
  sweepExpired(now: Date): Promise<number>;
}

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** A pending claim older than this belongs to a request that died; a retry may take it over. */
const ABANDONED_AFTER_MS = 30_000;

export const idempotencyIndexes: IndexDescription[] = [{ key: { expires_at: 1 }, name: 'expires_at' }];

/** Stable across key order, so `{a,b}` and `{b,a}` count as the same body. */
export function hashRequest(value: unknown): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
          )
        : v;
  return createHash('sha256').update(JSON.stringify(canonical(value) ?? null)).digest('hex');
}

export function createIdempotencyStore(records: Collection<IdempotencyDoc>, ttlMs = IDEMPOTENCY_TTL_MS): IdempotencyStore {
  return {
    async claim(principalKey, key, requestBody, now) {
      const id = `${principalKey}:${key}`;
      const requestHash = hashRequest(requestBody);
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          await records.insertOne({
            _id: id,
            request_hash: requestHash,
            state: 'pending',
            created_at: now,
            expires_at: new Date(now.getTime() + ttlMs),
          });
          return { kind: 'claimed', id, reservedIds: undefined };
        } catch (error) {
          if (!isDuplicateKeyError(error)) throw error;
        }
        const existing = await records.findOne({ _id: id });
        if (!existing) continue; // released or swept meanwhile: try to claim again
        if (existing.expires_at <= now) {
          await records.deleteOne({ _id: id, created_at: existing.created_at });
          continue;
        }
        if (existing.request_hash !== requestHash) return { kind: 'mismatch' };
        const abandoned =
          existing.state === 'released' ||
          (existing.state === 'pending' && now.getTime() - existing.created_at.getTime() > ABANDONED_AFTER_MS);
        if (abandoned) {
          // Take over the failed or dead request's claim, and its ids: whatever it already wrote
          // is found again instead of being created twice.
          const taken = await records.updateOne(
            { _id: id, state: existing.state, created_at: existing.created_at },
            { $set: { state: 'pending', created_at: now } },
          );
          if (taken.modifiedCount === 1) return { kind: 'claimed', id, reservedIds: existing.reserved_ids };
          continue;
        }
        if (existing.state === 'completed' && existing.response) return { kind: 'replay', response: existing.response };
        return { kind: 'in_progress' };
      }
      return { kind: 'in_progress' };
    },
    async reserve(id, ids) {
      await records.updateOne({ _id: id }, { $set: { reserved_ids: ids } });
    },
    async complete(id, response) {
      await records.updateOne({ _id: id }, { $set: { state: 'completed', response } });
    },
    async release(id) {
      const claim = await records.findOne({ _id: id });
      if (claim?.state !== 'pending') return;
      if (claim.reserved_ids === undefined) await records.deleteOne({ _id: id, state: 'pending' });
      else await records.updateOne({ _id: id, state: 'pending' }, { $set: { state: 'released' } });
    },
    async sweepExpired(now) {
      // In bounded rounds, deleted by `_id`: one `deleteMany` over a day's expired keys would bind
      // one SQL variable per key on FerretDB (SQLite caps them) and hold the database meanwhile.
      return deleteMatching(records, { expires_at: { $lte: now } });
    },
  };
}
