import { GroupEvent } from '@reps/contracts';
import { repGroupIds, repGroupSlotId, type GroupReadModelCollections } from '@reps/contacts-read-model';
import { isDuplicateKeyError } from '@reps/mongo';
import type { FenceCheck } from '../projection/partition-fence';
import type { BatchHandler } from '../projection/topic-router';
import {
  createVersionedDocProjection,
  type VersionedDocProjectionDeps,
} from '../projection/versioned-doc-projection';
import { createdGroups, groupFold } from './group-projector';

/**
 * Projects `crm.groups.v1` into the groups read model: the group documents, next version only like
 * every versioned document model, and the reps' group indexes (insert-only slots). Idempotent under
 * redelivery and replay: a document takes an event only as its next version, and a group already in
 * its rep's index is not added again.
 */
export function createGroupProjection(
  models: () => GroupReadModelCollections,
  deps: VersionedDocProjectionDeps,
): BatchHandler {
  /** Puts the group in its rep's index unless it is there: the first free slot, by unique insert. */
  async function index(
    entry: { tenantCompanyId: number; userId: number; groupId: number },
    fence: FenceCheck,
  ) {
    const { slots } = models();
    const known = await repGroupIds(slots, entry.tenantCompanyId, entry.userId);
    if (known.includes(entry.groupId)) return;
    for (let slot = known.length + 1; ; slot++) {
      await fence();
      try {
        await slots.insertOne({
          _id: repGroupSlotId(entry.tenantCompanyId, entry.userId, slot),
          group_id: entry.groupId,
        });
        return;
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
        // Another group of the rep took this slot meanwhile, or this group did (a concurrent redelivery).
        const taken = await slots.findOne({ _id: repGroupSlotId(entry.tenantCompanyId, entry.userId, slot) });
        if (taken?.group_id === entry.groupId) return;
      }
    }
  }

  return createVersionedDocProjection(
    {
      name: 'groups',
      collection: () => models().groups,
      schema: GroupEvent,
      creationType: 'group.created',
      ...groupFold,
      // The index first: a reader that finds a slot whose group is not stored yet skips it, so a
      // group is listed from the moment its document exists.
      async beforeWrite(events, fence) {
        for (const entry of createdGroups(events)) await index(entry, fence);
      },
    },
    deps,
  );
}
