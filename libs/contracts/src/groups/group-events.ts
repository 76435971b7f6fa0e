import { z } from 'zod';
import { IsoDateTime, PositiveId } from '../contacts/contact-fields';
import {
  EVENT_SCHEMA_VERSION,
  eventEnvelopeSchema,
  eventPayloadUnion,
  publishedEvents,
  fieldChangesData,
} from '../events/event-envelope';
import { GROUP_CONTACTS_MAX } from './group-bodies';
import { GroupDescription, GroupName } from './group-resource';

/**
 * The public Kafka contract for groups (DESIGN §6), versioned like the contact events: additive
 * changes stay in v1 and consumers ignore what they do not know. A group belongs to one rep, so
 * `company_visible` is always false. Each event's `data` carries its own time (and
 * `group.created` the id, tenant and owner), so the domain rebuilds a group from `{type, data}`.
 */

export const GROUPS_TOPIC = 'crm.groups.v1';
export const GROUP_EVENT_SCHEMA_VERSION = EVENT_SCHEMA_VERSION;

export const GROUP_EVENT_TYPES = [
  'group.created',
  'group.updated',
  'group.deleted',
  'group.contacts_added',
  'group.contact_removed',
] as const;
export type GroupEventType = (typeof GROUP_EVENT_TYPES)[number];

export const GroupEventEnvelope = eventEnvelopeSchema({
  aggregateId: 'The group id; the Kafka key is its decimal string.',
  aggregateVersion: "1 for group.created, then +1 per event of this group: the stream's order.",
  userId: 'The rep who owns the group.',
  companyVisible: 'Always false: a group is private to its rep.',
});

export const GroupCreatedData = z
  .object({
    id: PositiveId,
    tenant_company_id: PositiveId.meta({ description: 'Same as the envelope company_id.' }),
    user_id: PositiveId.meta({ description: 'The owning rep.' }),
    name: GroupName,
    description: GroupDescription,
    created_at: IsoDateTime,
  })
  .meta({ description: 'A rep created a group (no members yet).' });
export type GroupCreatedData = z.output<typeof GroupCreatedData>;

export const GroupFieldChanges = z.object({ name: GroupName, description: GroupDescription }).partial();
export type GroupFieldChanges = z.output<typeof GroupFieldChanges>;

export const GroupUpdatedData = fieldChangesData(
  GroupFieldChanges,
  'The name or description changed: only what changed, with the previous values.',
);
export type GroupUpdatedData = z.output<typeof GroupUpdatedData>;

export const GroupDeletedData = z
  .object({ deleted_at: IsoDateTime })
  .meta({ description: 'The group is gone (hard delete) with all its memberships; the contacts stay.' });
export type GroupDeletedData = z.output<typeof GroupDeletedData>;

export const GroupContactsAddedData = z
  .object({
    contact_ids: z
      .array(PositiveId)
      .min(1)
      .max(GROUP_CONTACTS_MAX)
      .meta({ description: 'The contacts that joined, ascending; none was a member before.' }),
    added_at: IsoDateTime,
  })
  .meta({ description: 'Contacts of the rep joined the group.' });
export type GroupContactsAddedData = z.output<typeof GroupContactsAddedData>;

export const GroupContactRemovedData = z
  .object({ contact_id: PositiveId, removed_at: IsoDateTime })
  .meta({ description: 'A contact left the group (the contact itself is unchanged).' });
export type GroupContactRemovedData = z.output<typeof GroupContactRemovedData>;

/** The data schema of each event type (the single table the unions and the docs are built from). */
export const groupEventDataSchemas = {
  'group.created': GroupCreatedData,
  'group.updated': GroupUpdatedData,
  'group.deleted': GroupDeletedData,
  'group.contacts_added': GroupContactsAddedData,
  'group.contact_removed': GroupContactRemovedData,
} as const satisfies Record<GroupEventType, z.ZodType>;

/** An event as the domain decides it: type and data, before the service wraps it in an envelope. */
export const GroupEventData = eventPayloadUnion(groupEventDataSchemas);
export type GroupEventData = z.output<typeof GroupEventData>;

const published = publishedEvents(GroupEventEnvelope, groupEventDataSchemas);
/** Each event as published on `crm.groups.v1`, keyed by the group id. */
export const groupEventSchemas = published.schemas;
export const GroupEvent = published.union;
export type GroupEvent = z.output<typeof GroupEvent>;
