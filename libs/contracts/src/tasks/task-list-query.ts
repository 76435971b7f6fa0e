import { z } from 'zod';
import { IsoDateTime } from '../contacts/contact-fields';
import { parseQuery } from '../validation/parse-query';
import { listQueryFields, positiveIdText } from '../validation/list-query-fields';

/** `open` is pending or overdue: what the card shows, so its cursor continues here. */
export const TASK_LIST_STATUSES = ['pending', 'completed', 'overdue', 'open'] as const;
export type TaskListStatus = (typeof TASK_LIST_STATUSES)[number];
export const TASK_LIST_SORTS = ['due_at', '-due_at'] as const;

/** The task list, by `due_at` (tasks without one last), then id. Strict: an unknown parameter is a 400. */
export const TaskListQuery = z
  .strictObject({
    ...listQueryFields,
    status: z
      .enum(TASK_LIST_STATUSES, { error: `must be one of ${TASK_LIST_STATUSES.join(', ')}` })
      .optional()
      .meta({
        description:
          '`pending` (not completed, not yet due), `overdue` (not completed, due_at past), `completed`, or `open` (pending or overdue); judged at the time of each request',
      }),
    contact_id: positiveIdText.optional().meta({ description: 'Only the tasks on this contact' }),
    due_before: IsoDateTime.optional().meta({
      description: 'Only tasks with due_at strictly before this instant',
    }),
    due_after: IsoDateTime.optional().meta({
      description: 'Only tasks with due_at at or after this instant',
    }),
    sort: z
      .enum(TASK_LIST_SORTS, { error: `must be one of ${TASK_LIST_SORTS.join(', ')}` })
      .default('due_at')
      .meta({
        description: 'By due_at ascending (default) or descending; tasks without due_at come last either way',
      }),
  })
  .meta({ title: 'TaskListQuery' });
export type TaskListQuery = z.output<typeof TaskListQuery>;

export function parseTaskListQuery(raw: unknown): TaskListQuery {
  return parseQuery(TaskListQuery, raw);
}
