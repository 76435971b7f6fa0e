import { z } from 'zod';
import { ContactFields, ContactOrigin, IsoDateTime, PositiveId, contactFieldSchemas } from './contact-fields';
import { ContactToken } from './contact-resource';
import {
  EVENT_SCHEMA_VERSION,
  eventEnvelopeSchema,
  eventPayloadUnion,
  publishedEvents,
  fieldChangesData,
} from '../events/event-envelope';

/**
 * The public Kafka contract for contacts (DESIGN §3). Downstream analytics consume these
 * directly, so the shapes here are versioned: additive changes (a new optional field, a new
 * event type) stay in v1 and consumers must ignore what they do not know; anything else
 * gets a new topic (`crm.contacts.v2`) and `schema_version`.
 *
 * Each event's `data` carries its own timestamp (and `contact.created` the id and tenant), so
 * the domain rebuilds a contact from `{ type, data }` alone; the envelope repeats what
 * routing and filtering need without parsing `data`.
 */

export const CONTACTS_TOPIC = 'crm.contacts.v1';
export const CONTACT_EVENT_SCHEMA_VERSION = EVENT_SCHEMA_VERSION;

export const CONTACT_EVENT_TYPES = [
  'contact.created',
  'contact.updated',
  'contact.reassigned',
  'contact.discarded',
  'contact.restored',
] as const;
export type ContactEventType = (typeof CONTACT_EVENT_TYPES)[number];

/** Envelope fields every contact event shares; `type` and `data` are narrowed per event below. */
export const EventEnvelope = eventEnvelopeSchema({
  aggregateId: 'The contact id (an integer, as in the resource); the Kafka key is its decimal string.',
  aggregateVersion: "1 for contact.created, then +1 per event of this contact: the stream's order.",
  userId: 'The owning rep after this event.',
  companyVisible: 'True iff the contact came from the company API or website (company scope may see it).',
});
export type EventEnvelope = z.output<typeof EventEnvelope>;

export const ContactCreatedData = z
  .object({
    id: PositiveId,
    token: ContactToken,
    tenant_company_id: PositiveId.meta({ description: 'Same as the envelope company_id.' }),
    company_id: PositiveId.nullable().meta({
      description: 'The public company_id: null for a rep-created contact.',
    }),
    user_id: PositiveId,
    origin: ContactOrigin,
    ...contactFieldSchemas,
    created_at: IsoDateTime,
  })
  .meta({ description: 'The full initial state of the contact (derived full_name excluded).' });
export type ContactCreatedData = z.output<typeof ContactCreatedData>;

/** A subset of the writable fields; in `contact.updated`, `changes` and `previous` share their keys. */
export const ContactFieldChanges = ContactFields.partial();
export type ContactFieldChanges = z.output<typeof ContactFieldChanges>;

export const ContactUpdatedData = fieldChangesData(
  ContactFieldChanges,
  'Only the fields that actually changed, with their previous values.',
);
export type ContactUpdatedData = z.output<typeof ContactUpdatedData>;

export const ContactReassignedData = z
  .object({ from_user_id: PositiveId, to_user_id: PositiveId, reassigned_at: IsoDateTime })
  .meta({ description: 'The company moved the contact to another rep.' });
export type ContactReassignedData = z.output<typeof ContactReassignedData>;

export const ContactDiscardedData = z
  .object({ discarded_at: IsoDateTime })
  .meta({ description: 'Soft delete: the contact is hidden from lists until restored.' });
export type ContactDiscardedData = z.output<typeof ContactDiscardedData>;

export const ContactRestoredData = z
  .object({ restored_at: IsoDateTime })
  .meta({ description: 'A discarded contact was brought back.' });
export type ContactRestoredData = z.output<typeof ContactRestoredData>;

/** The data schema of each event type (the single table the unions and the docs are built from). */
export const contactEventDataSchemas = {
  'contact.created': ContactCreatedData,
  'contact.updated': ContactUpdatedData,
  'contact.reassigned': ContactReassignedData,
  'contact.discarded': ContactDiscardedData,
  'contact.restored': ContactRestoredData,
} as const satisfies Record<ContactEventType, z.ZodType>;

/** An event as the domain decides it: type and data, before the service wraps it in an envelope. */
export const ContactEventData = eventPayloadUnion(contactEventDataSchemas);
export type ContactEventData = z.output<typeof ContactEventData>;
export type ContactEventDataOf<T extends ContactEventType> = Extract<ContactEventData, { type: T }>;

const published = publishedEvents(EventEnvelope, contactEventDataSchemas);
/** Each event as published on `crm.contacts.v1`, keyed by the contact id. */
export const contactEventSchemas = published.schemas;
export const ContactEvent = published.union;
export type ContactEvent = z.output<typeof ContactEvent>;

/** The Kafka message key of a contact's events: all of them land, in order, on one partition. */
export function contactEventKey(contactId: number): string {
  return String(contactId);
}
