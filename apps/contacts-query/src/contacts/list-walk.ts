import type { Filter, Sort } from 'mongodb';
import { sortKeysAt, type ContactReadDoc } from '@reps/contacts-read-model';
import { ConflictError } from '@reps/errors';
import { sortSpec, type CursorPayload, type WalkPosition } from './list-cursor';
import { keysetFilter, selectionFilter, type ListScope } from './list-filter';
import type { ContactListQuery as ListQuery } from '@reps/contracts';

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

export function planList(
  scope: ListScope,
  query: ListQuery,
  cursor: CursorPayload | undefined,
  now: number,
  groupMembers?: readonly number[],
): ListPlan {
  const walkStartedAt = cursor?.t ?? now;
  const { key, direction, mutable } = sortSpec(query.sort);
  const selection = selectionFilter(scope, query, groupMembers);
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

/** A row's place in the walk; strings compare by their UTF-8 bytes, as MongoDB's simple collation does. */
interface Placed extends WalkPosition {
  bytes?: Buffer;
}

function place(key: number | string, id: number): Placed {
  return typeof key === 'string' ? { key, id, bytes: Buffer.from(key, 'utf8') } : { key, id };
}

function compareKeys(a: Placed, b: Placed): number {
  if (a.bytes && b.bytes) return Buffer.compare(a.bytes, b.bytes);
  return (a.key as number) - (b.key as number);
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
  const order = (a: Placed, b: Placed) => direction * (compareKeys(a, b) || a.id - b.id);
  const entries = new Map<string, { at: Placed; doc: ContactReadDoc }>();
  for (const doc of settledRows) entries.set(doc._id, { at: place(doc[key], doc.id), doc });
  const after = cursor ? place(cursor.k, cursor.i) : null;
  for (const doc of changedRows) {
    if (doc._c > plan.walkStartedAt) continue; // created during the walk: not part of it
    const at = place(key === '_c' ? doc._c : sortKeysAt(doc, plan.walkStartedAt)[key], doc.id);
    // A contact may be in both answers if it changed between the two queries; its key is the same.
    if ((after === null || order(at, after) > 0) && !entries.has(doc._id)) entries.set(doc._id, { at, doc });
  }
  const ordered = [...entries.values()].sort((a, b) => order(a.at, b.at));
  const page = ordered.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    rows: page.map((entry) => entry.doc),
    next: ordered.length > query.limit && last ? { key: last.at.key, id: last.at.id } : null,
  };
}
