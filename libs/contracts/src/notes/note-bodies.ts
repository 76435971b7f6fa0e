import { z } from 'zod';
import { PositiveId } from '../contacts/contact-fields';
import {
  readOnlyFields,
  requireSomeField,
  strictBody,
  unwrapResourceBody,
  type Writable,
} from '../validation/strict-body';
import { NOTE_ASSETS_MAX, NOTE_READ_ONLY_FIELDS, NoteAssetInput, noteFieldSchemas } from './note-resource';

const blankIsNull = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? null : value);
const assetsInput = z
  .array(NoteAssetInput, { error: 'must be an array of assets' })
  .max(NOTE_ASSETS_MAX, { error: `must hold at most ${NOTE_ASSETS_MAX} assets` });

const writable = {
  title: z.preprocess(blankIsNull, noteFieldSchemas.title),
  body: noteFieldSchemas.body,
  note_type: z.preprocess(blankIsNull, noteFieldSchemas.note_type),
  due_date: noteFieldSchemas.due_date,
  due_time: noteFieldSchemas.due_time,
  pinned: noteFieldSchemas.pinned,
  assets: assetsInput,
};

/** A time without a date has nothing to be a time of. */
function timeNeedsDate(value: { due_date?: string | null; due_time?: string | null }, ctx: z.RefinementCtx) {
  if (value.due_time != null && value.due_date === null)
    ctx.addIssue({ code: 'custom', message: 'needs a due_date', path: ['due_time'] });
}

/** POST /api/{user|company}/crm/v202506/notes */
export const NoteCreateBody = strictBody({
  ...readOnlyFields(NOTE_READ_ONLY_FIELDS),
  contact_id: PositiveId.meta({ description: 'The contact the note is on: one the caller can see' }),
  title: writable.title.default(null),
  body: writable.body,
  note_type: writable.note_type.default(null),
  due_date: writable.due_date.default(null),
  due_time: writable.due_time.default(null),
  pinned: writable.pinned.default(false),
  assets: writable.assets.default([]),
})
  .superRefine(timeNeedsDate)
  .meta({ title: 'NoteCreateBody' });
export type NoteCreateBody = Writable<z.output<typeof NoteCreateBody>>;

/** PATCH /api/{user|company}/crm/v202506/notes/:id — only the given fields change; `assets` replaces the list. */
export const NoteUpdateBody = strictBody({
  ...readOnlyFields([...NOTE_READ_ONLY_FIELDS, 'contact_id'] as const),
  title: writable.title.optional(),
  body: writable.body.optional(),
  note_type: writable.note_type.optional(),
  due_date: writable.due_date.optional(),
  due_time: writable.due_time.optional(),
  pinned: writable.pinned.optional(),
  assets: writable.assets.optional(),
})
  .superRefine(requireSomeField)
  .meta({ title: 'NoteUpdateBody' });
export type NoteUpdateBody = Writable<z.output<typeof NoteUpdateBody>>;

/** Accepts both `{"note": {...}}` and the bare object. */
export function unwrapNoteBody(body: unknown): unknown {
  return unwrapResourceBody(body, 'note');
}
