import { Contact } from '@reps/contracts';

/**
 * One contact in a read model. The public resource fields are stored as the API returns them,
 * so a read is a projection of keys, not a computation; the underscored fields exist for the
 * projection (`_v`) and for filters and sorts that must not depend on how a value is spelled.
 *
 * `_id` is `<tenant>:<contactId>`: computable from a request (the token names the tenant, the
 * path the id), so single reads and the projection's loads are `_id` lookups — the only query
 * FerretDB's SQLite backend answers without scanning the collection.
 */
export interface ContactReadDoc extends Contact {
  _id: string;
  /** The stream position applied last: the next event applies only if it is `_v + 1`. */
  _v: number;
  /** The tenant, always set (the public `company_id` is null for a rep's own contacts). */
  tenant_company_id: number;
  company_visible: boolean;
  _discarded: boolean;
  /** `created_at` / `updated_at` as epoch milliseconds: ISO strings with offsets do not sort. */
  _c: number;
  _u: number;
  /** Lower-cased last name, '' when there is none, so the sort never meets a null. */
  _ln: string;
  /** Lower-cased first, last and full name and both emails, one per line, for `q`. */
  _search: string;
  /** Digits of both phone numbers, one per line, for `q` made of a phone number. */
  _phone: string;
  /**
   * The sort keys this contact had before its recent changes, oldest first (see
   * {@link PriorSortKeys}). A list walk sorted by a key that changes places each contact where it
   * was when the walk began, so the walk neither repeats nor skips a contact that moves meanwhile.
   */
  _prior: PriorSortKeys[];
}

/** The mutable sort keys of an earlier state, which lasted until `t` (the `_u` of the change that ended it). */
export interface PriorSortKeys {
  t: number;
  u: number;
  ln: string;
}

/** How long a list walk over a mutable sort key may last: its cursor expires after this. */
export const LIST_WALK_MAX_AGE_MS = 24 * 60 * 60 * 1000;
/** Prior keys are kept this long after they were replaced: a walk's whole life, plus clock slack. */
export const PRIOR_SORT_KEYS_KEEP_MS = LIST_WALK_MAX_AGE_MS + 60 * 60 * 1000;
/** And at most this many per contact, so a contact changed all day long stays a small document. */
export const PRIOR_SORT_KEYS_MAX = 32;

/**
 * The prior keys of a contact's next document: the previous document's, plus the keys it had if
 * they change, minus what no walk can still need. Deterministic (driven by event times only), so a
 * rebuild produces the same documents as the live projection.
 */
export function nextPriorSortKeys(
  previous: Pick<ContactReadDoc, '_u' | '_ln' | '_prior'> | null,
  next: Pick<ContactReadDoc, '_u' | '_ln'>,
): PriorSortKeys[] {
  if (previous === null) return [];
  const prior = [...(previous._prior ?? [])];
  if (previous._u !== next._u || previous._ln !== next._ln) prior.push({ t: next._u, u: previous._u, ln: previous._ln });
  const keepFrom = next._u - PRIOR_SORT_KEYS_KEEP_MS;
  const kept = prior.filter((entry) => entry.t >= keepFrom);
  return kept.slice(Math.max(0, kept.length - PRIOR_SORT_KEYS_MAX));
}

/**
 * The mutable sort keys a contact had at `at` (or, if it was created later, when it was created):
 * the state whose lifetime covers that instant. Past what is kept, the oldest kept state stands in.
 */
export function sortKeysAt(
  doc: Pick<ContactReadDoc, '_c' | '_u' | '_ln' | '_prior'>,
  at: number,
): { _u: number; _ln: string } {
  const instant = Math.max(at, doc._c);
  for (const entry of doc._prior ?? []) {
    if (entry.t > instant) return { _u: entry.u, _ln: entry.ln };
  }
  return { _u: doc._u, _ln: doc._ln };
}

/** The public resource fields, in the order the API returns them. */
export const CONTACT_RESOURCE_FIELDS = Object.keys(Contact.shape) as (keyof Contact)[];

export function readModelId(tenantCompanyId: number, contactId: number): string {
  return `${tenantCompanyId}:${contactId}`;
}

/** The resource a read returns: the public fields only, in contract order. */
export function contactFromDoc(doc: ContactReadDoc): Contact {
  const out: Record<string, unknown> = {};
  for (const field of CONTACT_RESOURCE_FIELDS) out[field] = doc[field];
  return out as Contact;
}

export function digitsOf(value: string | null | undefined): string {
  return (value ?? '').replace(/\D/g, '');
}

/** The derived fields of a doc from its resource fields (recomputed on every write). */
export function derivedFields(
  contact: Pick<
    Contact,
    'first_name' | 'last_name' | 'full_name' | 'email' | 'email2' | 'phone' | 'phone2' | 'created_at' | 'updated_at' | 'discarded_at'
  >,
): Pick<ContactReadDoc, '_discarded' | '_c' | '_u' | '_ln' | '_search' | '_phone'> {
  const text = [contact.first_name, contact.last_name, contact.full_name, contact.email, contact.email2]
    .filter((part): part is string => typeof part === 'string' && part !== '')
    .map((part) => part.toLowerCase());
  return {
    _discarded: contact.discarded_at !== null,
    _c: Date.parse(contact.created_at),
    _u: Date.parse(contact.updated_at),
    _ln: (contact.last_name ?? '').toLowerCase(),
    _search: text.join('\n'),
    _phone: [digitsOf(contact.phone), digitsOf(contact.phone2)].filter((d) => d !== '').join('\n'),
  };
}
