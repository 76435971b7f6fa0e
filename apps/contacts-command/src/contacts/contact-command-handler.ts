import { ConflictError, PreconditionFailedError, type AppError } from '@reps/errors';
import type { ContactEvent } from '@reps/contracts';
import { decide, evolveAll, type ContactCommand, type ContactState, type CreateContact } from '@reps/contacts-domain';
import { StreamVersionConflict, type CommitDoc, type EventStore } from '../event-store/mongo-event-store';
import type { OutboxRelay } from '../event-store/outbox-relay';
import { contactStream, envelopeEvents } from './contact-envelope';
import { toAppError } from './domain-error-mapping';

export interface CommandContext {
  correlationId: string;
  /** From `If-Match`: the version the client last saw; `undefined` means "whatever is current". */
  expectedVersion?: number;
}

export interface CommandOutcome {
  state: ContactState;
  version: number;
}

export interface ContactCommandHandler {
  /** Loads the contact, decides, appends; retries a lost race (without If-Match) a few times. */
  execute(command: (now: string) => ContactCommand, context: CommandContext): Promise<CommandOutcome>;
  /** Bulk create: new ids only, so no races; returns per command the outcome or the refusal. */
  createMany(commands: CreateContact[], context: CommandContext): Promise<(CommandOutcome | AppError)[]>;
  /** The contact as stored now (used to replay an interrupted idempotent create). */
  load(contactId: number): Promise<CommandOutcome | undefined>;
}

export interface ContactCommandHandlerDeps {
  store: EventStore<ContactEvent>;
  relay: OutboxRelay<ContactEvent>;
  clock: () => Date;
  /** Test-only fault point between "stored" and "published" (see FAULT_INJECTION). */
  afterStore?: () => void;
  maxAttempts?: number;
}

export function createContactCommandHandler(deps: ContactCommandHandlerDeps): ContactCommandHandler {
  const maxAttempts = deps.maxAttempts ?? 4;

  async function load(contactId: number) {
    const read = await deps.store.readStream(contactStream(contactId));
    return { read, state: evolveAll(read.events) };
  }

  return {
    async execute(makeCommand, context) {
      for (let attempt = 1; attempt <= maxAttempts; attempt++) {
        const now = deps.clock();
        const command = makeCommand(now.toISOString());
        const { read, state } = await load(command.contactId);
        const decision = decide(command, state);
        // Scope first, version second: a 412 must not reveal a contact the caller cannot see.
        if (!decision.ok) throw toAppError(decision.error);
        if (context.expectedVersion !== undefined && context.expectedVersion !== read.version) {
          throw new PreconditionFailedError();
        }
        if (decision.events.length === 0) {
          if (!state) throw new Error('a decision without events needs an existing contact');
          return { state, version: read.version };
        }
        const { envelopes, after } = envelopeEvents(decision.events, state, {
          actor: command.actor,
          correlationId: context.correlationId,
          causationId: null,
          now: now.toISOString(),
        });
        let commit: CommitDoc<ContactEvent>;
        try {
          commit = await deps.store.append(
            { stream: contactStream(command.contactId), expectedVersion: read.version, previous: read.lastCommitId, events: envelopes },
            now,
          );
        } catch (error) {
          if (!(error instanceof StreamVersionConflict)) throw error;
          if (context.expectedVersion !== undefined) throw new PreconditionFailedError();
          continue; // someone else wrote first: decide again on the fresh state
        }
        deps.afterStore?.();
        await deps.relay.publishInline([commit], read.lastCommitId);
        return { state: after as ContactState, version: commit.last_version };
      }
      throw new ConflictError('The contact kept changing concurrently; retry the request', 'concurrent_modification');
    },

    async createMany(commands, context) {
      const now = deps.clock();
      const outcomes: (CommandOutcome | AppError)[] = [];
      const pending: { index: number; state: ContactState; events: ContactEvent[] }[] = [];
      for (const [index, command] of commands.entries()) {
        const decision = decide({ ...command, now: now.toISOString() }, null);
        if (!decision.ok) {
          outcomes[index] = toAppError(decision.error);
          continue;
        }
        const { envelopes, after } = envelopeEvents(decision.events, null, {
          actor: command.actor,
          correlationId: context.correlationId,
          causationId: null,
          now: now.toISOString(),
        });
        pending.push({ index, state: after as ContactState, events: envelopes });
      }
      const results = await deps.store.appendMany(
        pending.map((p) => ({ stream: contactStream(p.state.id), expectedVersion: 0, previous: null, events: p.events })),
        now,
      );
      const stored: CommitDoc<ContactEvent>[] = [];
      results.forEach((result, i) => {
        const p = pending[i]!;
        if (result instanceof StreamVersionConflict) {
          outcomes[p.index] = new ConflictError('A contact with this id already exists', 'already_exists');
        } else {
          stored.push(result);
          outcomes[p.index] = { state: p.state, version: result.last_version };
        }
      });
      deps.afterStore?.();
      await deps.relay.publishInline(stored, null);
      return outcomes;
    },

    async load(contactId) {
      const { read, state } = await load(contactId);
      return state ? { state, version: read.version } : undefined;
    },
  };
}
