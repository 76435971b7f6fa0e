import type { Collection, Db } from 'mongodb';

/**
 * The groups read model (user scope: a group is its rep's alone). One document per group, written
 * only by the consumer of that group's partition (group events are keyed by group id), so it has a
 * single writer like a contact document. What depends on contacts as well — a contact's
 * `group_ids`, a group's `contacts_count` — is *not* stored: contacts-query derives it when it
 * reads, from these documents and the contact documents, each found by `_id`. Events of the two
 * topics arrive in no mutual order, and a stored join would need writes from both sides to one
 * document; derived at read time it is right whatever order they were projected in, and a replay
 * from offset 0 yields the same documents as the live projection.
 *
 * `_id` is `<tenant>:<groupId>`, computable from a request, like a contact's.
 */
export interface GroupReadDoc {
  _id: string;
  /** The group stream position applied last: the next event applies only if it is `_v + 1`. */
  _v: number;
  id: number;
  tenant_company_id: number;
  user_id: number;
  name: string;
  description: string | null;
  /** Member contact ids, ascending (whatever the contacts' state: discarded members stay members). */
  member_ids: number[];
  created_at: string;
  updated_at: string;
  /** Set when the group was deleted: kept, so a redelivered older event cannot bring it back. */
  deleted_at: string | null;
}

/**
 * The index of a rep's groups, as numbered slots: `_id` is `<tenant>:<user>:<n>` for n = 1, 2, …
 * and each slot names one group. Slots are only ever inserted (a unique `_id` makes a concurrent
 * insert of the same slot fail, so the loser takes the next one), never updated — a read-modify-
 * write of one "list of groups" document is not atomic on FerretDB 1.x, and groups of one rep are
 * created on different partitions. A reader fetches slot 1, 2, … by `_id` until one is missing.
 */
export interface RepGroupSlotDoc {
  _id: string;
  group_id: number;
}

export function groupReadId(tenantCompanyId: number, groupId: number): string {
  return `${tenantCompanyId}:${groupId}`;
}

export function repGroupSlotId(tenantCompanyId: number, userId: number, slot: number): string {
  return `${tenantCompanyId}:${userId}:${slot}`;
}

export interface GroupReadModelCollections {
  groups: Collection<GroupReadDoc>;
  slots: Collection<RepGroupSlotDoc>;
}

/** The groups read model of one generation (the same generations as the contact read models). */
export function groupCollections(db: Db, prefix: string, generation: string): GroupReadModelCollections {
  return {
    groups: db.collection<GroupReadDoc>(`${prefix}groups_user_${generation}`),
    slots: db.collection<RepGroupSlotDoc>(`${prefix}groups_by_rep_${generation}`),
  };
}

/** Slot lookups issued at once while walking a rep's index, after the first (most reps have no or few groups). */
const SLOT_READ_AHEAD = 8;

/** The group ids in a rep's index, in slot order (deleted groups included: their documents say so). */
export async function repGroupIds(
  slots: Collection<RepGroupSlotDoc>,
  tenantCompanyId: number,
  userId: number,
): Promise<number[]> {
  const ids: number[] = [];
  for (let first = 1, count = 1; ; first += count, count = SLOT_READ_AHEAD) {
    const docs = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        slots.findOne({ _id: repGroupSlotId(tenantCompanyId, userId, first + i) }),
      ),
    );
    for (const doc of docs) {
      if (!doc) return ids;
      ids.push(doc.group_id);
    }
  }
}

/** The rep's live groups, by `_id` lookups only. */
export async function repGroups(
  models: GroupReadModelCollections,
  tenantCompanyId: number,
  userId: number,
): Promise<GroupReadDoc[]> {
  const ids = [...new Set(await repGroupIds(models.slots, tenantCompanyId, userId))];
  const docs = await Promise.all(
    ids.map((id) => models.groups.findOne({ _id: groupReadId(tenantCompanyId, id) })),
  );
  return docs.filter(
    (doc): doc is GroupReadDoc => doc !== null && doc.deleted_at === null && doc.user_id === userId,
  );
}
