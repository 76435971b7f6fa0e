import {
  CONTACT_LIST_SORTS,
  invalidListQuery,
  parseContactListQuery,
  type ContactListQuery,
  type ContactListSort,
} from '@reps/contracts';

/** The list parameters are a public contract (libs/contracts); these are the names this service uses. */
export type ListQuery = ContactListQuery;
export type ListSort = ContactListSort;
export const LIST_SORTS = CONTACT_LIST_SORTS;
export const parseListQuery = parseContactListQuery;
export const invalidQuery = invalidListQuery;

/** Routes that take no parameters still say which one they got. */
export function rejectAnyQuery(raw: Record<string, unknown>): void {
  const keys = Object.keys(raw);
  if (keys.length > 0) throw invalidQuery(keys.map((key) => ({ field: key, message: 'is not a known query parameter' })));
}
