import type { ContactState } from './contact-state';

/**
 * One company's contacts. Discarded (soft-deleted) contacts are hidden from the CRM's lists
 * until restored, so they are left out of `live`, `byStatus` and `byOrigin` and counted in
 * `discarded` alone; a restore moves the contact back with the status it had.
 */
export interface CompanyCounts {
  companyId: number;
  live: number;
  discarded: number;
  byStatus: Record<string, number>;
  byOrigin: Record<string, number>;
}

/**
 * Derives the counts from the per-contact states, companies in ascending id order. Recounting
 * (rather than adding and subtracting per event) means no event sequence can make the counts
 * drift from the states.
 */
export function countByCompany(contacts: Iterable<ContactState>): CompanyCounts[] {
  const companies = new Map<number, CompanyCounts>();
  for (const contact of contacts) {
    let counts = companies.get(contact.companyId);
    if (!counts) {
      counts = { companyId: contact.companyId, live: 0, discarded: 0, byStatus: {}, byOrigin: {} };
      companies.set(contact.companyId, counts);
    }
    if (contact.discarded) {
      counts.discarded += 1;
      continue;
    }
    counts.live += 1;
    counts.byStatus[contact.status] = (counts.byStatus[contact.status] ?? 0) + 1;
    counts.byOrigin[contact.origin] = (counts.byOrigin[contact.origin] ?? 0) + 1;
  }
  return [...companies.values()].sort((a, b) => a.companyId - b.companyId);
}
