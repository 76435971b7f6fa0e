import type { Collection, Db, IndexDescription } from 'mongodb';
import { createFences, ensureIndexes, isDuplicateKeyError, serverTraits, type ServerTraits, type FenceDoc, type Fences } from '@reps/mongo';
import type { ContactReadDoc } from './read-model-doc';
import { groupCollections, type GroupReadModelCollections } from './group-read-doc';
import { activityCollection, activityIndexes, type ActivityReadDoc } from './activity-read-doc';
import { smartlinkCollection, smartlinkIndexes, type SmartlinkReadDoc } from './smartlink-read-doc';
import { noteIndexes, noteTaskCollections, taskIndexes, type NoteTaskCollections } from './note-task-read-docs';

/** The two read models: every contact by tenant + owner, and the company-visible ones only. */
export type ReadModelScope = 'user' | 'company';
export const READ_MODEL_SCOPES: readonly ReadModelScope[] = ['user', 'company'];

/** The generation the projection writes and the query reads before any rebuild happened. */
export const INITIAL_GENERATION = 'g1';
const GENERATION = /^g[a-z0-9]{1,24}$/;
const PREFIX = /^[A-Za-z0-9_]{0,40}$/;

export interface ActiveGenerationDoc {
  _id: 'active';
  generation: string;
  activated_at: Date;
}

/**
 * Indexes for MongoDB: equality (tenant, owner, discarded flag or one filter) first, then the
 * sort key and the id tiebreak, so each list is an index range scan in keyset order. FerretDB's
 * SQLite backend would only maintain them (it scans), so `ensureIndexes` skips them there.
 */
export function readModelIndexes(scope: ReadModelScope): IndexDescription[] {
  const owner: Record<string, 1> = scope === 'user' ? { tenant_company_id: 1, user_id: 1 } : { tenant_company_id: 1 };
  return [
    { key: { ...owner, _discarded: 1, _c: 1, id: 1 }, name: 'list_by_created' },
    { key: { ...owner, _discarded: 1, _u: 1, id: 1 }, name: 'list_by_updated' },
    { key: { ...owner, _discarded: 1, _ln: 1, id: 1 }, name: 'list_by_last_name' },
    { key: { ...owner, status: 1, _c: 1, id: 1 }, name: 'filter_status' },
    { key: { ...owner, lead_type: 1, _c: 1, id: 1 }, name: 'filter_lead_type' },
  ];
}

export interface ReadModelCollections {
  generation: string;
  user: Collection<ContactReadDoc>;
  company: Collection<ContactReadDoc>;
  /** The groups read model of the same generation (read by `_id` only: no indexes needed). */
  groups: GroupReadModelCollections;
  /** The activity timeline and the SmartLinks of the same generation. */
  activities: Collection<ActivityReadDoc>;
  smartlinks: Collection<SmartlinkReadDoc>;
  /** The notes and tasks of the same generation. */
  notesTasks: NoteTaskCollections;
}

export interface ReadModelCatalog {
  collections(generation: string): ReadModelCollections;
  /**
   * Write fences of the projections, keyed by {@link fenceKey}: a consumer claims its partition's
   * key before writing and checks it before every write command (see docs/read-side.md).
   */
  fences: Fences;
  /** The generation queries read and the live projection writes; null before the first start. */
  activeGeneration(): Promise<string | null>;
  /** Records `initial` as active unless a generation already is; returns the active one. */
  ensureActiveGeneration(initial?: string): Promise<string>;
  /** Points readers and the live projection at `generation` (the swap at the end of a rebuild). */
  activate(generation: string, now?: Date): Promise<void>;
  ensureIndexes(generation: string): Promise<void>;
  drop(generation: string): Promise<void>;
}

/** The fence of one topic partition's share of a generation's read models. */
export function fenceKey(generation: string, topic: string, partition: number): string {
  return `${generation}/${topic}/${partition}`;
}

export function isGenerationName(value: string): boolean {
  return GENERATION.test(value);
}

/** A fresh generation name for a rebuild: sortable by creation time. */
export function newGenerationName(now: Date = new Date()): string {
  return `g${now.getTime().toString(36)}`;
}

/**
 * Where the read models live. A generation is a set of collections (the two contact models and
 * the groups model); one document (`_id` "active", read by `_id` only) says which set is live, so
 * a rebuild fills new collections
 * while queries keep reading the old ones, and the swap is a single-document write.
 */
export function createReadModelCatalog(db: Db, prefix = ''): ReadModelCatalog {
  if (!PREFIX.test(prefix)) throw new Error(`read model prefix must match ${String(PREFIX)}`);
  const meta = db.collection<ActiveGenerationDoc>(`${prefix}contacts_read_meta`);
  // The server does not change under a catalog: ask once (again only if asking failed).
  let traits: Promise<ServerTraits> | undefined;
  const traitsOnce = () =>
    (traits ??= serverTraits(db).catch((error: unknown) => {
      traits = undefined;
      throw error;
    }));
  const checked = (generation: string) => {
    if (!isGenerationName(generation)) throw new Error(`invalid read model generation ${JSON.stringify(generation)}`);
    return generation;
  };
  const collections = (generation: string): ReadModelCollections => ({
    generation: checked(generation),
    user: db.collection<ContactReadDoc>(`${prefix}contacts_user_${generation}`),
    company: db.collection<ContactReadDoc>(`${prefix}contacts_company_${generation}`),
    groups: groupCollections(db, prefix, generation),
    activities: activityCollection(db, prefix, generation),
    smartlinks: smartlinkCollection(db, prefix, generation),
    notesTasks: noteTaskCollections(db, prefix, generation),
  });
  const activeGeneration = async () => (await meta.findOne({ _id: 'active' }))?.generation ?? null;
  const fences = createFences(db.collection<FenceDoc>(`${prefix}contacts_read_fences`));

  return {
    collections,
    fences,
    activeGeneration,
    async ensureActiveGeneration(initial = INITIAL_GENERATION) {
      try {
        await meta.insertOne({ _id: 'active', generation: checked(initial), activated_at: new Date() });
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
      return (await activeGeneration()) ?? initial;
    },
    async activate(generation, now = new Date()) {
      await meta.replaceOne(
        { _id: 'active' },
        { generation: checked(generation), activated_at: now },
        { upsert: true },
      );
    },
    async ensureIndexes(generation) {
      const traits = await traitsOnce();
      const { user, company } = collections(generation);
      await ensureIndexes(user, readModelIndexes('user'), traits);
      await ensureIndexes(company, readModelIndexes('company'), traits);
      const { activities, smartlinks } = collections(generation);
      await ensureIndexes(activities, activityIndexes, traits);
      await ensureIndexes(smartlinks, smartlinkIndexes, traits);
      const { notesTasks } = collections(generation);
      await ensureIndexes(notesTasks.notes, noteIndexes, traits);
      await ensureIndexes(notesTasks.tasks, taskIndexes, traits);
    },
    async drop(generation) {
      const { user, company, groups, activities, smartlinks, notesTasks } = collections(generation);
      // Dropping what does not exist is fine: a rebuild may have died before creating it.
      await Promise.all(
        [user, company, groups.groups, groups.slots, activities, smartlinks, notesTasks.notes, notesTasks.tasks].map((collection) => collection.drop().catch(() => false)),
      );
      await fences.forget(`${checked(generation)}/`);
    },
  };
}
