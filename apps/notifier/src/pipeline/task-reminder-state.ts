import type { TaskEvent } from '@reps/contracts';

/**
 * Pure: the little the notifier remembers of a task (to schedule and word its reminder) and how
 * each `crm.tasks.v1` event changes it. `reminder` names the event that set the current
 * schedule: its id is the reminder job's id, so a redelivered event schedules nothing new and a
 * reschedule is a new job (the old one is removed).
 */
export interface TaskReminderState {
  task_id: number;
  company_id: number;
  user_id: number;
  contact_id: number | null;
  body: string;
  due_at: string | null;
  completed: boolean;
  deleted: boolean;
  version: number;
  reminder: { event_id: string; due_at: string } | null;
}

function schedule(
  state: Omit<TaskReminderState, 'reminder'>,
  eventId: string,
  now: Date,
  maxLateMs: number,
): TaskReminderState['reminder'] {
  if (state.completed || state.deleted || state.due_at === null) return null;
  // A reminder long overdue when it is (re)scheduled, e.g. while replaying old events, is news no one wants.
  if (Date.parse(state.due_at) < now.getTime() - maxLateMs) return null;
  return { event_id: eventId, due_at: state.due_at };
}

/**
 * The state after `event`, or undefined when the event changes nothing (a duplicate or an older
 * version, or an update of a task whose creation the notifier never saw).
 */
export function evolveTaskReminder(
  state: TaskReminderState | null,
  event: TaskEvent,
  now: Date,
  maxLateMs: number,
): TaskReminderState | undefined {
  if (state && event.aggregate_version <= state.version) return undefined;
  if (event.type === 'task.created') {
    const next = {
      task_id: event.data.id,
      company_id: event.company_id,
      user_id: event.user_id,
      contact_id: event.data.contact_id,
      body: event.data.body,
      due_at: event.data.due_at,
      completed: false,
      deleted: false,
      version: event.aggregate_version,
    };
    return { ...next, reminder: schedule(next, event.id, now, maxLateMs) };
  }
  if (!state) return undefined;
  const base = { ...state, version: event.aggregate_version, user_id: event.user_id };
  switch (event.type) {
    case 'task.updated': {
      const changes = event.data.changes;
      const next = {
        ...base,
        ...(changes.contact_id !== undefined ? { contact_id: changes.contact_id } : {}),
        ...(changes.body !== undefined ? { body: changes.body } : {}),
        ...(changes.due_at !== undefined ? { due_at: changes.due_at } : {}),
      };
      const moved = changes.due_at !== undefined || next.user_id !== state.user_id;
      return { ...next, reminder: moved ? schedule(next, event.id, now, maxLateMs) : state.reminder };
    }
    case 'task.completed':
      return { ...base, completed: true, reminder: null };
    case 'task.reopened': {
      const next = { ...base, completed: false };
      return { ...next, reminder: schedule(next, event.id, now, maxLateMs) };
    }
    case 'task.deleted':
      return { ...base, deleted: true, reminder: null };
  }
}
