import { ConflictError, type AppError } from '@reps/errors';
import type { ContactEvent, ContactEventData } from '@reps/contracts';
import {
  decide,
  evolveAll,
  type Actor,
  type ContactCommand,
  type DomainError,
  type ContactState,
  type CreateContact,
} from '@reps/contacts-domain';
import type { CommitBatcher } from '../event-store/commit-batcher';
import { StreamVersionConflict, type EventStore } from '../event-store/mongo-event-store';
import { createStreamExecutor } from '../event-store/stream-executor';
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
  /** The contacts' group-commit batcher (its `afterStore` is the FAULT_INJECTION point). */
  commits: CommitBatcher<ContactEvent>;
  clock: () => Date;
  maxAttempts?: number;
  /** Stream heads remembered (see `StreamExecutorDeps.headCacheSize`). */
  headCacheSize?: number;
}

/** Contacts on the shared stream executor, plus bulk create (new ids only: one flush, no reads). */
export function createContactCommandHandler(deps: ContactCommandHandlerDeps): ContactCommandHandler {
  const executor = createStreamExecutor<ContactCommand, ContactEventData, ContactEvent, ContactState, DomainError, Actor>(
    deps,
    {
      name: 'contact',
      streamOf: (command) => contactStream(command.contactId),
      creates: (command) => command.type === 'CreateContact',
      decide,
      fold: evolveAll,
      envelope: (events, before, context) => envelopeEvents(events, before, { ...context, causationId: null }),
      toAppError,
    },
  );

  return {
    async execute(makeCommand, context) {
      const { state, version } = await executor.execute(makeCommand, context);
      return { state, version };
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
      const results = await deps.commits.commitMany(
        pending.map((p) => ({
          stream: contactStream(p.state.id),
          expectedVersion: 0,
          previous: null,
          previousOutboxKey: null,
          events: p.events,
        })),
      );
      results.forEach((result, i) => {
        const p = pending[i]!;
        outcomes[p.index] =
          result instanceof StreamVersionConflict
            ? new ConflictError('A contact with this id already exists', 'already_exists')
            : { state: p.state, version: result.last_version };
      });
      return outcomes;
    },

    async load(contactId) {
      const { read, state } = await executor.load(contactStream(contactId));
      return state ? { state, version: read.version } : undefined;
    },
  };
}
