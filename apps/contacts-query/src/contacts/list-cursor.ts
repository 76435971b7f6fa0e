import { createHash } from 'node:crypto';
import { z } from 'zod';
import { LIST_WALK_MAX_AGE_MS } from '@reps/contacts-read-model';
import {
  CONTACT_LIST_SORTS,
  invalidListQuery as invalidQuery,
  type ContactListQuery as ListQuery,
  type ContactListSort as ListSort,
} from '@reps/contracts';

/** The stored field each sort orders by; `id` breaks ties, so the order is total. */
export const SORT_KEYS = { created_at: '_c', updated_at: '_u', last_name: '_ln' } as const;
export type SortKey = (typeof SORT_KEYS)[keyof typeof SORT_KEYS];

export function sortSpec(sort: ListSort): { key: SortKey; direction: 1 | -1; mutable: boolean } {
  const descending = sort.startsWith('-');
  const name = (descending ? sort.slice(1) : sort) as keyof typeof SORT_KEYS;
  // created_at never changes; updated_at and last_name do, so their walks need a fixed point in time.
  return { key: SORT_KEYS[name], direction: descending ? -1 : 1, mutable: name !== 'created_at' };
}

/**
 * A cursor is the last row's sort key and id (keyset pagination), bound to the sort and filters,
 * plus when the walk began: on a mutable key every page orders contacts by their keys at that
 * instant (see list-walk.ts).
 */
const CursorPayload = z.object({
  v: z.literal(2),
  s: z.enum(CONTACT_LIST_SORTS),
  f: z.string(),
  k: z.union([z.number(), z.string()]),
  i: z.number().int().positive(),
  t: z.number().int().nonnegative(),
});
export type CursorPayload = z.output<typeof CursorPayload>;

/** A short fingerprint of the filters, so a cursor is not silently reused with other ones. */
export function filterFingerprint(query: ListQuery): string {
  const { limit: _limit, cursor: _cursor, ...filters } = query;
  const canonical = JSON.stringify(Object.entries(filters).sort(([a], [b]) => (a < b ? -1 : 1)));
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 12);
}

/** The position of the last row of a page: its key in the walk's order and its id. */
export interface WalkPosition {
  key: number | string;
  id: number;
}

export function encodeCursor(query: ListQuery, last: WalkPosition, walkStartedAt: number): string {
  const payload: CursorPayload = { v: 2, s: query.sort, f: filterFingerprint(query), k: last.key, i: last.id, t: walkStartedAt };
  return Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
}

export function decodeCursor(query: ListQuery, now: number): CursorPayload | undefined {
  if (query.cursor === undefined) return undefined;
  const invalid = (message: string) => invalidQuery([{ field: 'cursor', message }]);
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(query.cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid('is not a cursor from this API');
  }
  const parsed = CursorPayload.safeParse(json);
  if (!parsed.success) throw invalid('is not a cursor from this API');
  const cursor = parsed.data;
  const expectsNumber = sortSpec(cursor.s).key !== '_ln';
  if (typeof cursor.k !== (expectsNumber ? 'number' : 'string')) throw invalid('is not a cursor from this API');
  if (cursor.s !== query.sort || cursor.f !== filterFingerprint(query)) {
    throw invalid('belongs to another sort or other filters; start again without it');
  }
  if (sortSpec(cursor.s).mutable && now - cursor.t > LIST_WALK_MAX_AGE_MS) {
    throw invalid(`has expired (a walk sorted by ${cursor.s.replace('-', '')} lasts at most 24 hours); start again without it`);
  }
  return cursor;
}
