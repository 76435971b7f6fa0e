import {
  groupNameKey,
  type GroupCreateBody,
  type GroupEvent,
  type GroupEventData,
  type GroupMembershipResult,
  type GroupUpdateBody,
} from '@reps/contracts';
import {
  decideGroup,
  evolveGroupAll,
  membershipResults,
  type AddContactsToGroup,
  type Actor,
  isGroupVisibleTo,
  type GroupCommand,
  type GroupDomainError,
  type GroupState,
  type UserActor,
} from '@reps/contacts-domain';
import { ConflictError, NotFoundError, type AppError } from '@reps/errors';
import type { EventStore } from '../event-store/mongo-event-store';
import type { CommitBatcher } from '../event-store/commit-batcher';
import {
  createStreamExecutor,
  type ExecuteContext,
  type ExecuteOutcome,
} from '../event-store/stream-executor';
import type { ContactLookup } from './contact-lookup';
import { envelopeGroupEvents, groupStream } from './group-envelope';
import type { ClaimHolder, GroupNameClaims } from './group-name-claims';

export interface GroupOutcome {
  state: GroupState;
  version: number;
  /** Members that are live contacts of the rep (the resource's `contacts_count`). */
  contactsCount: number;
}

export interface MembershipOutcome {
  results: GroupMembershipResult[];
  version: number;
}

export interface GroupCommandHandler {
  create(
    groupId: number,
    actor: UserActor,
    body: GroupCreateBody,
    context: ExecuteContext,
  ): Promise<GroupOutcome>;
  update(
    groupId: number,
    actor: UserActor,
    body: GroupUpdateBody,
    context: ExecuteContext,
  ): Promise<GroupOutcome>;
  remove(groupId: number, actor: UserActor, context: ExecuteContext): Promise<{ version: number }>;
  addContacts(
    groupId: number,
    actor: UserActor,
    contactIds: number[],
    context: ExecuteContext,
  ): Promise<MembershipOutcome>;
  removeContact(
    groupId: number,
    actor: UserActor,
    contactId: number,
    context: ExecuteContext,
  ): Promise<{ version: number }>;
  /** The group as stored now, if it exists and is the actor's (used to replay an interrupted create). */
  load(groupId: number, actor: UserActor): Promise<GroupOutcome | undefined>;
}

export interface GroupCommandHandlerDeps {
  store: EventStore<GroupEvent>;
  commits: CommitBatcher<GroupEvent>;
  clock: () => Date;
  names: GroupNameClaims;
  contacts: ContactLookup;
}

/** The one place group refusals become HTTP errors. */
export function toGroupAppError(error: GroupDomainError): AppError {
  switch (error.code) {
    case 'not_found':
      return new NotFoundError(error.message);
    case 'already_exists':
      return new ConflictError(error.message, 'already_exists');
    default: {
      const unreachable: never = error;
      throw new Error(`unmapped group domain error ${JSON.stringify(unreachable)}`);
    }
  }
}

/** Whether a group still holds a name, from its stream ('unknown': the group was never written). */
export function groupClaimHolder(store: EventStore<GroupEvent>): ClaimHolder {
  return async (groupId, key) => {
    const state = evolveGroupAll((await store.readStream(groupStream(groupId))).events);
    if (!state) return 'unknown';
    return state.deleted_at === null && groupNameKey(state.name) === key ? 'holds' : 'released';
  };
}

const ownerOf = (actor: UserActor) => ({ companyId: actor.companyId, userId: actor.userId });

/**
 * Group commands: the decider on the group stream, plus what one stream cannot decide alone —
 * the per-rep name index (claimed before the event, released after a rename or delete) and the
 * contacts' ownership (read from their own streams).
 */
export function createGroupCommandHandler(deps: GroupCommandHandlerDeps): GroupCommandHandler {
  const executor = createStreamExecutor<
    GroupCommand,
    GroupEventData,
    GroupEvent,
    GroupState,
    GroupDomainError,
    Actor
  >(deps, {
    name: 'group',
    streamOf: (command: GroupCommand) => groupStream(command.groupId),
    creates: (command: GroupCommand) => command.type === 'CreateGroup',
    decide: decideGroup,
    fold: evolveGroupAll,
    envelope: envelopeGroupEvents,
    toAppError: toGroupAppError,
  });

  const execute = (make: (now: string) => GroupCommand, context: ExecuteContext) =>
    executor.execute(make, context);

  async function contactsCount(state: GroupState, actor: UserActor): Promise<number> {
    if (state.members.size === 0) return 0;
    const eligibility = await deps.contacts(actor, [...state.members]);
    return [...eligibility.values()].filter((e) => e === 'eligible').length;
  }

  async function withCount(outcome: ExecuteOutcome<GroupState>, actor: UserActor): Promise<GroupOutcome> {
    return {
      state: outcome.state,
      version: outcome.version,
      contactsCount: await contactsCount(outcome.state, actor),
    };
  }

  return {
    async create(groupId, actor, body, context) {
      await deps.names.claim(ownerOf(actor), body.name, groupId, deps.clock());
      try {
        return withCount(
          await execute((now) => ({ type: 'CreateGroup', groupId, actor, now, body }), context),
          actor,
        );
      } catch (error) {
        // An already_exists here is a retried create whose group was stored: its claim stays.
        if (!(error instanceof ConflictError))
          await deps.names.release(ownerOf(actor), body.name, groupId).catch(() => undefined);
        throw error;
      }
    },

    async update(groupId, actor, body, context) {
      const { state: current } = await executor.load(groupStream(groupId));
      // Only a visible group gets a new name claimed: the decider answers 404 for the others.
      const claim =
        body.name !== undefined &&
        current !== null &&
        isGroupVisibleTo(current, actor) &&
        groupNameKey(body.name) !== groupNameKey(current.name)
          ? body.name
          : undefined;
      if (claim !== undefined) await deps.names.claim(ownerOf(actor), claim, groupId, deps.clock());
      let outcome: ExecuteOutcome<GroupState>;
      try {
        outcome = await execute((now) => ({ type: 'UpdateGroup', groupId, actor, now, body }), context);
      } catch (error) {
        if (claim !== undefined)
          await deps.names.release(ownerOf(actor), claim, groupId).catch(() => undefined);
        throw error;
      }
      const before = outcome.before;
      if (before && groupNameKey(before.name) !== groupNameKey(outcome.state.name)) {
        await deps.names.release(ownerOf(actor), before.name, groupId);
      }
      return withCount(outcome, actor);
    },

    async remove(groupId, actor, context) {
      const outcome = await execute((now) => ({ type: 'DeleteGroup', groupId, actor, now }), context);
      await deps.names.release(ownerOf(actor), outcome.state.name, groupId);
      return { version: outcome.version };
    },

    async addContacts(groupId, actor, contactIds, context) {
      // Scope first: an invisible group is a 404 before any contact is looked at.
      const { state: current } = await executor.load(groupStream(groupId));
      if (!current || !isGroupVisibleTo(current, actor)) throw new NotFoundError('Group not found');
      const eligibility = await deps.contacts(actor, contactIds);
      let command: AddContactsToGroup | undefined;
      const outcome = await execute((now) => {
        command = {
          type: 'AddContactsToGroup',
          groupId,
          actor,
          now,
          candidates: contactIds.map((contactId) => ({
            contactId,
            eligibility: eligibility.get(contactId) ?? 'not_found',
          })),
        };
        return command;
      }, context);
      if (!outcome.before || !command) throw new Error('a membership change needs an existing group');
      return { results: membershipResults(command, outcome.before), version: outcome.version };
    },

    async removeContact(groupId, actor, contactId, context) {
      const outcome = await execute(
        (now) => ({ type: 'RemoveContactFromGroup', groupId, actor, now, contactId }),
        context,
      );
      return { version: outcome.version };
    },

    async load(groupId, actor) {
      const { read, state } = await executor.load(groupStream(groupId));
      if (!state || !isGroupVisibleTo(state, actor)) return undefined;
      return { state, version: read.version, contactsCount: await contactsCount(state, actor) };
    },
  };
}
