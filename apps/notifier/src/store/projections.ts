import type { Collection, Db } from 'mongodb';
import { bulkWriteInCommands, findByIds } from '@reps/mongo';
import type { ContactEvent } from '@reps/contracts';
import type { TaskReminderState } from '../pipeline/task-reminder-state';

/**
 * What the notifier keeps of other services' data, built from their topics so a push never
 * calls another service: contact names (`_id` = contact id) and task reminder state (`_id` =
 * task id). Each is applied only past the version it holds, so redelivered events are no-ops.
 */

interface ContactNameDoc {
  /** The contact id as a string (what `findByIds` looks up). */
  _id: string;
  first_name: string | null;
  last_name: string | null;
  version: number;
}

export function fullName(first: string | null, last: string | null): string | null {
  const joined = [first, last]
    .map((part) => part?.trim() ?? '')
    .filter((part) => part !== '')
    .join(' ');
  return joined === '' ? null : joined;
}

export interface ContactNames {
  nameOf(contactId: number): Promise<string | null>;
  /** Applies a batch of contact events (in topic order): one read per contact, writes in bounded commands. */
  applyBatch(events: ContactEvent[]): Promise<void>;
}

/** Pure: a contact's name after one event, or undefined when the event is not news (duplicate, older, unseen contact). */
export function evolveContactName(
  current: Omit<ContactNameDoc, '_id'> | undefined,
  event: ContactEvent,
): Omit<ContactNameDoc, '_id'> | undefined {
  if (current && current.version >= event.aggregate_version) return undefined;
  if (event.type === 'contact.created')
    return {
      first_name: event.data.first_name,
      last_name: event.data.last_name,
      version: event.aggregate_version,
    };
  if (!current) return undefined;
  if (event.type === 'contact.updated')
    return {
      first_name:
        event.data.changes.first_name !== undefined ? event.data.changes.first_name : current.first_name,
      last_name:
        event.data.changes.last_name !== undefined ? event.data.changes.last_name : current.last_name,
      version: event.aggregate_version,
    };
  return { ...current, version: event.aggregate_version };
}

export function createContactNames(db: Db): ContactNames {
  const collection: Collection<ContactNameDoc> = db.collection('contact_names');
  return {
    async nameOf(contactId) {
      const doc = await collection.findOne({ _id: String(contactId) });
      return doc ? fullName(doc.first_name, doc.last_name) : null;
    },
    async applyBatch(events) {
      if (events.length === 0) return;
      const stored = await findByIds(
        collection,
        events.map((event) => String(event.aggregate_id)),
      );
      const next = new Map<string, Omit<ContactNameDoc, '_id'>>();
      for (const event of events) {
        const id = String(event.aggregate_id);
        const current = next.get(id) ?? stored.get(id);
        const evolved = evolveContactName(current, event);
        if (evolved) next.set(id, evolved);
      }
      const { writeErrors } = await bulkWriteInCommands(
        collection,
        [...next].map(([_id, doc]) => ({ replaceOne: { filter: { _id }, replacement: doc, upsert: true } })),
        { ordered: false },
      );
      if (writeErrors.length > 0)
        throw new Error(`contact names: ${writeErrors.length} writes failed (${writeErrors[0]!.message})`);
    },
  };
}

interface TaskReminderDoc extends TaskReminderState {
  _id: number;
}

export interface TaskReminders {
  get(taskId: number): Promise<TaskReminderState | null>;
  put(state: TaskReminderState): Promise<void>;
}

export function createTaskReminders(db: Db): TaskReminders {
  const collection: Collection<TaskReminderDoc> = db.collection('task_reminders');
  return {
    async get(taskId) {
      const doc = await collection.findOne({ _id: taskId });
      if (!doc) return null;
      const { _id: _key, ...state } = doc;
      return state;
    },
    async put(state) {
      await collection.replaceOne({ _id: state.task_id }, state, { upsert: true });
    },
  };
}
