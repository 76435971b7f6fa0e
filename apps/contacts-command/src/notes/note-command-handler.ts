import { createHash } from 'node:crypto';
import type {
  NoteAssetInput,
  NoteCreateBody,
  NoteEvent,
  NoteEventData,
  NoteUpdateBody,
} from '@reps/contracts';
import {
  decideNote,
  evolveNote,
  evolveNoteAll,
  isNoteVisibleTo,
  type Actor,
  type ContactState,
  type NoteCommand,
  type NoteDomainError,
  type NoteInput,
  type NoteState,
} from '@reps/contacts-domain';
import { ConflictError, NotFoundError, ValidationError, type AppError } from '@reps/errors';
import { envelopeWith } from '../event-store/aggregate-envelope';
import type { EventStore } from '../event-store/mongo-event-store';
import type { CommitBatcher } from '../event-store/commit-batcher';
import { createStreamExecutor, type ExecuteContext } from '../event-store/stream-executor';
import type { ContactStateReader } from './contact-states';

export const noteStream = (noteId: number): string => `note-${noteId}`;

export interface NoteOutcome {
  state: NoteState;
  version: number;
}

export interface NoteCommandHandler {
  create(noteId: number, actor: Actor, body: NoteCreateBody, context: ExecuteContext): Promise<NoteOutcome>;
  update(noteId: number, actor: Actor, body: NoteUpdateBody, context: ExecuteContext): Promise<NoteOutcome>;
  discard(noteId: number, actor: Actor, context: ExecuteContext): Promise<NoteOutcome>;
  restore(noteId: number, actor: Actor, context: ExecuteContext): Promise<NoteOutcome>;
  /** The note as stored now, if the actor may see it (to replay an interrupted create). */
  load(noteId: number, actor: Actor): Promise<NoteOutcome | undefined>;
}

export interface NoteCommandHandlerDeps {
  store: EventStore<NoteEvent>;
  commits: CommitBatcher<NoteEvent>;
  clock: () => Date;
  contacts: ContactStateReader;
}

export function toNoteAppError(error: NoteDomainError): AppError {
  switch (error.code) {
    case 'not_found':
    case 'contact_not_found':
      return new NotFoundError(error.message);
    case 'already_exists':
    case 'contact_discarded':
    case 'note_discarded':
      return new ConflictError(error.message, error.code);
    case 'invalid_due':
      return new ValidationError([{ field: error.field, message: error.message }]);
    default: {
      const unreachable: never = error;
      throw new Error(`unmapped note domain error ${JSON.stringify(unreachable)}`);
    }
  }
}

/** An asset's id: stable per (note, url), so re-sending the list keeps the ids clients hold. */
export function assetId(noteId: number, url: string): string {
  return createHash('sha256').update(`${noteId}\n${url}`).digest('base64url').slice(0, 22);
}

const withAssetIds = (noteId: number, assets: NoteAssetInput[]) =>
  assets.map((asset) => ({ id: assetId(noteId, asset.url), ...asset }));

/**
 * Note commands: the decider on the note stream, with the note's contact read from its own stream
 * first (a note is visible, and writable, exactly where its contact is).
 */
export function createNoteCommandHandler(deps: NoteCommandHandlerDeps): NoteCommandHandler {
  /** An executor whose envelopes carry the owner and visibility of `contact`, as read for this command. */
  const executorFor = (contact: ContactState | null) =>
    createStreamExecutor<NoteCommand, NoteEventData, NoteEvent, NoteState, NoteDomainError, Actor>(deps, {
      name: 'note',
      streamOf: (command) => noteStream(command.noteId),
      creates: (command) => command.type === 'CreateNote',
      decide: decideNote,
      fold: evolveNoteAll,
      envelope: envelopeWith<NoteEventData, NoteState, NoteEvent>(evolveNote, (state) => ({
        aggregateId: state.id,
        version: state.version,
        tenantCompanyId: state.tenant_company_id,
        // A decided event always has its contact (the decider refuses without one).
        userId: contact?.user_id ?? state.user_id ?? 0,
        companyVisible: contact?.company_visible ?? state.company_id !== null,
      })),
      toAppError: toNoteAppError,
    });
  const executor = executorFor(null);

  async function run(
    make: (now: string, contact: ContactState | null) => NoteCommand,
    contactId: number,
    context: ExecuteContext,
  ) {
    const contact = await deps.contacts(contactId);
    return executorFor(contact).execute((now) => make(now, contact), context);
  }

  /** The existing note's contact id, or a 404 when there is no note. */
  async function contactIdOf(noteId: number): Promise<number> {
    const { state } = await executor.load(noteStream(noteId));
    if (!state) throw new NotFoundError('Note not found');
    return state.contact_id;
  }

  const outcome = (o: { state: NoteState; version: number }): NoteOutcome => ({
    state: o.state,
    version: o.version,
  });

  return {
    async create(noteId, actor, body, context) {
      const { contact_id, assets, ...fields } = body;
      const input: NoteInput = { ...fields, assets: withAssetIds(noteId, assets) };
      return outcome(
        await run(
          (now, contact) => ({ type: 'CreateNote', noteId, actor, now, contact, body: input }),
          contact_id,
          context,
        ),
      );
    },
    async update(noteId, actor, body, context) {
      const { assets, ...fields } = body;
      const input: Partial<NoteInput> = {
        ...fields,
        ...(assets ? { assets: withAssetIds(noteId, assets) } : {}),
      };
      return outcome(
        await run(
          (now, contact) => ({ type: 'UpdateNote', noteId, actor, now, contact, body: input }),
          await contactIdOf(noteId),
          context,
        ),
      );
    },
    async discard(noteId, actor, context) {
      return outcome(
        await run(
          (now, contact) => ({ type: 'DiscardNote', noteId, actor, now, contact }),
          await contactIdOf(noteId),
          context,
        ),
      );
    },
    async restore(noteId, actor, context) {
      return outcome(
        await run(
          (now, contact) => ({ type: 'RestoreNote', noteId, actor, now, contact }),
          await contactIdOf(noteId),
          context,
        ),
      );
    },
    async load(noteId, actor) {
      const { read, state } = await executor.load(noteStream(noteId));
      if (!state || !isNoteVisibleTo(state, await deps.contacts(state.contact_id), actor)) return undefined;
      return { state, version: read.version };
    },
  };
}
