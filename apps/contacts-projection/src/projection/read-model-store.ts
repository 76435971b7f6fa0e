import type { AnyBulkWriteOperation, Collection } from 'mongodb';
import type { ContactReadDoc, ReadModelCollections, ReadModelScope } from '@reps/contacts-read-model';
import { bulkWriteInCommands, findByIds, type WriteLane, type WriteLimits } from '@reps/mongo';
import type { CurrentDocs, ReadModelWrite } from '../projector/contact-projector';
import { fenceUpdates } from './partition-fence';

export interface WriteOutcome {
  /** Writes that landed. */
  stored: ReadModelWrite[];
  /** `_id`s (per scope) another writer changed first: reload them and project again. */
  conflicts: Record<ReadModelScope, Set<string>>;
}

export interface ReadModelStore {
  /** Loads documents by `_id` (`findByIds`: one lookup each, a few at a time; FerretDB scans for `$in`). */
  load(ids: Record<ReadModelScope, Iterable<string>>): Promise<CurrentDocs>;
  /**
   * Stores the writes, per read model, in commands split by `bulkWriteInCommands` (unordered);
   * `fence` runs before every command that replaces (`fenceUpdates`) and stops the write by throwing. Lost races are reported
   * as conflicts, not thrown.
   */
  write(writes: ReadModelWrite[], fence: () => Promise<void>): Promise<WriteOutcome>;
}

export interface ReadModelStoreOptions {
  /**
   * Whether a replace carries the version it was computed from in its filter (`{_id, _v}`): only
   * where the server applies that filter atomically and through the `_id` index (MongoDB; see
   * `serverTraits`). Elsewhere (FerretDB 1.x, where it is a full scan and not atomic anyway) the
   * filter is `{_id}` alone: the version was compared in code when the document was loaded, and
   * the partition fence keeps writers that lost the partition out.
   */
  conditionalReplace: boolean;
  limits?: Partial<WriteLimits>;
  /** The consumer's shared write path (`createWriteLane`), when it handles partitions concurrently. */
  lane?: WriteLane;
}

export function createReadModelStore(collections: () => ReadModelCollections, options: ReadModelStoreOptions): ReadModelStore {
  const operation = (write: ReadModelWrite): AnyBulkWriteOperation<ContactReadDoc> =>
    write.kind === 'insert'
      ? { insertOne: { document: write.doc } }
      : {
          replaceOne: {
            filter: options.conditionalReplace ? { _id: write.doc._id, _v: write.expectedVersion } : { _id: write.doc._id },
            replacement: write.doc,
          },
        };

  async function writeScope(
    collection: Collection<ContactReadDoc>,
    writes: ReadModelWrite[],
    fence: () => Promise<void>,
  ): Promise<{ stored: ReadModelWrite[]; conflicts: Set<string> }> {
    const conflicts = new Set<string>();
    if (writes.length === 0) return { stored: [], conflicts };
    const write = options.lane ? options.lane.write.bind(options.lane) : bulkWriteInCommands;
    const result = await write(collection, writes.map(operation), {
      ordered: false,
      limits: options.limits,
      beforeCommand: fenceUpdates(fence),
    });
    // Only a duplicate `_id` (a document inserted meanwhile) is a lost race; anything else is a
    // real failure, and the batch is retried.
    const unexpected = result.writeErrors.find((e) => e.code !== 11000);
    if (unexpected) throw new Error(`read model write refused: ${unexpected.message} (code ${unexpected.code})`);
    for (const refused of result.writeErrors) {
      const write = writes[refused.index];
      if (write) conflicts.add(write.doc._id);
    }
    // The server reports how many replaces of a command matched, not which: when one missed, every
    // document that command replaced is reloaded (re-applying is idempotent).
    for (const command of result.commands) {
      const inCommand = writes.slice(command.start, command.end).filter((w) => w.kind === 'replace');
      if (command.matchedCount < inCommand.length) for (const w of inCommand) conflicts.add(w.doc._id);
    }
    return { stored: writes.filter((w) => !conflicts.has(w.doc._id)), conflicts };
  }

  return {
    async load(ids) {
      const { user, company } = collections();
      const [userDocs, companyDocs] = await Promise.all([findByIds(user, ids.user), findByIds(company, ids.company)]);
      return { user: userDocs, company: companyDocs };
    },
    async write(writes, fence) {
      const { user, company } = collections();
      // One read model after the other: a FerretDB database's connections are shared by every
      // writer (see `WriteLimits`), so one writer never has two update commands in flight.
      const userResult = await writeScope(user, writes.filter((w) => w.scope === 'user'), fence);
      const companyResult = await writeScope(company, writes.filter((w) => w.scope === 'company'), fence);
      return {
        stored: [...userResult.stored, ...companyResult.stored],
        conflicts: { user: userResult.conflicts, company: companyResult.conflicts },
      };
    },
  };
}
