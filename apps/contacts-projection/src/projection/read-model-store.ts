import { MongoBulkWriteError, type AnyBulkWriteOperation, type Collection } from 'mongodb';
import type { ContactReadDoc, ReadModelCollections, ReadModelScope } from '@reps/contacts-read-model';
import type { CurrentDocs, ReadModelWrite } from '../projector/contact-projector';

export interface WriteOutcome {
  /** Writes that landed. */
  stored: ReadModelWrite[];
  /** `_id`s (per scope) another writer changed first: reload them and project again. */
  conflicts: Record<ReadModelScope, Set<string>>;
}

export interface ReadModelStore {
  /** Loads documents by `_id`, one lookup each: FerretDB scans for `$in`, but not for `_id` equality. */
  load(ids: Record<ReadModelScope, Iterable<string>>): Promise<CurrentDocs>;
  /** One `bulkWrite` per read model (unordered); conflicts are reported, not thrown. */
  write(writes: ReadModelWrite[]): Promise<WriteOutcome>;
}

function operation(write: ReadModelWrite): AnyBulkWriteOperation<ContactReadDoc> {
  return write.kind === 'insert'
    ? { insertOne: { document: write.doc } }
    : { replaceOne: { filter: { _id: write.doc._id, _v: write.expectedVersion }, replacement: write.doc } };
}

async function writeScope(
  collection: Collection<ContactReadDoc>,
  writes: ReadModelWrite[],
): Promise<{ stored: ReadModelWrite[]; conflicts: Set<string> }> {
  if (writes.length === 0) return { stored: [], conflicts: new Set() };
  let failedIndexes = new Set<number>();
  let matched: number;
  try {
    const result = await collection.bulkWrite(writes.map(operation), { ordered: false });
    matched = result.matchedCount;
  } catch (error) {
    if (!(error instanceof MongoBulkWriteError)) throw error;
    const writeErrors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
    // Only a duplicate `_id` is a lost race; anything else is a real failure (the batch retries).
    const unexpected = writeErrors.find((e) => e.code !== 11000);
    if (unexpected) throw error;
    failedIndexes = new Set(writeErrors.map((e) => e.index));
    matched = error.result.matchedCount;
  }
  const conflicts = new Set<string>();
  for (const index of failedIndexes) {
    const failed = writes[index];
    if (failed) conflicts.add(failed.doc._id);
  }
  const replaces = writes.filter((w) => w.kind === 'replace');
  // The driver reports how many guarded replaces matched, not which: when one missed, every
  // replaced document is reloaded (the projection is idempotent, so re-applying is harmless).
  if (matched < replaces.length) for (const w of replaces) conflicts.add(w.doc._id);
  const stored = writes.filter((w) => !conflicts.has(w.doc._id));
  return { stored, conflicts };
}

export function createReadModelStore(collections: () => ReadModelCollections): ReadModelStore {
  return {
    async load(ids) {
      const { user, company } = collections();
      const loadAll = async (collection: Collection<ContactReadDoc>, wanted: Iterable<string>) => {
        const docs = await Promise.all([...new Set(wanted)].map((_id) => collection.findOne({ _id })));
        return new Map(docs.filter((d): d is ContactReadDoc => d !== null).map((d) => [d._id, d] as const));
      };
      const [userDocs, companyDocs] = await Promise.all([loadAll(user, ids.user), loadAll(company, ids.company)]);
      return { user: userDocs, company: companyDocs };
    },
    async write(writes) {
      const { user, company } = collections();
      const userResult = await writeScope(user, writes.filter((w) => w.scope === 'user'));
      const companyResult = await writeScope(company, writes.filter((w) => w.scope === 'company'));
      return {
        stored: [...userResult.stored, ...companyResult.stored],
        conflicts: { user: userResult.conflicts, company: companyResult.conflicts },
      };
    },
  };
}
