import { z } from 'zod';
import {
  eventEnvelopeSchema,
  eventPayloadUnion,
  publishedEvents,
  fieldChangesData,
} from '../events/event-envelope';
import { IsoDateTime, PositiveId } from '../contacts/contact-fields';

/**
 * The public Kafka contract for tasks (DESIGN §6), published on `crm.tasks.v1` and keyed by the
 * task id. The notifier schedules a reminder at `due_at` from these events; analytics consume
 * them as they are. Same versioning rules as contacts.
 */

export const TASKS_TOPIC = 'crm.tasks.v1';

export const TASK_EVENT_TYPES = [
  'task.created',
  'task.updated',
  'task.completed',
  'task.reopened',
  'task.deleted',
] as const;
export type TaskEventType = (typeof TASK_EVENT_TYPES)[number];

export const TASK_BODY_MAX = 5000;
export const TASK_CREATORS = ['user', 'company'] as const;

export const TaskBody = z.string().min(1).max(TASK_BODY_MAX);
export const TaskDueAt = IsoDateTime.nullable().meta({
  description: 'When the task is due (RFC 3339 with an offset), or null: the reminder is pushed then.',
});

/** The fields a `task.updated` may change. */
export const TaskChangeableFields = z.object({
  user_id: PositiveId.meta({ description: 'The assignee rep.' }),
  contact_id: PositiveId.nullable(),
  body: TaskBody,
  due_at: TaskDueAt,
});
export const TaskFieldChanges = TaskChangeableFields.partial();
export type TaskFieldChanges = z.output<typeof TaskFieldChanges>;

export const TaskCreatedData = z
  .object({
    id: PositiveId,
    tenant_company_id: PositiveId.meta({ description: 'Same as the envelope company_id.' }),
    user_id: PositiveId.meta({ description: 'The assignee rep (same as the envelope user_id).' }),
    contact_id: PositiveId.nullable(),
    body: TaskBody,
    due_at: TaskDueAt,
    created_by: z
      .enum(TASK_CREATORS)
      .meta({ description: 'Who created it: the rep, or the company for one of its reps.' }),
    created_at: IsoDateTime,
  })
  .meta({ description: 'The full initial state of the task.' });
export type TaskCreatedData = z.output<typeof TaskCreatedData>;

export const TaskUpdatedData = fieldChangesData(
  TaskFieldChanges,
  'Only the fields that changed (a new due_at reschedules the reminder), with their previous values.',
);
export type TaskUpdatedData = z.output<typeof TaskUpdatedData>;

export const TaskCompletedData = z
  .object({
    completed_at: IsoDateTime,
    contact_id: PositiveId.nullable().optional().meta({
      description: 'The task’s contact at the time (for the contact’s timeline); absent in older events.',
    }),
  })
  .meta({ description: 'The task was done; no reminder is pushed for it any more.' });
export type TaskCompletedData = z.output<typeof TaskCompletedData>;

export const TaskReopenedData = z
  .object({ reopened_at: IsoDateTime })
  .meta({ description: 'A completed task is pending (or overdue) again.' });
export type TaskReopenedData = z.output<typeof TaskReopenedData>;

export const TaskDeletedData = z
  .object({ deleted_at: IsoDateTime })
  .meta({ description: 'The task is gone; no reminder is pushed for it.' });
export type TaskDeletedData = z.output<typeof TaskDeletedData>;

export const taskEventDataSchemas = {
  'task.created': TaskCreatedData,
  'task.updated': TaskUpdatedData,
  'task.completed': TaskCompletedData,
  'task.reopened': TaskReopenedData,
  'task.deleted': TaskDeletedData,
} as const satisfies Record<TaskEventType, z.ZodType>;

/** An event as the domain decides it: type and data, before the service wraps it in an envelope. */
export const TaskEventData = eventPayloadUnion(taskEventDataSchemas);
export type TaskEventData = z.output<typeof TaskEventData>;

/** The §3 envelope with task wording: the aggregate is the task, `user_id` its assignee. */
export const TaskEventEnvelope = eventEnvelopeSchema({
  aggregateId: 'The task id; the Kafka key is its decimal string.',
  aggregateVersion: "1 for task.created, then +1 per event of this task: the stream's order.",
  userId: 'The assignee rep after this event (who gets the reminder).',
  companyVisible: 'True iff the company scope sees the task (it created it).',
});

const published = publishedEvents(TaskEventEnvelope, taskEventDataSchemas);
/** Each event as published on `crm.tasks.v1`, keyed by the task id. */
export const taskEventSchemas = published.schemas;
export const TaskEvent = published.union;
export type TaskEvent = z.output<typeof TaskEvent>;
export type TaskEventOf<T extends TaskEventType> = Extract<TaskEvent, { type: T }>;

/** The Kafka message key of a task's events. */
export function taskEventKey(taskId: number): string {
  return String(taskId);
}
