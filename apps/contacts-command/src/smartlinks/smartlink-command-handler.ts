import { deriveSmartlinkToken } from '@reps/auth';
import type {
  ContactEvent,
  SmartlinkActivityBody,
  SmartlinkCreateBody,
  SmartlinkEvent,
} from '@reps/contracts';
import {
  decideSmartlink,
  evolveAll,
  evolveSmartlinkAll,
  isSmartlinkVisibleTo,
  isVisibleTo,
  type Actor,
  type SmartlinkCommand,
  type SmartlinkContact,
  type SmartlinkDomainError,
  type SmartlinkEventData,
  type SmartlinkState,
  type TargetPolicy,
  type UserActor,
} from '@reps/contacts-domain';
import { ConflictError, NotFoundError, ValidationError, type AppError } from '@reps/errors';
import type { EventStore } from '../event-store/mongo-event-store';
import type { CommitBatcher } from '../event-store/commit-batcher';
import { createStreamExecutor, type ExecuteContext } from '../event-store/stream-executor';
import { contactStream } from '../contacts/contact-envelope';
import { envelopeSmartlinkEvents, smartlinkStream, type SmartlinkOwner } from './smartlink-envelope';
import type { SmartlinkHeads, SmartlinkSettingsStore, TokenIndex } from './smartlink-stores';

/** Rounds of the executor's own retries a public write gets, with a random pause between (a burst on one link). */
const PUBLIC_ROUNDS = 3;

async function withContentionRetry<T>(write: () => Promise<T>): Promise<T> {
  for (let round = 1; ; round++) {
    try {
      return await write();
    } catch (error) {
      if (
        !(error instanceof ConflictError) ||
        error.code !== 'concurrent_modification' ||
        round >= PUBLIC_ROUNDS
      )
        throw error;
      // Spread the racers out: without a pause they collide again in the same order.
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * round));
    }
  }
}

/** How far ahead of our clock a beacon's `occurred_at` may be (the site's clock may run a little fast). */
const FUTURE_SLACK_MS = 5 * 60 * 1000;

export interface SmartlinkOutcome {
  state: SmartlinkState;
  version: number;
  token: string;
}

export interface SmartlinkCommandHandler {
  create(
    smartlinkId: number,
    actor: UserActor,
    body: SmartlinkCreateBody,
    context: ExecuteContext,
  ): Promise<SmartlinkOutcome>;
  revoke(smartlinkId: number, actor: UserActor, context: ExecuteContext): Promise<{ version: number }>;
  /** The link as stored now, if it is the actor's (replays an interrupted create). */
  load(smartlinkId: number, actor: UserActor): Promise<SmartlinkOutcome | undefined>;
  /**
   * A public open: the target to redirect to, or a NotFoundError (unknown, revoked, or a target the
   * company no longer allows — one answer for all). `count` false (HEAD, prefetch, preview bots)
   * answers the same without recording.
   */
  open(
    token: string,
    request: { userAgent: string | null; count: boolean; correlationId: string },
  ): Promise<string>;
  /** The company site's beacon: records the activity, or a NotFoundError like `open`. */
  recordActivity(
    token: string,
    body: SmartlinkActivityBody,
    context: { correlationId: string },
  ): Promise<void>;
}

export interface SmartlinkCommandHandlerDeps {
  store: EventStore<SmartlinkEvent>;
  commits: CommitBatcher<SmartlinkEvent>;
  contacts: EventStore<ContactEvent>;
  heads: SmartlinkHeads;
  tokens: TokenIndex;
  settings: SmartlinkSettingsStore;
  tokenKey: string;
  /** Plain http targets (outside production only). */
  allowHttp: boolean;
  clock: () => Date;
  /** Lost races retried before a 409: opens of one link serialise on its stream. */
  maxAttempts?: number;
  /** Told when an open could not be recorded (the redirect still happens). */
  onOpenNotRecorded?: (error: unknown) => void;
}

export function toSmartlinkAppError(error: SmartlinkDomainError): AppError {
  switch (error.code) {
    case 'not_found':
      return new NotFoundError(error.message);
    case 'already_exists':
      return new ConflictError(error.message, 'already_exists');
    case 'invalid_target':
    case 'invalid_contact':
      return new ValidationError([{ field: error.field, message: error.message }]);
    default: {
      const unreachable: never = error;
      throw new Error(`unmapped SmartLink domain error ${JSON.stringify(unreachable)}`);
    }
  }
}

/**
 * SmartLink commands: the decider on the link's stream (read from its head, see
 * `createSmartlinkHeads`), plus what one stream cannot know — the contact's ownership (from its own
 * stream), the company's allowed hosts and the token lookup.
 */
export function createSmartlinkCommandHandler(deps: SmartlinkCommandHandlerDeps): SmartlinkCommandHandler {
  const executorFor = (owner?: SmartlinkOwner) =>
    createStreamExecutor<
      SmartlinkCommand & { actor: Actor },
      SmartlinkEventData,
      SmartlinkEvent,
      SmartlinkState,
      SmartlinkDomainError,
      Actor
    >(
      { store: deps.store, commits: deps.commits, clock: deps.clock, maxAttempts: deps.maxAttempts ?? 8 },
      {
        name: 'SmartLink',
        streamOf: (command) => smartlinkStream(command.smartlinkId),
        creates: (command) => command.type === 'CreateSmartlink',
        decide: decideSmartlink,
        fold: (events, from) => evolveSmartlinkAll(events, from),
        envelope: (events, before, context) =>
          envelopeSmartlinkEvents(events, before, owner ? { ...context, owner } : context),
        toAppError: toSmartlinkAppError,
        load: (stream) => deps.heads.load(Number(stream.slice('smartlink-'.length))),
        appended: (_stream, state, commit) => deps.heads.save(state, commit._id),
      },
    );
  const executor = executorFor();

  const policyFor = async (companyId: number): Promise<TargetPolicy> => ({
    allowedHosts: (await deps.settings.get(companyId)).allowed_hosts,
    allowHttp: deps.allowHttp,
  });

  async function contactOf(actor: UserActor, contactId: number): Promise<SmartlinkContact> {
    const state = evolveAll((await deps.contacts.readStream(contactStream(contactId))).events);
    if (!state || !isVisibleTo(state, actor)) return { eligibility: 'not_found' };
    if (state.discarded_at !== null) return { eligibility: 'discarded' };
    return { eligibility: 'eligible', companyVisible: state.company_visible };
  }

  const tokenOf = (state: SmartlinkState) =>
    deriveSmartlinkToken(deps.tokenKey, state.tenant_company_id, state.id);

  /** The public paths: the same lookups whether the token is known or not, so timing tells nothing. */
  async function resolvePublic(token: string) {
    const link = await deps.tokens.resolve(token);
    const policy = await policyFor(link?.tenantCompanyId ?? 0);
    return { link, policy };
  }

  const publicActor = (state: SmartlinkState | null, tenant: number): Actor => ({
    scope: 'company',
    companyId: state?.tenant_company_id ?? tenant,
  });

  return {
    async create(smartlinkId, actor, body, context) {
      const [contact, policy] = await Promise.all([
        contactOf(actor, body.contact_id),
        policyFor(actor.companyId),
      ]);
      const owner: SmartlinkOwner = {
        tenantCompanyId: actor.companyId,
        userId: actor.userId,
        companyVisible: contact.eligibility === 'eligible' && contact.companyVisible,
      };
      const outcome = await executorFor(owner).execute(
        (now) => ({ type: 'CreateSmartlink', smartlinkId, actor, now, body, contact, policy }),
        context,
      );
      const token = tokenOf(outcome.state);
      await deps.tokens.register(token, smartlinkId, actor.companyId);
      return { state: outcome.state, version: outcome.version, token };
    },

    async revoke(smartlinkId, actor, context) {
      const outcome = await executor.execute(
        (now) => ({ type: 'RevokeSmartlink', smartlinkId, actor, now }),
        context,
      );
      return { version: outcome.version };
    },

    async load(smartlinkId, actor) {
      const { read, state } = await executor.load(smartlinkStream(smartlinkId));
      if (!state || !isSmartlinkVisibleTo(state, actor)) return undefined;
      const token = tokenOf(state);
      await deps.tokens.register(token, smartlinkId, actor.companyId);
      return { state, version: read.version, token };
    },

    async open(token, request) {
      const { link, policy } = await resolvePublic(token);
      const smartlinkId = link?.smartlinkId ?? 0;
      if (!request.count || !link) {
        // Same reads as a counted open (head + the commits after it), then the same rule.
        const { state } = await deps.heads.load(smartlinkId);
        const decision = decideSmartlink(
          { type: 'OpenSmartlink', smartlinkId, now: deps.clock().toISOString(), userAgent: null, policy },
          link ? state : null,
        );
        if (!decision.ok || !state) throw new NotFoundError('SmartLink not found');
        return state.url;
      }
      try {
        const outcome = await withContentionRetry(() =>
          executor.execute(
            (now) => ({
              type: 'OpenSmartlink',
              smartlinkId,
              now,
              userAgent: request.userAgent,
              policy,
              actor: publicActor(null, link.tenantCompanyId),
            }),
            { correlationId: request.correlationId },
          ),
        );
        return outcome.state.url;
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        // Lost every race for the link's stream (a burst of opens of one link): the visitor still
        // gets where they were going; the open is counted as not recorded.
        deps.onOpenNotRecorded?.(error);
        const { state } = await deps.heads.load(smartlinkId);
        if (!state) throw error;
        return state.url;
      }
    },

    async recordActivity(token, body, context) {
      const { link } = await resolvePublic(token);
      if (!link) {
        await deps.heads.load(0);
        throw new NotFoundError('SmartLink not found');
      }
      const received = deps.clock();
      if (
        body.occurred_at !== undefined &&
        Date.parse(body.occurred_at) > received.getTime() + FUTURE_SLACK_MS
      ) {
        throw new ValidationError([
          { field: 'occurred_at', message: 'must not be more than 5 minutes in the future' },
        ]);
      }
      await withContentionRetry(() =>
        executor.execute(
          (now) => ({
            type: 'RecordSmartlinkActivity',
            smartlinkId: link.smartlinkId,
            now,
            actor: publicActor(null, link.tenantCompanyId),
            activity: {
              type: body.type,
              occurredAt: body.occurred_at ?? received.toISOString(),
              item: body.item ?? null,
              properties: body.properties ?? {},
            },
          }),
          context,
        ),
      );
    },
  };
}
