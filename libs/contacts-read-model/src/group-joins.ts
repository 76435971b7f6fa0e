import type { Collection } from 'mongodb';
import type { Contact, Group } from '@reps/contracts';
import { groupReadId, repGroups, type GroupReadDoc, type GroupReadModelCollections } from './group-read-doc';
import { contactFromDoc, readModelId, type ContactReadDoc } from './read-model-doc';

/**
 * The joins between contacts and groups, made when reading (see `GroupReadDoc` for why they are
 * not stored): every lookup is by `_id`, the one query FerretDB answers from an index. Shared by
 * contacts-query (which answers with them) and the projection's tests (rebuild equals live).
 */

/** Member documents looked up at once when counting. */
const PARALLEL = 32;

function hasMember(group: GroupReadDoc, contactId: number): boolean {
  // member_ids is ascending: binary search.
  let low = 0;
  let high = group.member_ids.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const value = group.member_ids[mid] as number;
    if (value === contactId) return true;
    if (value < contactId) low = mid + 1;
    else high = mid - 1;
  }
  return false;
}

/**
 * The contact resources of `docs`, each with its `group_ids`: the live groups of the contact's
 * owner that hold it, ascending. A group is its rep's, so a contact another rep now owns (after a
 * reassignment) is in none of the old owner's groups.
 */
export async function contactsWithGroups(
  docs: readonly ContactReadDoc[],
  models: GroupReadModelCollections,
): Promise<Contact[]> {
  const owners = new Map<string, Promise<GroupReadDoc[]>>();
  const groupsOf = (doc: ContactReadDoc) => {
    const key = `${doc.tenant_company_id}:${doc.user_id}`;
    let groups = owners.get(key);
    if (!groups) {
      groups = repGroups(models, doc.tenant_company_id, doc.user_id);
      owners.set(key, groups);
    }
    return groups;
  };
  return Promise.all(
    docs.map(async (doc) => {
      const groups = await groupsOf(doc);
      const groupIds = groups
        .filter((group) => hasMember(group, doc.id))
        .map((group) => group.id)
        .sort((a, b) => a - b);
      return { ...contactFromDoc(doc), group_ids: groupIds };
    }),
  );
}

/**
 * `contacts_count` of each group: its members that are, in the user read model, live (not
 * discarded) contacts of the group's rep.
 */
export async function contactsCounts(
  groups: readonly GroupReadDoc[],
  contacts: Collection<ContactReadDoc>,
): Promise<Map<number, number>> {
  const wanted = [
    ...new Set(
      groups.flatMap((group) => group.member_ids.map((id) => readModelId(group.tenant_company_id, id))),
    ),
  ];
  const live = new Map<string, number>();
  for (let i = 0; i < wanted.length; i += PARALLEL) {
    const docs = await Promise.all(
      wanted
        .slice(i, i + PARALLEL)
        .map((_id) => contacts.findOne({ _id }, { projection: { _id: 1, user_id: 1, _discarded: 1 } })),
    );
    for (const doc of docs) if (doc && !doc._discarded) live.set(doc._id, doc.user_id);
  }
  return new Map(
    groups.map((group) => [
      group.id,
      group.member_ids.filter((id) => live.get(readModelId(group.tenant_company_id, id)) === group.user_id)
        .length,
    ]),
  );
}

export function groupResource(doc: GroupReadDoc, contactsCount: number): Group {
  return {
    id: doc.id,
    name: doc.name,
    description: doc.description,
    contacts_count: contactsCount,
    created_at: doc.created_at,
    updated_at: doc.updated_at,
  };
}

/** A group as its rep may read it; null when absent, deleted, or someone else's (all the same to a caller). */
export async function visibleGroup(
  models: GroupReadModelCollections,
  tenantCompanyId: number,
  groupId: number,
  userId: number | undefined,
): Promise<GroupReadDoc | null> {
  const doc = await models.groups.findOne({ _id: groupReadId(tenantCompanyId, groupId) });
  if (!doc || doc.deleted_at !== null || doc.tenant_company_id !== tenantCompanyId) return null;
  if (userId !== undefined && doc.user_id !== userId) return null;
  return doc;
}
