import { GroupEvent } from '@reps/contracts';
import { activitySource } from '../activity-source';

/**
 * `crm.groups.v1` on the timeline: joining and leaving the rep's groups. Groups are the rep's own
 * (DESIGN §6), so a company never sees these entries. A deleted group's memberships end without an
 * entry per contact (the event names no contacts).
 */
export const groupActivities = activitySource('groups', GroupEvent, {
  'group.contacts_added': (event) =>
    event.data.contact_ids.map((contactId) => ({
      contact_id: contactId,
      company_visible: false,
      summary: 'Added to a group',
      data: { group_id: event.aggregate_id },
    })),
  'group.contact_removed': (event) => ({
    contact_id: event.data.contact_id,
    company_visible: false,
    summary: 'Removed from a group',
    data: { group_id: event.aggregate_id },
  }),
});
