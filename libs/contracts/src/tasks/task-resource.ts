import { z } from 'zod';
import { IsoDateTime, PositiveId } from '../contacts/contact-fields';
import { TASK_CREATORS, TaskBody, TaskDueAt } from './task-events';

export const TASK_STATUSES = ['pending', 'completed', 'overdue'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** What a task shows of its contact: enough to label it, kept current when the contact is renamed. */
export const TaskContactSummary = z
  .object({
    id: PositiveId,
    first_name: z.string().nullable(),
    last_name: z.string().nullable(),
    full_name: z.string().nullable(),
  })
  .meta({ title: 'TaskContactSummary' });
export type TaskContactSummary = z.output<typeof TaskContactSummary>;

/** The Task resource (DESIGN §6). */
export const Task = z
  .object({
    id: PositiveId,
    company_id: PositiveId.nullable().meta({
      description:
        'The public company id: set when the company created the task (the company scope sees it), else null',
    }),
    user_id: PositiveId.meta({ description: 'The assignee rep' }),
    contact_id: PositiveId.nullable(),
    contact: TaskContactSummary.nullable(),
    body: TaskBody,
    due_at: TaskDueAt,
    completed_at: IsoDateTime.nullable(),
    status: z.enum(TASK_STATUSES).meta({
      description: '`completed` when completed_at is set, else `overdue` when due_at is past, else `pending`',
    }),
    created_by: z.enum(TASK_CREATORS),
    created_at: IsoDateTime,
    updated_at: IsoDateTime,
  })
  .meta({
    title: 'Task',
    description: 'A to-do of one rep, optionally on a contact; a reminder is pushed at due_at.',
  });
export type Task = z.output<typeof Task>;

export const TASK_READ_ONLY_FIELDS = [
  'id',
  'company_id',
  'contact',
  'completed_at',
  'status',
  'created_by',
  'created_at',
  'updated_at',
] as const;

/** The derived status, at `now`. */
export function taskStatus(
  task: { completed_at: string | null; due_at: string | null },
  now: Date,
): TaskStatus {
  if (task.completed_at !== null) return 'completed';
  if (task.due_at !== null && Date.parse(task.due_at) < now.getTime()) return 'overdue';
  return 'pending';
}
