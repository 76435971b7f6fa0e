import { noteDueAt, type Note, type NoteEventData, type NoteFields } from '@reps/contracts';
import { foldEvents } from '../decider/decision';

/**
 * A note as the command side knows it, rebuilt from its events; `null` is a note that never
 * existed. Who may see it is not stored here: it follows the note's contact (its scope, owner and
 * visibility now), which the caller reads from the contact's own stream.
 */
export interface NoteState extends NoteFields {
  id: number;
  tenant_company_id: number;
  company_id: number | null;
  contact_id: number;
  /** The author rep; null when the company wrote it. */
  user_id: number | null;
  created_by: 'user' | 'company';
  created_at: string;
  updated_at: string;
  discarded_at: string | null;
  version: number;
}

/** Applies one note event; each bumps `version`. */
export function evolveNote(state: NoteState | null, event: NoteEventData): NoteState {
  const version = (state?.version ?? 0) + 1;
  switch (event.type) {
    case 'note.created':
      return { ...event.data, updated_at: event.data.created_at, discarded_at: null, version };
    case 'note.updated':
      return { ...existing(state, event), ...event.data.changes, updated_at: event.data.updated_at, version };
    case 'note.discarded':
      return {
        ...existing(state, event),
        discarded_at: event.data.discarded_at,
        updated_at: event.data.discarded_at,
        version,
      };
    case 'note.restored':
      return { ...existing(state, event), discarded_at: null, updated_at: event.data.restored_at, version };
    default: {
      const _exhaustive: never = event;
      throw new Error(`Unknown note event: ${JSON.stringify(_exhaustive)}`);
    }
  }
}

function existing(state: NoteState | null, event: NoteEventData): NoteState {
  if (state === null) throw new Error(`Cannot apply ${event.type} to a note that does not exist`);
  return state;
}

export function evolveNoteAll(
  events: readonly NoteEventData[],
  state: NoteState | null = null,
): NoteState | null {
  return foldEvents(evolveNote, events, state);
}

export function toNoteResource(state: NoteState): Note {
  return {
    id: state.id,
    company_id: state.company_id,
    contact_id: state.contact_id,
    user_id: state.user_id,
    title: state.title,
    body: state.body,
    note_type: state.note_type,
    due_date: state.due_date,
    due_time: state.due_time,
    pinned: state.pinned,
    assets: state.assets,
    due_at: noteDueAt(state.due_date, state.due_time),
    created_at: state.created_at,
    updated_at: state.updated_at,
    discarded_at: state.discarded_at,
  };
}
