import type { Collection, Db } from 'mongodb';
import type { ContactEvent } from '@reps/contracts';
import type { TaskReminderState } from '../pipeline/task-reminder-state';

/**
 * What the notifier keeps of other services' data, built from their topics so a push never
 * calls another service: contact names (`_id` = contact id) and task reminder state (`_id` =
 * task id). Each is applied only past the version it holds, so redelivered events are no-ops.
 */

interface ContactNameDoc {
  _id: number;
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
  apply(event: ContactEvent): Promise<void>;
}

export function createContactNames(db: Db): ContactNames {
  const collection: Collection<ContactNameDoc> = db.collection('contact_names');
  return {
    async nameOf(contactId) {
      const doc = await collection.findOne({ _id: contactId });
      return doc ? fullName(doc.first_name, doc.last_name) : null;
    },
    async apply(event) {
      const current = await collection.findOne({ _id: event.aggregate_id });
      if (current && current.version >= event.aggregate_version) return;
      let first = current?.first_name ?? null;
      let last = current?.last_name ?? null;
      if (event.type === 'contact.created') {
        first = event.data.first_name;
        last = event.data.last_name;
      } else if (event.type === 'contact.updated') {
        if (event.data.changes.first_name !== undefined) first = event.data.changes.first_name;
        if (event.data.changes.last_name !== undefined) last = event.data.changes.last_name;
      } else if (!current) {
        return;
      }
      await collection.replaceOne(
        { _id: event.aggregate_id },
        { first_name: first, last_name: last, version: event.aggregate_version },
        { upsert: true },
      );
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
