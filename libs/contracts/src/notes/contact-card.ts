import { z } from 'zod';
import { Activity } from '../activities/activity-contracts';
import { Contact } from '../contacts/contact-resource';
import { parseQuery } from '../validation/parse-query';
import { Note } from './note-resource';
import { Task } from '../tasks/task-resource';

/** How many items each part of the card holds; the rest is a cursor on the part's own list. */
export const CARD_ACTIVITIES_MAX = 10;
export const CARD_NOTES_MAX = 10;
export const CARD_TASKS_MAX = 10;

const part = <T extends z.ZodType>(item: T, list: string) =>
  z.object({
    items: z.array(item),
    next_cursor: z
      .string()
      .nullable()
      .meta({ description: `More beyond this part: pass as \`cursor\` to ${list}; null when this is all` }),
  });

/**
 * GET /api/{user|company}/crm/v202506/contacts/:id/card — everything the mobile app shows on a
 * contact's card, in one round trip; each part capped, with a cursor that continues on the part's
 * own list endpoint (with the filters named there).
 */
export const ContactCard = z
  .object({
    contact: Contact,
    activities: part(Activity, '`GET …/contacts/:id/activities`').meta({
      description: `The ${CARD_ACTIVITIES_MAX} newest timeline entries`,
    }),
    notes: part(Note, '`GET …/notes?contact_id=:id`').meta({
      description: `Up to ${CARD_NOTES_MAX} notes, pinned first, then newest (deleted notes left out)`,
    }),
    open_tasks: part(Task, '`GET …/tasks?contact_id=:id&status=open`').meta({
      description: `Up to ${CARD_TASKS_MAX} open (pending or overdue) tasks, soonest due first (no due_at last)`,
    }),
  })
  .meta({ title: 'ContactCard' });
export type ContactCard = z.output<typeof ContactCard>;

/** The card takes no parameters: any is a 400, like on every other read. */
export const ContactCardQuery = z.strictObject({}).meta({ title: 'ContactCardQuery' });

export function parseContactCardQuery(raw: unknown): Record<string, never> {
  return parseQuery(ContactCardQuery, raw);
}
