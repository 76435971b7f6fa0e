import { z } from 'zod';
import { IsoDateTime, PositiveId } from '../contacts/contact-fields';
import { listCursor, listLimit, queryId } from '../smartlinks/smartlink-bodies';
import { parseQuery } from '../validation/parse-query';

/**
 * The contact card's timeline (DESIGN §6 "Activities"): one entry per source event that concerns
 * a contact, read from the activities read model, newest first.
 */

export const ACTIVITY_LIST_LIMIT_MAX = 100;
export const ACTIVITY_LIST_LIMIT_DEFAULT = 25;

export const Activity = z
  .object({
    id: z
      .string()
      .meta({ description: 'The source event id (stable: a redelivered event is the same entry).' }),
    contact_id: PositiveId,
    type: z
      .string()
      .meta({ description: 'The source event type, e.g. `smartlink.opened`, `contact.updated`.' }),
    occurred_at: IsoDateTime,
    summary: z
      .string()
      .meta({ description: 'One human sentence, e.g. "Opened the link to Collagen Boost".' }),
    data: z
      .record(z.string(), z.unknown())
      .meta({ description: "The source event's details that matter on the card." }),
  })
  .meta({ title: 'Activity', description: 'One entry of a contact’s timeline.' });
export type Activity = z.output<typeof Activity>;

const TYPE = /^[a-z_]{1,40}\.[a-z_]{1,40}$/;

const activityType = z
  .string()
  .regex(TYPE, { error: 'must be an event type such as smartlink.opened' })
  .optional()
  .meta({ description: 'Only entries of this type (an event type, e.g. `smartlink.opened`)' });

const since = IsoDateTime.optional().meta({
  description: 'Only entries that occurred at or after this instant',
});

/** GET /api/{user|company}/crm/v202506/contacts/:id/activities */
export const ContactActivityListQuery = z
  .strictObject({
    limit: listLimit(ACTIVITY_LIST_LIMIT_MAX, ACTIVITY_LIST_LIMIT_DEFAULT),
    cursor: listCursor,
    type: activityType,
    since,
  })
  .meta({ title: 'ContactActivityListQuery' });
export type ContactActivityListQuery = z.output<typeof ContactActivityListQuery>;

/** GET /api/user/crm/v202506/activities — the rep's feed over all their contacts. */
export const ActivityFeedQuery = ContactActivityListQuery.extend({
  contact_id: queryId.optional().meta({ description: "Only this contact's entries" }),
}).meta({ title: 'ActivityFeedQuery' });
export type ActivityFeedQuery = z.output<typeof ActivityFeedQuery>;

export function parseContactActivityListQuery(raw: unknown): ContactActivityListQuery {
  return parseQuery(ContactActivityListQuery, raw);
}

export function parseActivityFeedQuery(raw: unknown): ActivityFeedQuery {
  return parseQuery(ActivityFeedQuery, raw);
}
