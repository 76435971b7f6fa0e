import type { Collection, Db, IndexDescription } from 'mongodb';
import {
  noteDueAt,
  type Note,
  type NoteEvent,
  type Task,
  type TaskContactSummary,
  type TaskEvent,
  taskStatus,
} from '@reps/contracts';

/**
 * The notes and tasks read models: one document per note / task (`_id` `<tenant>:<id>`, written
 * only by the consumer of its partition, next version only, like a group). What depends on the
 * contact — who may see a note, whether the contact is discarded, a task's `contact` summary — is
 * not stored: contacts-query derives it when reading, from the contact documents found by `_id`,
 * so a rename, a reassignment or a discard is right at once whatever order the topics were
 * projected in, and a replay from offset 0 yields the same documents as the live projection.
 */
export interface NoteReadDoc extends Omit<Note, 'due_at'> {
  _id: string;
  _v: number;
  tenant_company_id: number;
  /** Fixed with the contact's: whether the company scope may see the note. */
  company_visible: boolean;
  created_by: 'user' | 'company';
  _discarded: boolean;
  /** List order (pinned first, then newest): `1|0` + created_at in UTC, compared descending. */
  _o: string;
  /** Lower-cased title and body, for `q`. */
  _search: string;
}

export interface TaskReadDoc extends Omit<Task, 'contact' | 'status'> {
  _id: string;
  _v: number;
  tenant_company_id: number;
  /** Set by task.deleted: kept, so a redelivered older event cannot bring the task back. */
  deleted_at: string | null;
  /** due_at in UTC for ascending order, `~` (after every date) when there is none: no due date sorts last. */
  _da: string;
  /** The same for descending order, '' (before every date) when there is none. */
  _dd: string;
}

export const noteReadId = (tenantCompanyId: number, noteId: number) => `${tenantCompanyId}:${noteId}`;
export const taskReadId = (tenantCompanyId: number, taskId: number) => `${tenantCompanyId}:${taskId}`;

const utc = (instant: string) => new Date(instant).toISOString();

function noteKeys(doc: Omit<NoteReadDoc, '_o' | '_search' | '_discarded'>): NoteReadDoc {
  return {
    ...doc,
    _discarded: doc.discarded_at !== null,
    _o: `${doc.pinned ? 1 : 0}${utc(doc.created_at)}`,
    _search: `${doc.title ?? ''}\n${doc.body}`.toLowerCase(),
  };
}

function taskKeys(doc: Omit<TaskReadDoc, '_da' | '_dd'>): TaskReadDoc {
  return {
    ...doc,
    _da: doc.due_at === null ? '~' : utc(doc.due_at),
    _dd: doc.due_at === null ? '' : utc(doc.due_at),
  };
}

/** What an event does to a document: the next one, or why it does not apply. */
export type ApplyResult<D> =
  { kind: 'next'; doc: D } | { kind: 'duplicate' } | { kind: 'gap' } | { kind: 'rejected'; detail: string };

/** Applies one note event to its document (null: none yet) if it is the next version. */
export function applyNoteEvent(doc: NoteReadDoc | null, event: NoteEvent): ApplyResult<NoteReadDoc> {
  const current = doc?._v ?? 0;
  if (event.aggregate_version <= current) return { kind: 'duplicate' };
  if (event.aggregate_version > current + 1) return { kind: 'gap' };
  if (event.type === 'note.created') {
    const { tenant_company_id, created_by, created_at, ...fields } = event.data;
    return {
      kind: 'next',
      doc: noteKeys({
        _id: noteReadId(tenant_company_id, fields.id),
        _v: event.aggregate_version,
        tenant_company_id,
        company_visible: event.company_visible,
        created_by,
        ...fields,
        created_at,
        updated_at: created_at,
        discarded_at: null,
      }),
    };
  }
  if (doc === null) return { kind: 'rejected', detail: `${event.type} before note.created` };
  const base = { ...doc, _v: event.aggregate_version };
  switch (event.type) {
    case 'note.updated':
      return {
        kind: 'next',
        doc: noteKeys({ ...base, ...event.data.changes, updated_at: event.data.updated_at }),
      };
    case 'note.discarded':
      return {
        kind: 'next',
        doc: noteKeys({
          ...base,
          discarded_at: event.data.discarded_at,
          updated_at: event.data.discarded_at,
        }),
      };
    case 'note.restored':
      return {
        kind: 'next',
        doc: noteKeys({ ...base, discarded_at: null, updated_at: event.data.restored_at }),
      };
    default: {
      const _exhaustive: never = event;
      return { kind: 'rejected', detail: `unknown note event ${JSON.stringify(_exhaustive)}` };
    }
  }
}

/** Applies one task event to its document if it is the next version. */
export function applyTaskEvent(doc: TaskReadDoc | null, event: TaskEvent): ApplyResult<TaskReadDoc> {
  const current = doc?._v ?? 0;
  if (event.aggregate_version <= current) return { kind: 'duplicate' };
  if (event.aggregate_version > current + 1) return { kind: 'gap' };
  if (event.type === 'task.created') {
    const { tenant_company_id, created_at, ...fields } = event.data;
    return {
      kind: 'next',
      doc: taskKeys({
        _id: taskReadId(tenant_company_id, fields.id),
        _v: event.aggregate_version,
        tenant_company_id,
        company_id: fields.created_by === 'company' ? tenant_company_id : null,
        ...fields,
        completed_at: null,
        created_at,
        updated_at: created_at,
        deleted_at: null,
      }),
    };
  }
  if (doc === null) return { kind: 'rejected', detail: `${event.type} before task.created` };
  const base = { ...doc, _v: event.aggregate_version };
  switch (event.type) {
    case 'task.updated':
      return {
        kind: 'next',
        doc: taskKeys({ ...base, ...event.data.changes, updated_at: event.data.updated_at }),
      };
    case 'task.completed':
      return {
        kind: 'next',
        doc: taskKeys({
          ...base,
          completed_at: event.data.completed_at,
          updated_at: event.data.completed_at,
        }),
      };
    case 'task.reopened':
      return {
        kind: 'next',
        doc: taskKeys({ ...base, completed_at: null, updated_at: event.data.reopened_at }),
      };
    case 'task.deleted':
      return {
        kind: 'next',
        doc: taskKeys({ ...base, deleted_at: event.data.deleted_at, updated_at: event.data.deleted_at }),
      };
    default: {
      const _exhaustive: never = event;
      return { kind: 'rejected', detail: `unknown task event ${JSON.stringify(_exhaustive)}` };
    }
  }
}

export function noteFromDoc(doc: NoteReadDoc): Note {
  return {
    id: doc.id,
    company_id: doc.company_id,
    contact_id: doc.contact_id,
    user_id: doc.user_id,
    title: doc.title,
    body: doc.body,
    note_type: doc.note_type,
    due_date: doc.due_date,
    due_time: doc.due_time,
    pinned: doc.pinned,
    assets: doc.assets,
    due_at: noteDueAt(doc.due_date, doc.due_time),
    created_at: doc.created_at,
    updated_at: doc.updated_at,
    discarded_at: doc.discarded_at,
  };
}

export function taskFromDoc(doc: TaskReadDoc, contact: TaskContactSummary | null, now: Date): Task {
  return {
    id: doc.id,
    company_id: doc.company_id,
    user_id: doc.user_id,
    contact_id: doc.contact_id,
    contact,
    body: doc.body,
    due_at: doc.due_at,
    completed_at: doc.completed_at,
    status: taskStatus(doc, now),
    created_by: doc.created_by,
    created_at: doc.created_at,
    updated_at: doc.updated_at,
  };
}

export interface NoteTaskCollections {
  notes: Collection<NoteReadDoc>;
  tasks: Collection<TaskReadDoc>;
}

export function noteTaskCollections(db: Db, prefix: string, generation: string): NoteTaskCollections {
  return {
    notes: db.collection<NoteReadDoc>(`${prefix}notes_${generation}`),
    tasks: db.collection<TaskReadDoc>(`${prefix}tasks_${generation}`),
  };
}

/** For MongoDB (not created on FerretDB, whose lists scan: see docs/notes-and-tasks.md). */
export const noteIndexes: IndexDescription[] = [
  { key: { tenant_company_id: 1, contact_id: 1, _discarded: 1, _o: -1, id: -1 }, name: 'notes_of_contact' },
  { key: { tenant_company_id: 1, _discarded: 1, _o: -1, id: -1 }, name: 'notes_of_tenant' },
];
export const taskIndexes: IndexDescription[] = [
  { key: { tenant_company_id: 1, user_id: 1, _da: 1, id: 1 }, name: 'tasks_of_rep' },
  { key: { tenant_company_id: 1, contact_id: 1, _da: 1, id: 1 }, name: 'tasks_of_contact' },
  { key: { tenant_company_id: 1, created_by: 1, _da: 1, id: 1 }, name: 'tasks_of_company' },
];
