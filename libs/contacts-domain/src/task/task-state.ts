import { taskStatus, type Task, type TaskContactSummary, type TaskEventData } from '@reps/contracts';
import { foldEvents } from '../decider/decision';

/** A task as the command side knows it, rebuilt from its events; `null` never existed. */
export interface TaskState {
  id: number;
  tenant_company_id: number;
  /** The assignee rep. */
  user_id: number;
  contact_id: number | null;
  body: string;
  due_at: string | null;
  completed_at: string | null;
  created_by: 'user' | 'company';
  created_at: string;
  updated_at: string;
  /** Set by task.deleted: the stream stays closed (a hard delete to every caller). */
  deleted_at: string | null;
  version: number;
}

export function evolveTask(state: TaskState | null, event: TaskEventData): TaskState {
  const version = (state?.version ?? 0) + 1;
  switch (event.type) {
    case 'task.created': {
      const { created_at, ...fields } = event.data;
      return { ...fields, completed_at: null, created_at, updated_at: created_at, deleted_at: null, version };
    }
    case 'task.updated':
      return { ...existing(state, event), ...event.data.changes, updated_at: event.data.updated_at, version };
    case 'task.completed':
      return {
        ...existing(state, event),
        completed_at: event.data.completed_at,
        updated_at: event.data.completed_at,
        version,
      };
    case 'task.reopened':
      return { ...existing(state, event), completed_at: null, updated_at: event.data.reopened_at, version };
    case 'task.deleted':
      return {
        ...existing(state, event),
        deleted_at: event.data.deleted_at,
        updated_at: event.data.deleted_at,
        version,
      };
    default: {
      const _exhaustive: never = event;
      throw new Error(`Unknown task event: ${JSON.stringify(_exhaustive)}`);
    }
  }
}

function existing(state: TaskState | null, event: TaskEventData): TaskState {
  if (state === null) throw new Error(`Cannot apply ${event.type} to a task that does not exist`);
  return state;
}

export function evolveTaskAll(
  events: readonly TaskEventData[],
  state: TaskState | null = null,
): TaskState | null {
  return foldEvents(evolveTask, events, state);
}

/** The public resource at `now` (status is derived), with the contact summary the caller found. */
export function toTaskResource(state: TaskState, contact: TaskContactSummary | null, now: Date): Task {
  return {
    id: state.id,
    company_id: state.created_by === 'company' ? state.tenant_company_id : null,
    user_id: state.user_id,
    contact_id: state.contact_id,
    contact,
    body: state.body,
    due_at: state.due_at,
    completed_at: state.completed_at,
    status: taskStatus(state, now),
    created_by: state.created_by,
    created_at: state.created_at,
    updated_at: state.updated_at,
  };
}
