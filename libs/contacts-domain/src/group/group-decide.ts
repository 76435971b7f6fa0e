import type { GroupEventData, GroupFieldChanges, GroupMembershipResult } from '@reps/contracts';
import type { Actor } from '../contact/actor';
import { accept, refuse, type Decision } from '../decider/decision';
import type {
  AddContactsToGroup,
  CreateGroup,
  DeleteGroup,
  GroupCommand,
  RemoveContactFromGroup,
  UpdateGroup,
} from './group-commands';
import { groupErrors, type GroupDomainError } from './group-errors';
import type { GroupState } from './group-state';

export type GroupDecision = Decision<GroupEventData, GroupDomainError>;

/** A group is its rep's alone: no colleague, no company, and nobody once it is deleted. */
export function isGroupVisibleTo(state: GroupState, actor: Actor): boolean {
  return (
    state.deleted_at === null &&
    actor.scope === 'user' &&
    state.tenant_company_id === actor.companyId &&
    state.user_id === actor.userId
  );
}

/**
 * What a command means for one group, given its current state. Pure: the id, the time and what
 * the caller found out about requested contacts come in with the command. Repeating a command
 * (an update to the current values, adding members again, removing a non-member) decides no
 * events, so retries are safe.
 */
export function decideGroup(command: GroupCommand, state: GroupState | null): GroupDecision {
  switch (command.type) {
    case 'CreateGroup':
      return create(command, state);
    case 'UpdateGroup':
      return update(command, state);
    case 'DeleteGroup':
      return remove(command, state);
    case 'AddContactsToGroup':
      return addContacts(command, state);
    case 'RemoveContactFromGroup':
      return removeContact(command, state);
    default: {
      const _exhaustive: never = command;
      throw new Error(`Unknown group command: ${JSON.stringify(_exhaustive)}`);
    }
  }
}

function create(command: CreateGroup, state: GroupState | null): GroupDecision {
  if (state !== null) return refuse(groupErrors.alreadyExists());
  // Groups are user-scoped: a company has none (the routes answer 403 before this).
  if (command.actor.scope !== 'user') return refuse(groupErrors.notFound());
  return accept([
    {
      type: 'group.created',
      data: {
        id: command.groupId,
        tenant_company_id: command.actor.companyId,
        user_id: command.actor.userId,
        name: command.body.name,
        description: command.body.description,
        created_at: command.now,
      },
    },
  ]);
}

function update(command: UpdateGroup, state: GroupState | null): GroupDecision {
  if (state === null || !isGroupVisibleTo(state, command.actor)) return refuse(groupErrors.notFound());
  const changes: GroupFieldChanges = {};
  const previous: GroupFieldChanges = {};
  // A name that differs only in case is a rename too ("vip" → "VIP"): the rep sees it.
  if (command.body.name !== undefined && command.body.name !== state.name) {
    changes.name = command.body.name;
    previous.name = state.name;
  }
  if (command.body.description !== undefined && command.body.description !== state.description) {
    changes.description = command.body.description;
    previous.description = state.description;
  }
  if (Object.keys(changes).length === 0) return accept([]);
  return accept([{ type: 'group.updated', data: { changes, previous, updated_at: command.now } }]);
}

function remove(command: DeleteGroup, state: GroupState | null): GroupDecision {
  if (state === null || !isGroupVisibleTo(state, command.actor)) return refuse(groupErrors.notFound());
  return accept([{ type: 'group.deleted', data: { deleted_at: command.now } }]);
}

function addContacts(command: AddContactsToGroup, state: GroupState | null): GroupDecision {
  if (state === null || !isGroupVisibleTo(state, command.actor)) return refuse(groupErrors.notFound());
  const joining = new Set<number>();
  for (const { contactId, eligibility } of command.candidates) {
    if (eligibility === 'eligible' && !state.members.has(contactId)) joining.add(contactId);
  }
  if (joining.size === 0) return accept([]);
  const contactIds = [...joining].sort((a, b) => a - b);
  return accept([{ type: 'group.contacts_added', data: { contact_ids: contactIds, added_at: command.now } }]);
}

function removeContact(command: RemoveContactFromGroup, state: GroupState | null): GroupDecision {
  if (state === null || !isGroupVisibleTo(state, command.actor)) return refuse(groupErrors.notFound());
  if (!state.members.has(command.contactId)) return accept([]);
  return accept([
    { type: 'group.contact_removed', data: { contact_id: command.contactId, removed_at: command.now } },
  ]);
}

/**
 * The per-id answer to a membership request, from the group as it was *before* the request: an
 * id already in it is `already_member`, an eligible one `added`, anything else an error. One
 * result per distinct id, in request order.
 */
export function membershipResults(command: AddContactsToGroup, before: GroupState): GroupMembershipResult[] {
  const seen = new Set<number>();
  const results: GroupMembershipResult[] = [];
  for (const { contactId, eligibility } of command.candidates) {
    if (seen.has(contactId)) continue;
    seen.add(contactId);
    if (eligibility === 'not_found') {
      results.push({
        contact_id: contactId,
        status: 'error',
        error: { code: 'not_found', message: 'Contact not found' },
      });
    } else if (before.members.has(contactId)) {
      results.push({ contact_id: contactId, status: 'already_member' });
    } else if (eligibility === 'discarded') {
      results.push({
        contact_id: contactId,
        status: 'error',
        error: {
          code: 'contact_discarded',
          message: 'The contact is discarded; restore it before adding it to a group',
        },
      });
    } else {
      results.push({ contact_id: contactId, status: 'added' });
    }
  }
  return results;
}
