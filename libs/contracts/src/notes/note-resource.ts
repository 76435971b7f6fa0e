import { z } from 'zod';
import { FreeText, IsoDateTime, PositiveId } from '../contacts/contact-fields';

export const NOTE_BODY_MAX = 20000;
export const NOTE_ASSETS_MAX = 20;
export const NOTE_TYPE_MAX = 50;
export const ASSET_URL_MAX = 2048;

export const NoteBody = z
  .string({ error: `must be text of 1–${NOTE_BODY_MAX} characters` })
  .min(1, { error: `must be text of 1–${NOTE_BODY_MAX} characters` })
  .max(NOTE_BODY_MAX, { error: `must be at most ${NOTE_BODY_MAX} characters` });

export const NoteType = z
  .string({ error: 'must be a lower-case word such as follow_up' })
  .regex(new RegExp(`^[a-z][a-z0-9_]{0,${NOTE_TYPE_MAX - 1}}$`), {
    error: 'must be a lower-case word such as follow_up',
  })
  .meta({
    description: 'Free classification, e.g. `follow_up`, `call`, `meeting` (lower case, digits, `_`)',
  });

/** A calendar day, no zone (the rep's own day, as the facts describe `due_date`). */
export const DueDate = z.iso.date({ error: 'must be a date YYYY-MM-DD' });
/** A wall-clock time, no zone (`due_time`). */
export const DueTime = z
  .string({ error: 'must be a time HH:MM:SS' })
  .regex(/^(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d$/, { error: 'must be a time HH:MM:SS' });

/** Attachments live elsewhere (a CDN); a note only links them, over https. */
export const AssetUrl = z
  .url({ protocol: /^https$/, error: 'must be an https URL' })
  .max(ASSET_URL_MAX, { error: `must be at most ${ASSET_URL_MAX} characters` });

const assetFields = {
  url: AssetUrl,
  filename: FreeText.min(1, { error: 'must be 1–255 characters' }),
  content_type: z
    .string({ error: 'must be a media type such as image/png' })
    .regex(/^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/i, {
      error: 'must be a media type such as image/png',
    }),
  content_size: z.int({ error: 'must be a size in bytes' }).min(0, { error: 'must be a size in bytes' }),
};

/** An asset as a client sends it; its `id` is the server's. */
export const NoteAssetInput = z.strictObject(assetFields).meta({ title: 'NoteAssetInput' });
export type NoteAssetInput = z.output<typeof NoteAssetInput>;

export const NoteAsset = z
  .object({
    id: z
      .string()
      .min(1)
      .max(64)
      .meta({ description: 'Stable per (note, url): re-sending a url keeps its id' }),
    ...assetFields,
  })
  .meta({ title: 'NoteAsset' });
export type NoteAsset = z.output<typeof NoteAsset>;

export const NoteAssets = z
  .array(NoteAsset)
  .max(NOTE_ASSETS_MAX, { error: `must hold at most ${NOTE_ASSETS_MAX} assets` });

/** The fields a note's writer chooses (the rest is the server's). */
export const noteFieldSchemas = {
  title: FreeText.nullable(),
  body: NoteBody,
  note_type: NoteType.nullable(),
  due_date: DueDate.nullable(),
  due_time: DueTime.nullable(),
  pinned: z.boolean({ error: 'must be true or false' }),
  assets: NoteAssets,
};
export const NoteFields = z.object(noteFieldSchemas);
export type NoteFields = z.output<typeof NoteFields>;

/** The Note resource (DESIGN §6): always on one contact, visible exactly where that contact is. */
export const Note = z
  .object({
    id: PositiveId,
    company_id: PositiveId.nullable().meta({
      description:
        'The public company id: set when the contact is company-visible, null on a rep’s own contact',
    }),
    contact_id: PositiveId,
    user_id: PositiveId.nullable().meta({ description: 'The rep who wrote it; null when the company did' }),
    ...noteFieldSchemas,
    due_at: z.string().nullable().meta({
      description:
        'Display form of due_date and due_time ("2025-06-01 09:30:00", or the date alone); null without a date',
    }),
    created_at: IsoDateTime,
    updated_at: IsoDateTime,
    discarded_at: IsoDateTime.nullable().meta({ description: 'Set while the note is deleted (restorable)' }),
  })
  .meta({ title: 'Note', description: 'A note on one contact.' });
export type Note = z.output<typeof Note>;

export const NOTE_READ_ONLY_FIELDS = [
  'id',
  'company_id',
  'user_id',
  'due_at',
  'created_at',
  'updated_at',
  'discarded_at',
] as const;

/** The display `due_at` of the facts file, derived from the date and time. */
export function noteDueAt(dueDate: string | null, dueTime: string | null): string | null {
  if (dueDate === null) return null;
  return dueTime === null ? dueDate : `${dueDate} ${dueTime}`;
}
