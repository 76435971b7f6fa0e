import type { ActivitySource } from './activity-source';
import { contactActivities } from './sources/contact-activities';
import { groupActivities } from './sources/group-activities';
import { smartlinkActivities } from './sources/smartlink-activities';

/**
 * The timeline's sources by topic: one line per topic (its builders live in `sources/`). A topic
 * listed here must also be consumed by the projection (see `read-model-projection.ts`).
 */
export function activitySources(topics: { contacts: string; groups: string; smartlinks: string }): Map<string, ActivitySource> {
  return new Map<string, ActivitySource>([
    [topics.contacts, contactActivities],
    [topics.groups, groupActivities],
    [topics.smartlinks, smartlinkActivities],
  ]);
}
