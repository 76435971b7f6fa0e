import type { Collection, Filter } from 'mongodb';
import type { Activity } from '@reps/contracts';
import type { ActivityReadDoc } from './activity-read-doc';

/** Where a page of the timeline starts: after this entry (newest first). */
export interface ActivityPosition {
  o: string;
  id: string;
}

export interface ActivityQuery {
  tenantCompanyId: number;
  /** One contact's timeline (its visibility already checked by the caller) … */
  contactId?: number;
  /** … and/or one rep's feed. */
  userId?: number;
  /** Only entries a company may see. */
  companyVisibleOnly?: boolean;
  type?: string;
  /** ISO instant: only entries at or after it. */
  since?: string;
  after?: ActivityPosition;
  limit: number;
  /** Server-side limit of the query (a scan on FerretDB). */
  maxTimeMs?: number;
}

/**
 * A page of timeline entries, newest first, by keyset on (`_o`, `_id`): on MongoDB an index range
 * (see `activityIndexes`); on FerretDB a scan of the generation's entries.
 */
export async function listActivities(
  activities: Collection<ActivityReadDoc>,
  query: ActivityQuery,
): Promise<{ entries: ActivityReadDoc[]; next: ActivityPosition | null }> {
  const filter: Filter<ActivityReadDoc> = { tenant_company_id: query.tenantCompanyId };
  if (query.contactId !== undefined) filter.contact_id = query.contactId;
  if (query.userId !== undefined) filter.user_id = query.userId;
  if (query.companyVisibleOnly) filter.company_visible = true;
  if (query.type !== undefined) filter.type = query.type;
  const range: Filter<ActivityReadDoc>[] = [];
  if (query.since !== undefined) range.push({ _o: { $gte: new Date(query.since).toISOString() } });
  if (query.after) {
    range.push({
      $or: [{ _o: { $lt: query.after.o } }, { _o: query.after.o, _id: { $lt: query.after.id } }],
    });
  }
  const full: Filter<ActivityReadDoc> = range.length > 0 ? { $and: [filter, ...range] } : filter;
  let cursor = activities
    .find(full)
    .sort({ _o: -1, _id: -1 })
    .limit(query.limit + 1);
  if (query.maxTimeMs !== undefined) cursor = cursor.maxTimeMS(query.maxTimeMs);
  const docs = await cursor.toArray();
  const entries = docs.slice(0, query.limit);
  const last = entries[entries.length - 1];
  return { entries, next: docs.length > query.limit && last ? { o: last._o, id: last._id } : null };
}

export function activityResource(doc: ActivityReadDoc): Activity {
  return {
    id: doc.id,
    contact_id: doc.contact_id,
    type: doc.type,
    occurred_at: doc.occurred_at,
    summary: doc.summary,
    data: doc.data,
  };
}
