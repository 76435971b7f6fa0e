import { TaskEvent } from '@reps/contracts';
import { activitySource } from '../activity-source';

/**
 * `crm.tasks.v1` on the timeline: a task created on the contact and one completed (tasks without
 * a contact are on no timeline). The assignee's feed shows them; a company sees the entries of the
 * tasks it created, as it sees those tasks.
 */
export const taskActivities = activitySource('tasks', TaskEvent, {
  'task.created': (event) =>
    event.data.contact_id === null
      ? null
      : {
          contact_id: event.data.contact_id,
          summary: event.data.created_by === 'company' ? 'Task assigned' : 'Task created',
          data: { task_id: event.aggregate_id, due_at: event.data.due_at },
        },
  'task.completed': (event) =>
    event.data.contact_id == null
      ? null
      : {
          contact_id: event.data.contact_id,
          summary: 'Task completed',
          data: { task_id: event.aggregate_id },
        },
});
