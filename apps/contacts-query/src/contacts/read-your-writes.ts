import type { Principal } from '@reps/auth';
import { groupReadId, noteReadId, readModelId, smartlinkReadId, taskReadId, type ReadModelCollections } from '@reps/contacts-read-model';
import type { ConsistencyToken } from './consistency-token';

export type Consistency = 'fresh' | 'stale';

async function applied(
  models: ReadModelCollections,
  principal: Principal,
  token: ConsistencyToken,
): Promise<boolean> {
  if ('groupId' in token) {
    // A group write: its document (a deleted group keeps one) tells whether the projection got this far.
    const group = await models.groups.groups.findOne(
      { _id: groupReadId(principal.companyId, token.groupId) },
      { projection: { _v: 1 } },
    );
    return group !== null && group._v >= token.version;
  }
  if ('smartlinkId' in token) {
    // A SmartLink write: its document tells (its timeline entries follow in the same batch).
    const doc = await models.smartlinks.findOne(
      { _id: smartlinkReadId(principal.companyId, token.smartlinkId) },
      { projection: { _v: 1 } },
    );
    return doc !== null && doc._v >= token.version;
  }
  if ('noteId' in token || 'taskId' in token) {
    // A note or task write: its own document (a deleted task keeps one) tells.
    const doc =
      'noteId' in token
        ? await models.notesTasks.notes.findOne({ _id: noteReadId(principal.companyId, token.noteId) }, { projection: { _v: 1 } })
        : await models.notesTasks.tasks.findOne({ _id: taskReadId(principal.companyId, token.taskId) }, { projection: { _v: 1 } });
    return doc !== null && doc._v >= token.version;
  }
  const _id = readModelId(principal.companyId, token.contactId);
  // The user model holds every contact, so it tells whether the projection got this far.
  const user = await models.user.findOne({ _id }, { projection: { _v: 1, company_visible: 1 } });
  if (!user || user._v < token.version) return false;
  // A contact the company cannot see is "caught up" for it too: waiting would change nothing.
  if (principal.scope === 'user' || !user.company_visible) return true;
  const company = await models.company.findOne({ _id }, { projection: { _v: 1 } });
  return company !== null && company._v >= token.version;
}

/**
 * Waits until the read model has applied the version a write produced, polling by `_id` (the
 * one lookup FerretDB does not scan for), for at most `waitMs`; then the read goes ahead with
 * what is there and says it is stale.
 */
export async function awaitConsistency(
  readModels: () => Promise<ReadModelCollections>,
  principal: Principal,
  token: ConsistencyToken,
  waitMs: number,
  now: () => number = Date.now,
): Promise<Consistency> {
  const deadline = now() + waitMs;
  let pause = 10;
  for (;;) {
    if (await applied(await readModels(), principal, token)) return 'fresh';
    const left = deadline - now();
    if (left <= 0) return 'stale';
    await new Promise((resolve) => setTimeout(resolve, Math.min(pause, left)));
    pause = Math.min(100, Math.ceil(pause * 1.5));
  }
}
