import type { GroupCreateBody, GroupUpdateBody } from '@reps/contracts';
import type { Actor } from '../contact/actor';

interface GroupCommandBase {
  groupId: number;
  /** Any actor may be named; only the owning rep is ever let through (company scope sees no groups). */
  actor: Actor;
  /** ISO-8601 instant supplied by the caller: the domain never reads a clock. */
  now: string;
}

export interface CreateGroup extends GroupCommandBase {
  type: 'CreateGroup';
  body: GroupCreateBody;
}

export interface UpdateGroup extends GroupCommandBase {
  type: 'UpdateGroup';
  body: GroupUpdateBody;
}

export interface DeleteGroup extends GroupCommandBase {
  type: 'DeleteGroup';
}

/**
 * What the caller found out about one requested contact (the domain does no lookups): one of the
 * actor's own live contacts, a discarded one of theirs, or nothing they may use — absent and
 * someone else's look the same.
 */
export type ContactEligibility = 'eligible' | 'discarded' | 'not_found';

export interface AddContactsToGroup extends GroupCommandBase {
  type: 'AddContactsToGroup';
  /** In request order; a repeated id is one candidate. */
  candidates: { contactId: number; eligibility: ContactEligibility }[];
}

export interface RemoveContactFromGroup extends GroupCommandBase {
  type: 'RemoveContactFromGroup';
  contactId: number;
}

export type GroupCommand =
  CreateGroup | UpdateGroup | DeleteGroup | AddContactsToGroup | RemoveContactFromGroup;
