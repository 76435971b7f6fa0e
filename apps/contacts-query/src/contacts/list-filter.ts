import type { Filter } from 'mongodb';
import { digitsOf, type ContactReadDoc } from '@reps/contacts-read-model';
import { sortSpec, type CursorPayload } from './list-cursor';
import type { ContactListQuery as ListQuery } from '@reps/contracts';

/** Who is listing: the tenant always, the owner for user scope. */
export type ListScope = { scope: 'user'; tenant: number; userId: number } | { scope: 'company'; tenant: number };

const PHONE_LIKE = /^[0-9 +\-().]+$/;

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * `q`: a case-insensitive substring of first, last or full name or an email (matched against
 * the lower-cased `_search` field, so no case-insensitive regex is needed), or — when it looks
 * like a phone number — a run of the phone's digits, whatever the punctuation.
 */
export function searchFilter(q: string): Filter<ContactReadDoc> {
  const text: Filter<ContactReadDoc> = { _search: { $regex: escapeRegex(q.toLowerCase()) } };
  const digits = digitsOf(q);
  return PHONE_LIKE.test(q) && digits !== '' ? { $or: [text, { _phone: { $regex: digits } }] } : text;
}

/** Rows strictly after the cursor's row in the (key, id) order of the sort. */
export function keysetFilter(query: ListQuery, cursor: CursorPayload): Filter<ContactReadDoc> {
  const { key, direction } = sortSpec(query.sort);
  const beyond = direction === 1 ? '$gt' : '$lt';
  return { $or: [{ [key]: { [beyond]: cursor.k } }, { [key]: cursor.k, id: { [beyond]: cursor.i } }] } as Filter<ContactReadDoc>;
}

/**
 * Who and what a list selects, before any ordering: scope first (structural), then the filters.
 * `group_id` selects the members of that group, which the caller looked up (`groupMembers`; none
 * when the group is not the caller's to read): membership lives in the groups read model.
 */
export function selectionFilter(scope: ListScope, query: ListQuery, groupMembers?: readonly number[]): Filter<ContactReadDoc> {
  const filter: Filter<ContactReadDoc> = { tenant_company_id: scope.tenant };
  if (scope.scope === 'user') filter.user_id = scope.userId;
  // `include` spelled as both values lets MongoDB merge two ranges of the same index in order.
  filter._discarded = query.discarded === 'exclude' ? false : query.discarded === 'only' ? true : { $in: [false, true] };
  if (query.status !== undefined) filter.status = query.status;
  if (query.lead_type !== undefined) filter.lead_type = query.lead_type;
  if (query.group_id !== undefined) filter.id = { $in: [...(groupMembers ?? [])] };
  if (query.updated_since !== undefined) filter._u = { $gte: Date.parse(query.updated_since) };
  if (query.q !== undefined) filter.$and = [searchFilter(query.q)];
  return filter;
}
