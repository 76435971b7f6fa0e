import { z } from 'zod';
import { parseQuery } from '../validation/parse-query';
import { listQueryFields, positiveIdText } from '../validation/list-query-fields';
import { NoteType } from './note-resource';

export const NOTE_LIST_DISCARDED_MODES = ['exclude', 'include', 'only'] as const;

/**
 * The note list: pinned notes first, then newest first (the card's order, so the card's cursor
 * continues here). Strict: an unknown parameter is a 400.
 */
export const NoteListQuery = z
  .strictObject({
    ...listQueryFields,
    contact_id: positiveIdText.optional().meta({ description: 'Only the notes on this contact' }),
    pinned: z
      .enum(['true', 'false'], { error: 'must be true or false' })
      .transform((v) => v === 'true')
      .pipe(z.boolean())
      .optional(),
    note_type: NoteType.optional(),
    q: z
      .string()
      .trim()
      .min(1, { error: 'must not be blank' })
      .max(100, { error: 'must be at most 100 characters' })
      .optional()
      .meta({ description: 'Case-insensitive search in title and body (1–100 characters)' }),
    discarded: z
      .enum(NOTE_LIST_DISCARDED_MODES, { error: `must be one of ${NOTE_LIST_DISCARDED_MODES.join(', ')}` })
      .default('exclude')
      .meta({ description: 'Deleted notes: `exclude` (default), `include` or `only`' }),
  })
  .meta({ title: 'NoteListQuery' });
export type NoteListQuery = z.output<typeof NoteListQuery>;

export function parseNoteListQuery(raw: unknown): NoteListQuery {
  return parseQuery(NoteListQuery, raw);
}
