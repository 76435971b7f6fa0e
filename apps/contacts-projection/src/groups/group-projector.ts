import type { GroupEvent } from '@reps/contracts';
import { evolveGroup, type GroupState } from '@reps/contacts-domain';
import { groupReadId, type GroupReadDoc } from '@reps/contacts-read-model';

/** An insert for a group not stored yet, or a replace of the version it was read at (see the contact projector). */
export type GroupWrite =
  | { kind: 'insert'; doc: GroupReadDoc; eventIds: string[] }
  | { kind: 'replace'; doc: GroupReadDoc; expectedVersion: number; eventIds: string[] };

export interface GroupProjectionResult {
  writes: GroupWrite[];
  /** Event ids skipped because the document already has them (redelivery, replay). */
  duplicates: string[];
  gaps: { docId: string; eventId: string; expected: number; received: number }[];
  rejected: { event: GroupEvent; detail: string }[];
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

/**
 * Pure, like the contact projector: given the stored group documents and a batch of group events
 * in partition order, what to write. An event applies only as its document's next version; older
 * ones are duplicates, newer ones gaps (never applied out of order). The group's own stream is all
 * a document depends on, so the result does not depend on how contact events interleave.
 */
export function projectGroupEvents(
  events: readonly GroupEvent[],
  current: ReadonlyMap<string, GroupReadDoc>,
): GroupProjectionResult {
  const slots = new Map<
    string,
    { original: GroupReadDoc | null; state: GroupState | null; eventIds: string[] }
  >();
  const result: GroupProjectionResult = { writes: [], duplicates: [], gaps: [], rejected: [], created: [] };

  for (const event of events) {
    if (event.type === 'group.created') {
      result.created.push({
        tenantCompanyId: event.company_id,
        userId: event.user_id,
        groupId: event.aggregate_id,
      });
    }
    const docId = groupDocIdOf(event);
    let slot = slots.get(docId);
    if (!slot) {
      const original = current.get(docId) ?? null;
      slot = { original, state: original ? groupStateFromDoc(original) : null, eventIds: [] };
      slots.set(docId, slot);
    }
    const version = slot.state?.version ?? 0;
    if (event.aggregate_version <= version) {
      result.duplicates.push(event.id);
      continue;
    }
    if (event.aggregate_version > version + 1) {
      result.gaps.push({
        docId,
        eventId: event.id,
        expected: version + 1,
        received: event.aggregate_version,
      });
      continue;
    }
    try {
      slot.state = evolveGroup(slot.state, event);
      slot.eventIds.push(event.id);
    } catch (error) {
      result.rejected.push({ event, detail: error instanceof Error ? error.message : String(error) });
    }
  }

  for (const slot of slots.values()) {
    if (slot.eventIds.length === 0 || slot.state === null) continue;
    const doc = groupDocFromState(slot.state);
    result.writes.push(
      slot.original === null
        ? { kind: 'insert', doc, eventIds: slot.eventIds }
        : { kind: 'replace', doc, expectedVersion: slot.original._v, eventIds: slot.eventIds },
    );
  }
  return result;
}
