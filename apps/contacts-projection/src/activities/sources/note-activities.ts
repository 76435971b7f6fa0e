import { NoteEvent } from '@reps/contracts';
import { activitySource } from '../activity-source';

const TITLE_MAX = 80;
const clip = (text: string) => (text.length > TITLE_MAX ? `${text.slice(0, TITLE_MAX - 1)}…` : text);

/**
 * `crm.notes.v1` on the timeline: a note added to the contact. A company sees the entry exactly
 * when it sees the note (the contact is company-visible); a rep's note on their own contact stays
 * off the company's timeline. Edits and deletions make no entry.
 */
export const noteActivities = activitySource('notes', NoteEvent, {
  'note.created': (event) => ({
    contact_id: event.data.contact_id,
    summary: event.data.title ? `Note added: ${clip(event.data.title)}` : 'Note added',
    data: { note_id: event.aggregate_id, pinned: event.data.pinned, note_type: event.data.note_type },
  }),
});
