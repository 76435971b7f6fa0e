import { z } from 'zod';
import { PositiveId } from '../contacts/contact-fields';
import {
  readOnlyFields,
  requireSomeField,
  strictBody,
  unwrapResourceBody,
  type Writable,
} from '../validation/strict-body';
import { TaskBody, TaskDueAt } from './task-events';
import { TASK_READ_ONLY_FIELDS } from './task-resource';

const trimmed = (value: unknown) => (typeof value === 'string' ? value.trim() : value);
const bodyInput = z.preprocess(trimmed, TaskBody);
const assignee = PositiveId.meta({
  description:
    'The assignee rep: required from a company (one of its reps), read-only for a rep (always themselves)',
});

/** POST /api/{user|company}/crm/v202506/tasks */
export const TaskCreateBody = strictBody({
  ...readOnlyFields(TASK_READ_ONLY_FIELDS),
  user_id: assignee.optional(),
  contact_id: PositiveId.nullable()
    .default(null)
    .meta({ description: 'A contact the caller can see, or null' }),
  body: bodyInput,
  due_at: TaskDueAt.default(null),
}).meta({ title: 'TaskCreateBody' });
export type TaskCreateBody = Writable<z.output<typeof TaskCreateBody>>;

/**
 * PATCH /api/{user|company}/crm/v202506/tasks/:id — only the given fields change; a new `due_at`
 * reschedules, `completed: true` completes (sets completed_at), `false` reopens.
 */
export const TaskUpdateBody = strictBody({
  ...readOnlyFields(TASK_READ_ONLY_FIELDS),
  user_id: assignee.optional(),
  contact_id: PositiveId.nullable().optional(),
  body: bodyInput.optional(),
  due_at: TaskDueAt.optional(),
  completed: z.boolean({ error: 'must be true or false' }).optional(),
})
  .superRefine(requireSomeField)
  .meta({ title: 'TaskUpdateBody' });
export type TaskUpdateBody = Writable<z.output<typeof TaskUpdateBody>>;

/** Accepts both `{"task": {...}}` and the bare object. */
export function unwrapTaskBody(body: unknown): unknown {
  return unwrapResourceBody(body, 'task');
}
