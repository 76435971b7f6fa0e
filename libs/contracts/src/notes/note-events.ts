import { z } from 'zod';
import { IsoDateTime, PositiveId } from '../contacts/contact-fields';
import {
  EVENT_SCHEMA_VERSION,
  eventEnvelopeSchema,
  eventPayloadUnion,
  publishedEvents,
  fieldChangesData,
} from '../events/event-envelope';
import { NoteFields, noteFieldSchemas } from './note-resource';

/**
 * The public Kafka contract for notes (DESIGN §6), on `crm.notes.v1` keyed by the note id, with
 * the §3 envelope and the same versioning rules as contacts. Each event's `data` carries its own
 * time (and `note.created` the id, tenant, contact and author), so the domain rebuilds a note from
 * `{type, data}`.
 */

export const NOTES_TOPIC = 'crm.notes.v1';
export const NOTE_EVENT_TYPES = ['note.created', 'note.updated', 'note.discarded', 'note.restored'] as const;
export type NoteEventType = (typeof NOTE_EVENT_TYPES)[number];
export const NOTE_CREATORS = ['user', 'company'] as const;

export const NoteEventEnvelope = eventEnvelopeSchema({
  aggregateId: 'The note id; the Kafka key is its decimal string.',
  aggregateVersion: "1 for note.created, then +1 per event of this note: the stream's order.",
  userId: 'The rep who owned the note’s contact when the event happened.',
  companyVisible: 'True iff the note’s contact is company-visible (the company scope sees the note).',
});

export const NoteCreatedData = z
  .object({
    id: PositiveId,
    tenant_company_id: PositiveId.meta({ description: 'Same as the envelope company_id.' }),
    company_id: PositiveId.nullable().meta({ description: 'The public company_id (the contact’s).' }),
    contact_id: PositiveId,
    user_id: PositiveId.nullable().meta({ description: 'The author rep; null when the company wrote it.' }),
    created_by: z.enum(NOTE_CREATORS),
    ...noteFieldSchemas,
    created_at: IsoDateTime,
  })
  .meta({ description: 'The full initial state of the note.' });
export type NoteCreatedData = z.output<typeof NoteCreatedData>;

export const NoteFieldChanges = NoteFields.partial();
export type NoteFieldChanges = z.output<typeof NoteFieldChanges>;

export const NoteUpdatedData = fieldChangesData(
  NoteFieldChanges,
  'Only the fields that changed, with their previous values.',
);
export type NoteUpdatedData = z.output<typeof NoteUpdatedData>;

export const NoteDiscardedData = z
  .object({ discarded_at: IsoDateTime })
  .meta({ description: 'Soft delete: the note is hidden until restored.' });
export type NoteDiscardedData = z.output<typeof NoteDiscardedData>;

export const NoteRestoredData = z
  .object({ restored_at: IsoDateTime })
  .meta({ description: 'A deleted note was brought back.' });
export type NoteRestoredData = z.output<typeof NoteRestoredData>;

export const noteEventDataSchemas = {
  'note.created': NoteCreatedData,
  'note.updated': NoteUpdatedData,
  'note.discarded': NoteDiscardedData,
  'note.restored': NoteRestoredData,
} as const satisfies Record<NoteEventType, z.ZodType>;

/** An event as the domain decides it: type and data, before the service wraps it in an envelope. */
export const NoteEventData = eventPayloadUnion(noteEventDataSchemas);
export type NoteEventData = z.output<typeof NoteEventData>;

const published = publishedEvents(NoteEventEnvelope, noteEventDataSchemas);
/** Each event as published on `crm.notes.v1`, keyed by the note id. */
export const noteEventSchemas = published.schemas;
export const NoteEvent = published.union;
export type NoteEvent = z.output<typeof NoteEvent>;

export const NOTE_EVENT_SCHEMA_VERSION = EVENT_SCHEMA_VERSION;
