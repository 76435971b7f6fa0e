import type { NoteAsset, NoteEventData, NoteFields } from '@reps/contracts';
import { isVisibleTo, type Actor } from '../contact/actor';
import type { ContactState } from '../contact/contact-state';
import { accept, refuse, type Decision } from '../decider/decision';
import { fieldChanges } from '../decider/field-changes';
import type { NoteState } from './note-state';

interface NoteCommandBase {
  noteId: number;
  actor: Actor;
  /** ISO-8601 instant supplied by the caller: the domain never reads a clock. */
  now: string;
  /**
   * The note's contact as its own stream says now (null: it does not exist). The caller reads it;
   * the domain decides with it, since a note is visible exactly where its contact is.
   */
  contact: ContactState | null;
}

/** Note fields as the command carries them: assets already have their ids. */
export type NoteInput = Omit<NoteFields, 'assets'> & { assets: NoteAsset[] };

export interface CreateNote extends NoteCommandBase {
  type: 'CreateNote';
  body: NoteInput;
}
export interface UpdateNote extends NoteCommandBase {
  type: 'UpdateNote';
  body: Partial<NoteInput>;
}
export interface DiscardNote extends NoteCommandBase {
  type: 'DiscardNote';
}
export interface RestoreNote extends NoteCommandBase {
  type: 'RestoreNote';
}
export type NoteCommand = CreateNote | UpdateNote | DiscardNote | RestoreNote;

/**
 * Why a note command was refused. Suggested HTTP mapping: not_found 404, contact_not_found 404,
 * already_exists 409, contact_discarded 409, note_discarded 409, invalid_due 422.
 */
export type NoteDomainError =
  | { code: 'not_found'; message: string }
  | { code: 'contact_not_found'; field: 'contact_id'; message: string }
  | { code: 'already_exists'; message: string }
  | { code: 'contact_discarded'; message: string }
  | { code: 'note_discarded'; message: string }
  | { code: 'invalid_due'; field: 'due_time'; message: string };

export const noteErrors = {
  notFound: (): NoteDomainError => ({ code: 'not_found', message: 'Note not found' }),
  contactNotFound: (): NoteDomainError => ({
    code: 'contact_not_found',
    field: 'contact_id',
    message: 'Contact not found',
  }),
  alreadyExists: (): NoteDomainError => ({
    code: 'already_exists',
    message: 'A note with this id already exists',
  }),
  contactDiscarded: (): NoteDomainError => ({
    code: 'contact_discarded',
    message: 'The contact is discarded; restore it before changing its notes',
  }),
  noteDiscarded: (): NoteDomainError => ({
    code: 'note_discarded',
    message: 'The note is deleted; restore it before changing it',
  }),
  invalidDue: (): NoteDomainError => ({
    code: 'invalid_due',
    field: 'due_time',
    message: 'due_time needs a due_date',
  }),
};

export type NoteDecision = Decision<NoteEventData, NoteDomainError>;

/** A note is visible exactly where its contact is: the contact's rep, or the company for a company-visible contact. */
export function isNoteVisibleTo(note: NoteState, contact: ContactState | null, actor: Actor): boolean {
  return (
    contact !== null &&
    contact.id === note.contact_id &&
    note.tenant_company_id === actor.companyId &&
    isVisibleTo(contact, actor)
  );
}

export function decideNote(command: NoteCommand, state: NoteState | null): NoteDecision {
  switch (command.type) {
    case 'CreateNote':
      return create(command, state);
    case 'UpdateNote':
      return update(command, state);
    case 'DiscardNote':
      return discard(command, state);
    case 'RestoreNote':
      return restore(command, state);
    default: {
      const _exhaustive: never = command;
      throw new Error(`Unknown note command: ${JSON.stringify(_exhaustive)}`);
    }
  }
}

function create(command: CreateNote, state: NoteState | null): NoteDecision {
  if (state !== null) return refuse(noteErrors.alreadyExists());
  const { contact, actor } = command;
  if (contact === null || !isVisibleTo(contact, actor)) return refuse(noteErrors.contactNotFound());
  if (contact.discarded_at !== null) return refuse(noteErrors.contactDiscarded());
  return accept([
    {
      type: 'note.created',
      data: {
        id: command.noteId,
        tenant_company_id: contact.tenant_company_id,
        company_id: contact.company_id,
        contact_id: contact.id,
        user_id: actor.scope === 'user' ? actor.userId : null,
        created_by: actor.scope,
        ...command.body,
        created_at: command.now,
      },
    },
  ]);
}

/** The shared guard of every change to an existing note: it exists, is visible, its contact is live. */
function writable(command: NoteCommand, state: NoteState | null): NoteDomainError | NoteState {
  if (state === null || !isNoteVisibleTo(state, command.contact, command.actor)) return noteErrors.notFound();
  if (command.contact?.discarded_at !== null) return noteErrors.contactDiscarded();
  return state;
}

const isError = (value: NoteDomainError | NoteState): value is NoteDomainError => 'code' in value;

function update(command: UpdateNote, state: NoteState | null): NoteDecision {
  const current = writable(command, state);
  if (isError(current)) return refuse(current);
  if (current.discarded_at !== null) return refuse(noteErrors.noteDiscarded());
  const dueDate = command.body.due_date !== undefined ? command.body.due_date : current.due_date;
  const dueTime = command.body.due_time !== undefined ? command.body.due_time : current.due_time;
  if (dueTime !== null && dueDate === null) return refuse(noteErrors.invalidDue());
  const { changes, previous, changed } = fieldChanges<NoteFields>(current, command.body);
  if (!changed) return accept([]);
  return accept([{ type: 'note.updated', data: { changes, previous, updated_at: command.now } }]);
}

function discard(command: DiscardNote, state: NoteState | null): NoteDecision {
  const current = writable(command, state);
  if (isError(current)) return refuse(current);
  if (current.discarded_at !== null) return accept([]);
  return accept([{ type: 'note.discarded', data: { discarded_at: command.now } }]);
}

function restore(command: RestoreNote, state: NoteState | null): NoteDecision {
  const current = writable(command, state);
  if (isError(current)) return refuse(current);
  if (current.discarded_at === null) return accept([]);
  return accept([{ type: 'note.restored', data: { restored_at: command.now } }]);
}
