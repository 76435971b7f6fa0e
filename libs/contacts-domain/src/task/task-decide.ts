import type { TaskEventData, TaskFieldChanges } from '@reps/contracts';
import { isVisibleTo, type Actor, type CompanyActor } from '../contact/actor';
import type { ContactState } from '../contact/contact-state';
import { accept, refuse, type Decision } from '../decider/decision';
import { fieldChanges } from '../decider/field-changes';
import type { TaskState } from './task-state';

interface TaskCommandBase {
  taskId: number;
  actor: Actor;
  now: string;
}

/**
 * What the caller found out before deciding (the domain does no lookups): the contact the task
 * will be on (from its stream; null when none is named or it does not exist), and whether the
 * named assignee is a known rep of the actor's company.
 */
export interface TaskLookups {
  contact: ContactState | null;
  assigneeKnown: boolean;
}

export interface CreateTask extends TaskCommandBase, TaskLookups {
  type: 'CreateTask';
  body: { user_id?: number; contact_id: number | null; body: string; due_at: string | null };
}
export interface UpdateTask extends TaskCommandBase, TaskLookups {
  type: 'UpdateTask';
  body: {
    user_id?: number;
    contact_id?: number | null;
    body?: string;
    due_at?: string | null;
    completed?: boolean;
  };
}
export interface DeleteTask extends TaskCommandBase {
  type: 'DeleteTask';
}
/** The reaction to a contact reassignment: an open task on the contact follows it to its new rep. */
export interface FollowContactOwner extends TaskCommandBase {
  type: 'FollowContactOwner';
  actor: CompanyActor;
  contactId: number;
  toUserId: number;
}
export type TaskCommand = CreateTask | UpdateTask | DeleteTask | FollowContactOwner;

/**
 * Why a task command was refused. Suggested HTTP mapping: not_found 404, contact_not_found 404,
 * already_exists 409, contact_discarded 409, forbidden_field 422, assignee_required 422,
 * unknown_assignee 422, assignee_not_contact_owner 422.
 */
export type TaskDomainError =
  | { code: 'not_found'; message: string }
  | { code: 'contact_not_found'; field: 'contact_id'; message: string }
  | { code: 'already_exists'; message: string }
  | { code: 'contact_discarded'; field: 'contact_id'; message: string }
  | { code: 'forbidden_field'; field: 'user_id'; message: string }
  | { code: 'assignee_required'; field: 'user_id'; message: string }
  | { code: 'unknown_assignee'; field: 'user_id'; message: string }
  | { code: 'assignee_not_contact_owner'; field: 'user_id'; message: string };

export const taskErrors = {
  notFound: (): TaskDomainError => ({ code: 'not_found', message: 'Task not found' }),
  contactNotFound: (): TaskDomainError => ({
    code: 'contact_not_found',
    field: 'contact_id',
    message: 'Contact not found',
  }),
  alreadyExists: (): TaskDomainError => ({
    code: 'already_exists',
    message: 'A task with this id already exists',
  }),
  contactDiscarded: (): TaskDomainError => ({
    code: 'contact_discarded',
    field: 'contact_id',
    message: 'The contact is discarded; restore it first',
  }),
  forbiddenField: (): TaskDomainError => ({
    code: 'forbidden_field',
    field: 'user_id',
    message: 'user_id is read-only for a rep: a rep’s task is their own',
  }),
  assigneeRequired: (): TaskDomainError => ({
    code: 'assignee_required',
    field: 'user_id',
    message: 'user_id is required: a company assigns each task to one of its reps',
  }),
  unknownAssignee: (): TaskDomainError => ({
    code: 'unknown_assignee',
    field: 'user_id',
    message: 'user_id is not a rep of this company',
  }),
  assigneeNotContactOwner: (): TaskDomainError => ({
    code: 'assignee_not_contact_owner',
    field: 'user_id',
    message: 'A task on a contact is assigned to the rep who owns the contact',
  }),
};

export type TaskDecision = Decision<TaskEventData, TaskDomainError>;

/** A rep sees the tasks assigned to them; a company sees the tasks it created (for any of its reps). */
export function isTaskVisibleTo(state: TaskState, actor: Actor): boolean {
  if (state.deleted_at !== null || state.tenant_company_id !== actor.companyId) return false;
  return actor.scope === 'user' ? state.user_id === actor.userId : state.created_by === 'company';
}

export function decideTask(command: TaskCommand, state: TaskState | null): TaskDecision {
  switch (command.type) {
    case 'CreateTask':
      return create(command, state);
    case 'UpdateTask':
      return update(command, state);
    case 'DeleteTask':
      return remove(command, state);
    case 'FollowContactOwner':
      return follow(command, state);
    default: {
      const _exhaustive: never = command;
      throw new Error(`Unknown task command: ${JSON.stringify(_exhaustive)}`);
    }
  }
}

/**
 * The assignee and contact rules, for a create and an update alike: a rep's task is their own; a
 * company names one of its reps; a task's contact is one every scope that sees the task may see
 * (the company's tasks only go on company-visible contacts), live, and owned by the assignee.
 */
function checkAssignment(
  actor: Actor,
  createdBy: 'user' | 'company',
  assignee: number | undefined,
  contactId: number | null,
  lookups: TaskLookups,
): TaskDomainError | number {
  let userId: number;
  if (actor.scope === 'user') {
    if (assignee !== undefined && assignee !== actor.userId) return taskErrors.forbiddenField();
    userId = actor.userId;
  } else {
    if (assignee === undefined) return taskErrors.assigneeRequired();
    userId = assignee;
  }
  if (contactId === null) {
    return actor.scope === 'company' && !lookups.assigneeKnown ? taskErrors.unknownAssignee() : userId;
  }
  const contact = lookups.contact;
  if (contact === null || contact.id !== contactId || !isVisibleTo(contact, actor))
    return taskErrors.contactNotFound();
  if (createdBy === 'company' && !contact.company_visible) return taskErrors.contactNotFound();
  if (contact.discarded_at !== null) return taskErrors.contactDiscarded();
  if (contact.user_id !== userId) {
    // A company naming a rep that is not even known is told so, not that the contact is another's.
    return actor.scope === 'company' && !lookups.assigneeKnown
      ? taskErrors.unknownAssignee()
      : taskErrors.assigneeNotContactOwner();
  }
  return userId;
}

function create(command: CreateTask, state: TaskState | null): TaskDecision {
  if (state !== null) return refuse(taskErrors.alreadyExists());
  const { actor, body } = command;
  const userId = checkAssignment(actor, actor.scope, body.user_id, body.contact_id, command);
  if (typeof userId !== 'number') return refuse(userId);
  return accept([
    {
      type: 'task.created',
      data: {
        id: command.taskId,
        tenant_company_id: actor.companyId,
        user_id: userId,
        contact_id: body.contact_id,
        body: body.body,
        due_at: body.due_at,
        created_by: actor.scope,
        created_at: command.now,
      },
    },
  ]);
}

function update(command: UpdateTask, state: TaskState | null): TaskDecision {
  if (state === null || !isTaskVisibleTo(state, command.actor)) return refuse(taskErrors.notFound());
  const { actor, body } = command;
  const { completed, ...fields } = body;
  const assignmentChanges = fields.user_id !== undefined || fields.contact_id !== undefined;
  const patch: TaskFieldChanges = { ...fields };
  if (assignmentChanges) {
    const contactId = fields.contact_id !== undefined ? fields.contact_id : state.contact_id;
    // A rep keeps the task theirs; a company that moves only the contact keeps the assignee it had.
    const assignee = actor.scope === 'company' ? (fields.user_id ?? state.user_id) : fields.user_id;
    const lookups =
      fields.user_id === undefined && actor.scope === 'company'
        ? { ...command, assigneeKnown: true }
        : command;
    const userId = checkAssignment(actor, state.created_by, assignee, contactId, lookups);
    if (typeof userId !== 'number') return refuse(userId);
    patch.user_id = userId;
  }
  const events: TaskEventData[] = [];
  const { changes, previous, changed } = fieldChanges<TaskFieldChanges>(state, patch);
  if (changed) events.push({ type: 'task.updated', data: { changes, previous, updated_at: command.now } });
  if (completed === true && state.completed_at === null)
    events.push({
      type: 'task.completed',
      data: {
        completed_at: command.now,
        contact_id: patch.contact_id !== undefined ? patch.contact_id : state.contact_id,
      },
    });
  if (completed === false && state.completed_at !== null)
    events.push({ type: 'task.reopened', data: { reopened_at: command.now } });
  return accept(events);
}

function remove(command: DeleteTask, state: TaskState | null): TaskDecision {
  if (state === null || !isTaskVisibleTo(state, command.actor)) return refuse(taskErrors.notFound());
  return accept([{ type: 'task.deleted', data: { deleted_at: command.now } }]);
}

/** Only a live, open task still on the contact moves; anything else stays where it is. */
function follow(command: FollowContactOwner, state: TaskState | null): TaskDecision {
  if (
    state === null ||
    state.deleted_at !== null ||
    state.completed_at !== null ||
    state.tenant_company_id !== command.actor.companyId ||
    state.contact_id !== command.contactId ||
    state.user_id === command.toUserId
  )
    return accept([]);
  return accept([
    {
      type: 'task.updated',
      data: {
        changes: { user_id: command.toUserId },
        previous: { user_id: state.user_id },
        updated_at: command.now,
      },
    },
  ]);
}
