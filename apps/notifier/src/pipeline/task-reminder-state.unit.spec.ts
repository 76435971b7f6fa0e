import { randomUUID } from 'node:crypto';
import type { TaskEvent } from '@reps/contracts';
import { evolveTaskReminder, type TaskReminderState } from './task-reminder-state';

const NOW = new Date('2026-01-10T08:00:00Z');
const LATE = 15 * 60_000;
const inMinutes = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000).toISOString();

function event(version: number, type: TaskEvent['type'], data: unknown, userId = 5): TaskEvent {
  return {
    id: randomUUID(),
    type,
    schema_version: 1,
    occurred_at: NOW.toISOString(),
    aggregate_id: 1,
    aggregate_version: version,
    company_id: 2,
    user_id: userId,
    company_visible: false,
    actor: { scope: 'user', user_id: userId, company_id: 2 },
    correlation_id: 'c',
    causation_id: null,
    data,
  } as TaskEvent;
}

const created = (dueAt: string | null) =>
  event(1, 'task.created', {
    id: 1,
    tenant_company_id: 2,
    user_id: 5,
    contact_id: null,
    body: 'Call',
    due_at: dueAt,
    created_by: 'user',
    created_at: NOW.toISOString(),
  });

/** Given events, then the reminder that stands (or the state). */
function given(...events: TaskEvent[]): TaskReminderState | null {
  return events.reduce<TaskReminderState | null>(
    (state, next) => evolveTaskReminder(state, next, NOW, LATE) ?? state,
    null,
  );
}

describe('task reminder state', () => {
  it('schedules a reminder for a task with a due_at, named by the creating event', () => {
    const create = created(inMinutes(10));
    expect(given(create)?.reminder).toEqual({ event_id: create.id, due_at: inMinutes(10) });
    expect(given(created(null))?.reminder).toBeNull();
  });

  it('moves it when due_at changes (a new schedule event) and keeps it on a body edit', () => {
    const create = created(inMinutes(10));
    const edit = event(2, 'task.updated', {
      changes: { body: 'Call Jane' },
      previous: { body: 'Call' },
      updated_at: NOW.toISOString(),
    });
    const move = event(3, 'task.updated', {
      changes: { due_at: inMinutes(30) },
      previous: { due_at: inMinutes(10) },
      updated_at: NOW.toISOString(),
    });
    expect(given(create, edit)?.reminder?.event_id).toBe(create.id);
    expect(given(create, edit, move)?.reminder).toEqual({ event_id: move.id, due_at: inMinutes(30) });
    expect(given(create, edit, move)?.body).toBe('Call Jane');
  });

  it('drops it when the task is completed or deleted, and brings it back on reopen if still ahead', () => {
    const create = created(inMinutes(10));
    const complete = event(2, 'task.completed', { completed_at: NOW.toISOString() });
    const reopen = event(3, 'task.reopened', { reopened_at: NOW.toISOString() });
    expect(given(create, complete)?.reminder).toBeNull();
    expect(given(create, complete, reopen)?.reminder).toEqual({ event_id: reopen.id, due_at: inMinutes(10) });
    expect(given(create, event(2, 'task.deleted', { deleted_at: NOW.toISOString() }))?.reminder).toBeNull();
  });

  it('follows a reassignment to the new rep', () => {
    const create = created(inMinutes(10));
    const reassign = event(
      2,
      'task.updated',
      { changes: { user_id: 6 }, previous: { user_id: 5 }, updated_at: NOW.toISOString() },
      6,
    );
    expect(given(create, reassign)).toMatchObject({ user_id: 6, reminder: { event_id: reassign.id } });
  });

  it('ignores duplicates and older versions, and does not push long-overdue reminders', () => {
    const create = created(inMinutes(10));
    const state = given(create);
    expect(evolveTaskReminder(state, create, NOW, LATE)).toBeUndefined();
    expect(given(created(inMinutes(-60)))?.reminder).toBeNull();
    expect(given(created(inMinutes(-5)))?.reminder).not.toBeNull();
    expect(
      evolveTaskReminder(null, event(2, 'task.completed', { completed_at: NOW.toISOString() }), NOW, LATE),
    ).toBeUndefined();
  });
});
