import type { Collection, Db, IndexDescription } from 'mongodb';
import type { ShareableType } from '@reps/contracts';

/**
 * The SmartLinks read model: one document per link, written only by the consumer of the link's
 * partition (events keyed by link id), taking each event only as its next version, so the counts
 * are exact under redelivery and replay. The token is not here (it is never on the topic):
 * contacts-query derives it with the key it shares with contacts-command.
 */
export interface SmartlinkReadDoc {
  /** `<tenant>:<id>`, computable from a request. */
  _id: string;
  _v: number;
  id: number;
  tenant_company_id: number;
  user_id: number;
  contact_id: number;
  company_visible: boolean;
  shareable_type: ShareableType;
  shareable_id: string;
  shareable_name: string | null;
  url: string;
  opens_count: number;
  last_opened_at: string | null;
  activities_count: number;
  revoked_at: string | null;
  created_at: string;
}

export function smartlinkReadId(tenantCompanyId: number, smartlinkId: number): string {
  return `${tenantCompanyId}:${smartlinkId}`;
}

export function smartlinkCollection(
  db: Db,
  prefix: string,
  generation: string,
): Collection<SmartlinkReadDoc> {
  return db.collection<SmartlinkReadDoc>(`${prefix}smartlinks_user_${generation}`);
}

/** For MongoDB: the rep's list, newest first, with or without a contact (FerretDB scans; see docs/smartlinks.md). */
export const smartlinkIndexes: IndexDescription[] = [
  { key: { tenant_company_id: 1, user_id: 1, id: -1 }, name: 'rep_links' },
  { key: { tenant_company_id: 1, user_id: 1, contact_id: 1, id: -1 }, name: 'rep_contact_links' },
];
