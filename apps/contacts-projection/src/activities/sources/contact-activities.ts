import { ContactEvent, type ContactOrigin } from '@reps/contracts';
import { activitySource } from '../activity-source';

const ORIGIN: Record<ContactOrigin, string> = {
  user_app: 'Added as a contact',
  company_api: 'Added as a contact by the company',
  company_website: 'Signed up on the company website',
};

/** "first_name" → "first name"; a list of three or more reads "a, b and c". */
export function fieldList(fields: string[]): string {
  const names = fields.map((field) => field.replace(/_/g, ' '));
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** `crm.contacts.v1` on the timeline: the contact's own life (values of changed fields stay off it). */
export const contactActivities = activitySource('contacts', ContactEvent, {
  'contact.created': (event) => ({
    contact_id: event.aggregate_id,
    summary: ORIGIN[event.data.origin],
    data: { origin: event.data.origin },
  }),
  'contact.updated': (event) => {
    const fields = Object.keys(event.data.changes).sort();
    return { contact_id: event.aggregate_id, summary: `Updated ${fieldList(fields)}`, data: { fields } };
  },
  'contact.reassigned': (event) => ({
    contact_id: event.aggregate_id,
    summary: 'Reassigned to another rep',
    data: { from_user_id: event.data.from_user_id, to_user_id: event.data.to_user_id },
  }),
  'contact.discarded': (event) => ({ contact_id: event.aggregate_id, summary: 'Deleted', data: {} }),
  'contact.restored': (event) => ({ contact_id: event.aggregate_id, summary: 'Restored', data: {} }),
});
