import type { ActivitySource } from './activity-source';
import { contactActivities } from './sources/contact-activities';
import { groupActivities } from './sources/group-activities';
import { noteActivities } from './sources/note-activities';
import { smartlinkActivities } from './sources/smartlink-activities';
import { taskActivities } from './sources/task-activities';

/**
 * The timeline's sources by topic: one line per topic (its builders live in `sources/`). A topic
 * listed here must also be consumed by the projection (see `read-model-projection.ts`).
 */
export function activitySources(topics: {
  contacts: string;
  groups: string;
  smartlinks: string;
  notes?: string;
  tasks?: string;
}): Map<string, ActivitySource> {
  const sources = new Map<string, ActivitySource>([
    [topics.contacts, contactActivities],
    [topics.groups, groupActivities],
    [topics.smartlinks, smartlinkActivities],
  ]);
  if (topics.notes) sources.set(topics.notes, noteActivities);
  if (topics.tasks) sources.set(topics.tasks, taskActivities);
  return sources;
}
