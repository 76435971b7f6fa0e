import { createHash } from 'node:crypto';
import type { Collection, Filter } from 'mongodb';
import {
  CARD_ACTIVITIES_MAX,
  CARD_NOTES_MAX,
  CARD_TASKS_MAX,
  invalidListQuery,
  type Activity,
  type ContactCard,
  type Note,
  type NoteListQuery,
  type Task,
  type TaskContactSummary,
  type TaskListQuery,
} from '@reps/contracts';
import { findByIds } from '@reps/mongo';
import { activityResource, listActivities } from './activity-reads';
import { contactsWithGroups } from './group-joins';
import {
  noteFromDoc,
  noteReadId,
  taskFromDoc,
  taskReadId,
  type NoteReadDoc,
  type TaskReadDoc,
} from './note-task-read-docs';
import type { ReadModelCollections } from './read-model-catalog';
import { readModelId, type ContactReadDoc } from './read-model-doc';

/** Who reads: a rep (their contacts) or a company (its company-visible contacts). */
export type Reader =
  { scope: 'user'; companyId: number; userId: number } | { scope: 'company'; companyId: number };

/**
 * The contacts among `ids` the reader may see, by `_id` lookups: from the company model (only
 * company-visible contacts are there) or the user model (the reader's own). Discarded ones too.
 */
export async function visibleContacts(
  models: ReadModelCollections,
  reader: Reader,
  ids: Iterable<number>,
): Promise<Map<number, ContactReadDoc>> {
  const collection = reader.scope === 'company' ? models.company : models.user;
  const docs = await findByIds(
    collection,
    [...new Set(ids)].map((id) => readModelId(reader.companyId, id)),
  );
  const visible = new Map<number, ContactReadDoc>();
  for (const doc of docs.values()) {
    const mine = reader.scope === 'company' ? doc.company_visible : doc.user_id === reader.userId;
    if (doc.tenant_company_id === reader.companyId && mine) visible.set(doc.id, doc);
  }
  return visible;
}

/** Whether each contact is discarded, from the user model (it holds every contact of the tenant). */
async function discardedContacts(models: ReadModelCollections, companyId: number, ids: Iterable<number>) {
  const docs = await findByIds(
    models.user,
    [...new Set(ids)].map((id) => readModelId(companyId, id)),
  );
  const discarded = new Set<number>();
  for (const doc of docs.values()) if (doc._discarded) discarded.add(doc.id);
  return discarded;
}

/** A page's position: the last row's sort key and id, the walk's start (status is judged then) and the filters. */
interface Cursor {
  k: string;
  i: number;
  t: number;
  f: string;
}

function fingerprint(query: object): string {
  const { limit: _limit, cursor: _cursor, ...filters } = query as Record<string, unknown>;
  const canonical = JSON.stringify(Object.entries(filters).sort(([a], [b]) => (a < b ? -1 : 1)));
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 12);
}

export function encodeListCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

export function decodeListCursor(query: { cursor?: string | undefined }, now: number): Cursor | undefined {
  if (query.cursor === undefined) return undefined;
  const bad = () => invalidListQuery([{ field: 'cursor', message: 'is not a cursor from this API' }]);
  let value: Partial<Cursor>;
  try {
    value = JSON.parse(Buffer.from(query.cursor, 'base64url').toString('utf8')) as Partial<Cursor>;
  } catch {
    throw bad();
  }
  if (
    typeof value.k !== 'string' ||
    !Number.isSafeInteger(value.i) ||
    !Number.isSafeInteger(value.t) ||
    typeof value.f !== 'string' ||
    value.t! > now + 60_000
  )
    throw bad();
  if (value.f !== fingerprint(query))
    throw invalidListQuery([{ field: 'cursor', message: 'belongs to a list with other filters' }]);
  return value as Cursor;
}

type KeyedDoc = { _id: string; id: number };

/**
 * One page of a keyset walk over `collection` in (`key`, id) order, keeping only the rows
 * `accept` lets through (what depends on contacts is decided per batch, by `_id` lookups): reads
 * batches after the cursor until the page is full or the rows run out.
 */
async function walkPage<D extends KeyedDoc>(options: {
  collection: Collection<D>;
  filter: Filter<D>;
  key: string;
  direction: 1 | -1;
  limit: number;
  after: { k: string; i: number } | undefined;
  accept: (docs: D[]) => Promise<boolean[]>;
}): Promise<{ docs: D[]; more: boolean }> {
  const { collection, key, direction, limit } = options;
  const beyond = direction === 1 ? '$gt' : '$lt';
  const batchSize = Math.max(limit + 1, 50);
  const page: D[] = [];
  let after = options.after;
  for (;;) {
    const keyset = after
      ? { $or: [{ [key]: { [beyond]: after.k } }, { [key]: after.k, id: { [beyond]: after.i } }] }
      : {};
    const batch = (await collection
      .find({ $and: [options.filter, keyset] } as Filter<D>)
      .sort({ [key]: direction, id: direction })
      .limit(batchSize)
      .toArray()) as D[];
    const verdicts = await options.accept(batch);
    for (const [index, doc] of batch.entries()) {
      if (!verdicts[index]) continue;
      page.push(doc);
      if (page.length > limit) return { docs: page.slice(0, limit), more: true };
    }
    if (batch.length < batchSize) return { docs: page, more: false };
    const last = batch[batch.length - 1]!;
    after = { k: String((last as unknown as Record<string, unknown>)[key]), i: last.id };
  }
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

/** The notes list (pinned first, then newest), in the reader's scope. */
export async function listNotes(
  models: ReadModelCollections,
  reader: Reader,
  query: NoteListQuery,
  now = Date.now(),
): Promise<Page<Note>> {
  const cursor = decodeListCursor(query, now);
  const filter: Filter<NoteReadDoc> = { tenant_company_id: reader.companyId };
  if (reader.scope === 'company') filter.company_visible = true;
  if (query.contact_id !== undefined) filter.contact_id = query.contact_id;
  if (query.pinned !== undefined) filter.pinned = query.pinned;
  if (query.note_type !== undefined) filter.note_type = query.note_type;
  if (query.discarded !== 'include') filter._discarded = query.discarded === 'only';
  if (query.q !== undefined) filter._search = { $regex: escapeRegex(query.q.toLowerCase()) };
  const { docs, more } = await walkPage({
    collection: models.notesTasks.notes,
    filter,
    key: '_o',
    direction: -1,
    limit: query.limit,
    after: cursor,
    accept: async (batch) => {
      const contacts = await visibleContacts(
        models,
        reader,
        batch.map((d) => d.contact_id),
      );
      return batch.map((doc) => {
        const contact = contacts.get(doc.contact_id);
        return contact !== undefined && (query.contact_discarded === 'include' || !contact._discarded);
      });
    },
  });
  const last = docs[docs.length - 1];
  return {
    items: docs.map(noteFromDoc),
    next_cursor:
      more && last
        ? encodeListCursor({ k: last._o, i: last.id, t: cursor?.t ?? now, f: fingerprint(query) })
        : null,
  };
}

/** One note, if the reader may see it (its contact is theirs to see, discarded or not). */
export async function getNote(
  models: ReadModelCollections,
  reader: Reader,
  noteId: number,
): Promise<{ note: Note; version: number } | null> {
  const doc = await models.notesTasks.notes.findOne({ _id: noteReadId(reader.companyId, noteId) });
  if (!doc || (await visibleContacts(models, reader, [doc.contact_id])).size === 0) return null;
  return { note: noteFromDoc(doc), version: doc._v };
}

function summaryOf(contact: ContactReadDoc | undefined): TaskContactSummary | null {
  if (!contact) return null;
  return {
    id: contact.id,
    first_name: contact.first_name,
    last_name: contact.last_name,
    full_name: contact.full_name,
  };
}

const taskScopeFilter = (reader: Reader): Filter<TaskReadDoc> =>
  reader.scope === 'user'
    ? { tenant_company_id: reader.companyId, user_id: reader.userId, deleted_at: null }
    : { tenant_company_id: reader.companyId, created_by: 'company', deleted_at: null };

/** Tasks with their contact summaries (the contact as the reader may see it, else null). */
async function tasksWithContacts(
  models: ReadModelCollections,
  reader: Reader,
  docs: TaskReadDoc[],
  now: Date,
) {
  const ids = docs.flatMap((d) => (d.contact_id === null ? [] : [d.contact_id]));
  const contacts =
    ids.length > 0 ? await visibleContacts(models, reader, ids) : new Map<number, ContactReadDoc>();
  return docs.map((doc) =>
    taskFromDoc(doc, doc.contact_id === null ? null : summaryOf(contacts.get(doc.contact_id)), now),
  );
}

/**
 * The task list by due_at (none last), in the reader's scope. `status` is judged at the walk's
 * start (carried in the cursor), so a walk lists exactly the tasks that had that status then.
 */
export async function listTasks(
  models: ReadModelCollections,
  reader: Reader,
  query: TaskListQuery,
  now = Date.now(),
): Promise<Page<Task>> {
  const cursor = decodeListCursor(query, now);
  const at = cursor?.t ?? now;
  const atIso = new Date(at).toISOString();
  const filter: Filter<TaskReadDoc> = taskScopeFilter(reader);
  if (query.contact_id !== undefined) filter.contact_id = query.contact_id;
  const due: Record<string, string> = {};
  switch (query.status) {
    case 'completed':
      filter.completed_at = { $ne: null };
      break;
    case 'open':
      filter.completed_at = null;
      break;
    case 'overdue':
      filter.completed_at = null;
      due['$lt'] = atIso; // '~' (no due date) sorts after every date, so it is never overdue
      break;
    case 'pending':
      filter.completed_at = null;
      due['$gte'] = atIso;
      break;
    case undefined:
      break;
  }
  if (query.due_before !== undefined) {
    const before = new Date(query.due_before).toISOString();
    due['$lt'] = due['$lt'] !== undefined && due['$lt'] < before ? due['$lt'] : before;
  }
  if (query.due_after !== undefined) {
    const after = new Date(query.due_after).toISOString();
    due['$gte'] = due['$gte'] !== undefined && due['$gte'] > after ? due['$gte'] : after;
    due['$lt'] ??= '~';
  }
  if (Object.keys(due).length > 0) filter._da = due;
  const descending = query.sort === '-due_at';
  const key = descending ? '_dd' : '_da';
  const { docs, more } = await walkPage({
    collection: models.notesTasks.tasks,
    filter,
    key,
    direction: descending ? -1 : 1,
    limit: query.limit,
    after: cursor,
    accept: async (batch) => {
      if (query.contact_discarded === 'include') return batch.map(() => true);
      const discarded = await discardedContacts(
        models,
        reader.companyId,
        batch.flatMap((d) => (d.contact_id === null ? [] : [d.contact_id])),
      );
      return batch.map((doc) => doc.contact_id === null || !discarded.has(doc.contact_id));
    },
  });
  const last = docs[docs.length - 1];
  return {
    items: await tasksWithContacts(models, reader, docs, new Date(at)),
    next_cursor:
      more && last ? encodeListCursor({ k: last[key], i: last.id, t: at, f: fingerprint(query) }) : null,
  };
}

export async function getTask(
  models: ReadModelCollections,
  reader: Reader,
  taskId: number,
  now = new Date(),
): Promise<{ task: Task; version: number } | null> {
  const doc = await models.notesTasks.tasks.findOne({ _id: taskReadId(reader.companyId, taskId) });
  // The same rule as the list's scope filter: the assignee, or the company for the tasks it created.
  const visible =
    doc !== null &&
    doc.tenant_company_id === reader.companyId &&
    doc.deleted_at === null &&
    (reader.scope === 'user' ? doc.user_id === reader.userId : doc.created_by === 'company');
  if (!visible) return null;
  const [task] = await tasksWithContacts(models, reader, [doc], now);
  return { task: task!, version: doc._v };
}

/** The timeline cursor: the last entry's sort key and `_id` (newest first). */
export function encodeActivityCursor(last: { _o: string; _id: string }): string {
  return Buffer.from(JSON.stringify({ o: last._o, i: last._id }), 'utf8').toString('base64url');
}

export function decodeActivityCursor(cursor: string | undefined): { o: string; i: string } | undefined {
  if (cursor === undefined) return undefined;
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as {
      o?: unknown;
      i?: unknown;
    };
    if (typeof value.o === 'string' && typeof value.i === 'string') return { o: value.o, i: value.i };
  } catch {
    // falls through to the 400
  }
  throw invalidListQuery([{ field: 'cursor', message: 'is not a cursor from this API' }]);
}

/**
 * A page of a contact's timeline as the reader may see it (a company: the company-visible
 * entries), newest first, optionally of one `type` and since an instant. The card's first page and
 * `GET …/contacts/:id/activities` share it, so the card's cursor continues there. The caller checks
 * that the reader sees the contact.
 */
export async function contactActivities(
  models: ReadModelCollections,
  reader: Reader,
  contactId: number,
  options: {
    limit: number;
    cursor?: string | undefined;
    type?: string | undefined;
    since?: string | undefined;
  },
): Promise<Page<Activity>> {
  const after = decodeActivityCursor(options.cursor);
  const { entries, next } = await listActivities(models.activities, {
    tenantCompanyId: reader.companyId,
    contactId,
    companyVisibleOnly: reader.scope === 'company',
    ...(options.type !== undefined ? { type: options.type } : {}),
    ...(options.since !== undefined ? { since: options.since } : {}),
    ...(after ? { after: { o: after.o, id: after.i } } : {}),
    limit: options.limit,
  });
  return {
    items: entries.map(activityResource),
    next_cursor: next ? encodeActivityCursor({ _o: next.o, _id: next.id }) : null,
  };
}

/**
 * The contact card: the contact, its newest activities, its live notes (pinned first, then
 * newest) and its open tasks (soonest due first), each part capped with a cursor for its own list.
 * Null when the reader may not see the contact.
 */
export async function contactCard(
  models: ReadModelCollections,
  reader: Reader,
  contactId: number,
  now = Date.now(),
): Promise<{ card: ContactCard; version: number } | null> {
  const contact = (await visibleContacts(models, reader, [contactId])).get(contactId);
  if (!contact) return null;
  // The parts' cursors continue on the lists with these same filters (a discarded contact's card
  // still shows its notes and tasks: its lists need `contact_discarded=include`).
  const list = {
    cursor: undefined,
    contact_discarded: contact._discarded ? ('include' as const) : ('exclude' as const),
  };
  const [contacts, activities, notes, tasks] = await Promise.all([
    contactsWithGroups([contact], models.groups),
    contactActivities(models, reader, contactId, { limit: CARD_ACTIVITIES_MAX }),
    listNotes(
      models,
      reader,
      { ...list, limit: CARD_NOTES_MAX, contact_id: contactId, discarded: 'exclude' },
      now,
    ),
    listTasks(
      models,
      reader,
      { ...list, limit: CARD_TASKS_MAX, contact_id: contactId, status: 'open', sort: 'due_at' },
      now,
    ),
  ]);
  return {
    card: { contact: contacts[0]!, activities, notes, open_tasks: tasks },
    version: contact._v,
  };
}
