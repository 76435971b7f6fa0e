import type { Collection, Db, IndexDescription } from 'mongodb';

/**
 * The activity timeline (DESIGN §6): one document per (source event, contact), written once and
 * never changed — so a redelivered or replayed event is a duplicate-key insert that changes
 * nothing, and the model needs no versions. `_id` is the source event id (plus `:<contact>` when
 * one event concerns several contacts, e.g. `group.contacts_added`); `id` is always the event id.
 *
 * Lists are newest first by `_o` (the instant as a fixed-width ISO string, so the order is the
 * time order whatever offset the source wrote) then `_id`.
 */
export interface ActivityReadDoc {
  _id: string;
  /** Sort key: `occurred_at` normalised to UTC ISO-8601 with milliseconds. */
  _o: string;
  id: string;
  tenant_company_id: number;
  /** The contact's owner when the event happened: whose feed shows it. */
  user_id: number;
  contact_id: number;
  /** Whether a company may see the entry (its contact is company-visible and the entry is not a rep's private matter). */
  company_visible: boolean;
  type: string;
  occurred_at: string;
  summary: string;
  data: Record<string, unknown>;
}

export function activitySortKey(occurredAt: string): string {
  return new Date(occurredAt).toISOString();
}

export function activityCollection(db: Db, prefix: string, generation: string): Collection<ActivityReadDoc> {
  return db.collection<ActivityReadDoc>(`${prefix}activities_${generation}`);
}

/**
 * For MongoDB: each list (a contact's timeline in either scope, a rep's feed with or without one
 * filter) is an index range in `_o, _id` order. FerretDB's SQLite backend accepts and ignores them:
 * there every list scans the collection (docs/smartlinks.md, "What the timeline costs").
 */
export const activityIndexes: IndexDescription[] = [
  { key: { tenant_company_id: 1, contact_id: 1, _o: -1, _id: -1 }, name: 'contact_timeline' },
  {
    key: { tenant_company_id: 1, contact_id: 1, company_visible: 1, _o: -1, _id: -1 },
    name: 'contact_timeline_company',
  },
  { key: { tenant_company_id: 1, user_id: 1, _o: -1, _id: -1 }, name: 'rep_feed' },
  { key: { tenant_company_id: 1, user_id: 1, type: 1, _o: -1, _id: -1 }, name: 'rep_feed_type' },
  { key: { tenant_company_id: 1, contact_id: 1, type: 1, _o: -1, _id: -1 }, name: 'contact_timeline_type' },
];
