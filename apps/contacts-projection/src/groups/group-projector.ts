import type { GroupEvent } from '@reps/contracts';
import { evolveGroup, type GroupState } from '@reps/contacts-domain';
import { groupReadId, type GroupReadDoc } from '@reps/contacts-read-model';
import {
  foldVersionedEvents,
  rejectingThrows,
  type VersionedDocFold,
  type VersionedFoldResult,
  type VersionedWrite,
} from '../projection/versioned-doc-fold';

/** An insert for a group not stored yet, or a replace of the version it was read at (see the contact projector). */
export type GroupWrite = VersionedWrite<GroupReadDoc>;

export interface GroupProjectionResult extends VersionedFoldResult<GroupEvent, GroupReadDoc> {
  /** Every group.created of the batch, applied or not: the rep's index must name the group (idempotently). */
  created: { tenantCompanyId: number; userId: number; groupId: number }[];
}

export function groupDocIdOf(event: GroupEvent): string {
  return groupReadId(event.company_id, event.aggregate_id);
}

export function groupStateFromDoc(doc: GroupReadDoc): GroupState {
  const { _id, _v, member_ids, ...fields } = doc;
  return { ...fields, members: new Set(member_ids), version: _v };
}

export function groupDocFromState(state: GroupState): GroupReadDoc {
  const { members, version, ...fields } = state;
  return {
    _id: groupReadId(state.tenant_company_id, state.id),
    _v: version,
    ...fields,
    member_ids: [...members].sort((a, b) => a - b),
  };
}

/** A group folds as its domain state (a member set), not as its stored, sorted member list. */
export const groupFold: VersionedDocFold<GroupEvent, GroupReadDoc, GroupState> = {
  docIdOf: groupDocIdOf,
  fromDoc: groupStateFromDoc,
  toDoc: groupDocFromState,
  versionOf: (state) => state.version,
  apply: rejectingThrows(evolveGroup),
};

/** The batch's group.created events, applied or not: each names its group in its rep's index. */
export function createdGroups(events: readonly GroupEvent[]): GroupProjectionResult['created'] {
  return events.flatMap((event) =>
    event.type === 'group.created'
      ? [{ tenantCompanyId: event.company_id, userId: event.user_id, groupId: event.aggregate_id }]
      : [],
  );
}

/**
 * Pure, like the contact projector: given the stored group documents and a batch of group events
 * in partition order, what to write (see `foldVersionedEvents`). The group's own stream is all a
 * document depends on, so the result does not depend on how contact events interleave.
 */
export function projectGroupEvents(
  events: readonly GroupEvent[],
  current: ReadonlyMap<string, GroupReadDoc>,
): GroupProjectionResult {
  return { ...foldVersionedEvents(events, current, groupFold), created: createdGroups(events) };
}
