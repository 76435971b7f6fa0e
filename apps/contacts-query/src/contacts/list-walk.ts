import type { Filter, Sort } from 'mongodb';
import { sortKeysAt, type ContactReadDoc } from '@reps/contacts-read-model';
import { ConflictError } from '@reps/errors';
import { sortSpec, type CursorPayload, type WalkPosition } from './list-cursor';
import { keysetFilter, selectionFilter, type ListScope } from './list-filter';
import type { ListQuery } from './list-query';

/**
 * How many contacts may change during one walk over a mutable sort key before its pages would
 * have to be ordered from too much in memory; past it the client starts again (409).
 */
export const WALK_CHANGED_MAX = 1000;

/**
 * The queries of one page.
 *
 * A walk (the pages from one first page on, linked by cursors) orders contacts by their keys at
 * the instant it began. For `created_at`, which never changes, that is the current key and one
 * keyset query does. For `updated_at` and `last_name`, a contact changed during the walk would
 * otherwise jump over the cursor (showing up twice, or never); so a page is made of
 * - `settled`: contacts unchanged since the walk began, after the cursor in (key, id) order —
 *   their current key is their key then, so MongoDB orders and limits them on an index;
 * - `changed`: the (few) contacts changed since, fetched whole and placed in memory by their keys
 *   at the walk's start (`_prior`), so each stays where the walk first saw it.
 * A contact created during the walk is not part of it (it did not exist for the whole walk, and
 * leaving it out keeps a bulk import from filling the changed side). Both sides compare
 * event times (`_u`, set by contacts-command) with the walk's start (this service's clock), so the
 * hosts' clocks are assumed in sync (NTP).
 */
export interface ListPlan {
  walkStartedAt: number;
  settled: { filter: Filter<ContactReadDoc>; sort: Sort; limit: number };
  changed?: { filter: Filter<ContactReadDoc>; limit: number };
}

export function planList(scope: ListScope, query: ListQuery, cursor: CursorPayload | undefined, now: number): ListPlan {
  const walkStartedAt = cursor?.t ?? now;
  const { key, direction, mutable } = sortSpec(query.sort);
  const selection = selectionFilter(scope, query);
  const sort: Sort = { [key]: direction, id: direction };
  const limit = query.limit + 1; // the extra row says whether there is a next page
  const and = [...(selection.$and ?? []), ...(cursor ? [keysetFilter(query, cursor)] : [])];
  const settledFilter: Filter<ContactReadDoc> = { ...selection, ...(and.length > 0 ? { $and: and } : {}) };
  if (!mutable) return { walkStartedAt, settled: { filter: settledFilter, sort, limit } };

  const since = selection._u as { $gte: number } | undefined;
  const settled = { filter: { ...settledFilter, _u: { ...since, $lte: walkStartedAt } }, sort, limit };
  // The first page begins the walk: nothing has changed since, so it needs no second query (on
  // FerretDB, where every such query is a scan, that halves the cost of the first page).
  if (!cursor) return { walkStartedAt, settled };
  return {
    walkStartedAt,
    settled,
    changed: {
      filter: { ...selection, _u: { ...since, $gt: walkStartedAt }, _c: { $lte: walkStartedAt } },
      limit: WALK_CHANGED_MAX + 1,
    },
  };
}

/** MongoDB orders strings by their bytes (simple binary comparison); so does this. */
function compareKeys(a: number | string, b: number | string): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return Buffer.compare(Buffer.from(String(a), 'utf8'), Buffer.from(String(b), 'utf8'));
}

export interface WalkPage {
  rows: ContactReadDoc[];
  /** Where the next page starts, or null when this is the last one. */
  next: WalkPosition | null;
}

/** Orders the rows of both queries into the page the walk shows next. */
export function pageOfWalk(
  query: ListQuery,
  plan: ListPlan,
  cursor: CursorPayload | undefined,
  settledRows: readonly ContactReadDoc[],
  changedRows: readonly ContactReadDoc[] = [],
): WalkPage {
  if (changedRows.length > WALK_CHANGED_MAX) {
    throw new ConflictError(
      `More than ${WALK_CHANGED_MAX} contacts changed since this walk began; start again without the cursor`,
      'list_walk_too_old',
    );
  }
  const { key, direction } = sortSpec(query.sort);
  const order = (a: WalkPosition, b: WalkPosition) => direction * (compareKeys(a.key, b.key) || a.id - b.id);
  const entries = new Map<string, WalkPosition & { doc: ContactReadDoc }>();
  for (const doc of settledRows) entries.set(doc._id, { key: doc[key], id: doc.id, doc });
  const at = cursor ? { key: cursor.k, id: cursor.i } : null;
  for (const doc of changedRows) {
    if (doc._c > plan.walkStartedAt) continue; // created during the walk: not part of it
    const keys = sortKeysAt(doc, plan.walkStartedAt);
    const entry = { key: key === '_c' ? doc._c : keys[key], id: doc.id, doc };
    // A contact may be in both answers if it changed between the two queries; its key is the same.
    if ((at === null || order(entry, at) > 0) && !entries.has(doc._id)) entries.set(doc._id, entry);
  }
  const ordered = [...entries.values()].sort(order);
  const page = ordered.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    rows: page.map((entry) => entry.doc),
    next: ordered.length > query.limit && last ? { key: last.key, id: last.id } : null,
  };
}
