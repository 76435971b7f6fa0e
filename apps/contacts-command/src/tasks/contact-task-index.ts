import type { Collection } from 'mongodb';
import { isDuplicateKeyError } from '@reps/mongo';

/**
 * Which tasks were ever put on a contact, as numbered insert-only slots (`_id`
 * `<contactId>:<n>` → task id), read by `_id` lookups only: FerretDB answers nothing else without
 * a scan, and a read-modify-write of one list document is not atomic there. A slot is written
 * before the task's event, so a task on a contact is always indexed; a slot whose task never
 * landed, moved to another contact or was deleted is skipped by whoever reads it.
 */
export interface ContactTaskSlotDoc {
  _id: string;
  task_id: number;
}

export interface ContactTaskIndex {
  add(contactId: number, taskId: number): Promise<void>;
  taskIds(contactId: number): Promise<number[]>;
}

const READ_AHEAD = 8;

export function createContactTaskIndex(slots: Collection<ContactTaskSlotDoc>): ContactTaskIndex {
  const slotId = (contactId: number, n: number) => `${contactId}:${n}`;

  async function taskIds(contactId: number): Promise<number[]> {
    const ids: number[] = [];
    for (let first = 1, count = 1; ; first += count, count = READ_AHEAD) {
      const docs = await Promise.all(
        Array.from({ length: count }, (_, i) => slots.findOne({ _id: slotId(contactId, first + i) })),
      );
      for (const doc of docs) {
        if (!doc) return ids;
        ids.push(doc.task_id);
      }
    }
  }

  return {
    taskIds,
    async add(contactId, taskId) {
      const known = await taskIds(contactId);
      if (known.includes(taskId)) return;
      for (let n = known.length + 1; ; n++) {
        try {
          await slots.insertOne({ _id: slotId(contactId, n), task_id: taskId });
          return;
        } catch (error) {
          if (!isDuplicateKeyError(error)) throw error;
          if ((await slots.findOne({ _id: slotId(contactId, n) }))?.task_id === taskId) return;
        }
      }
    },
  };
}
