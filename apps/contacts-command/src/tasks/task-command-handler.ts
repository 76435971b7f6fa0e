import type {
  TaskContactSummary,
  TaskCreateBody,
  TaskEvent,
  TaskEventData,
  TaskUpdateBody,
} from '@reps/contracts';
import {
  decideTask,
  evolveTask,
  evolveTaskAll,
  fullName,
  isTaskVisibleTo,
  isVisibleTo,
  type Actor,
  type CompanyActor,
  type ContactState,
  type TaskCommand,
  type TaskDomainError,
  type TaskState,
} from '@reps/contacts-domain';
import { ConflictError, NotFoundError, ValidationError, type AppError } from '@reps/errors';
import type { Logger } from '@reps/observability';
import { envelopeWith } from '../event-store/aggregate-envelope';
import type { EventStore } from '../event-store/mongo-event-store';
import type { CommitBatcher } from '../event-store/commit-batcher';
import { createStreamExecutor, type ExecuteContext } from '../event-store/stream-executor';
import type { ContactStateReader } from '../notes/contact-states';
import type { KnownReps } from '../reps/known-reps';
import type { ContactTaskIndex } from './contact-task-index';

export const taskStream = (taskId: number): string => `task-${taskId}`;

export interface TaskOutcome {
  state: TaskState;
  version: number;
  /** The task's contact as the actor may see it (the resource's `contact`), or null. */
  contact: TaskContactSummary | null;
}

export interface TaskCommandHandler {
  create(taskId: number, actor: Actor, body: TaskCreateBody, context: ExecuteContext): Promise<TaskOutcome>;
  update(taskId: number, actor: Actor, body: TaskUpdateBody, context: ExecuteContext): Promise<TaskOutcome>;
  remove(taskId: number, actor: Actor, context: ExecuteContext): Promise<{ version: number }>;
  load(taskId: number, actor: Actor): Promise<TaskOutcome | undefined>;
  /**
   * The reaction to a company's change of a contact: every open task on it follows it to its
   * owner now (`task.updated {user_id}`, so the notifier moves the reminder). Idempotent: a task
   * already with the owner, completed, deleted or moved off the contact is left alone.
   */
  followContactOwner(contact: ContactState, correlationId: string): Promise<number>;
}

export interface TaskCommandHandlerDeps {
  store: EventStore<TaskEvent>;
  commits: CommitBatcher<TaskEvent>;
  clock: () => Date;
  contacts: ContactStateReader;
  reps: KnownReps;
  index: ContactTaskIndex;
  logger?: Logger;
}

export function toTaskAppError(error: TaskDomainError): AppError {
  switch (error.code) {
    case 'not_found':
    case 'contact_not_found':
      return new NotFoundError(error.message);
    case 'already_exists':
    case 'contact_discarded':
      return new ConflictError(error.message, error.code);
    case 'forbidden_field':
    case 'assignee_required':
    case 'unknown_assignee':
    case 'assignee_not_contact_owner':
      return new ValidationError([{ field: error.field, message: error.message }]);
    default: {
      const unreachable: never = error;
      throw new Error(`unmapped task domain error ${JSON.stringify(unreachable)}`);
    }
  }
}

const envelope = envelopeWith<TaskEventData, TaskState, TaskEvent>(evolveTask, (state) => ({
  aggregateId: state.id,
  version: state.version,
  tenantCompanyId: state.tenant_company_id,
  userId: state.user_id,
  companyVisible: state.created_by === 'company',
}));

function summaryOf(contact: ContactState | null, actor: Actor): TaskContactSummary | null {
  if (!contact || !isVisibleTo(contact, actor)) return null;
  return {
    id: contact.id,
    first_name: contact.first_name,
    last_name: contact.last_name,
    full_name: fullName(contact.first_name, contact.last_name),
  };
}

/**
 * Task commands: the decider on the task stream, after looking up what one stream cannot know —
 * the contact (from its own stream), whether a company's assignee is one of its reps, and (for
 * reassignments) which tasks are on a contact.
 */
export function createTaskCommandHandler(deps: TaskCommandHandlerDeps): TaskCommandHandler {
  const executor = createStreamExecutor<
    TaskCommand,
    TaskEventData,
    TaskEvent,
    TaskState,
    TaskDomainError,
    Actor
  >(deps, {
    name: 'task',
    streamOf: (command) => taskStream(command.taskId),
    creates: (command) => command.type === 'CreateTask',
    decide: decideTask,
    fold: evolveTaskAll,
    envelope,
    toAppError: toTaskAppError,
  });

  const contactOrNull = (id: number | null | undefined) =>
    id == null ? Promise.resolve(null) : deps.contacts(id);
  const known = (actor: Actor, userId: number | undefined) =>
    actor.scope === 'company' && userId !== undefined
      ? deps.reps.isKnown(actor.companyId, userId)
      : Promise.resolve(true);

  async function withContact(o: { state: TaskState; version: number }, actor: Actor): Promise<TaskOutcome> {
    return {
      state: o.state,
      version: o.version,
      contact: summaryOf(await contactOrNull(o.state.contact_id), actor),
    };
  }

  return {
    async create(taskId, actor, body, context) {
      const [contact, assigneeKnown] = await Promise.all([
        contactOrNull(body.contact_id),
        known(actor, body.user_id),
      ]);
      if (body.contact_id !== null && contact) await deps.index.add(body.contact_id, taskId);
      const outcome = await executor.execute(
        (now) => ({ type: 'CreateTask', taskId, actor, now, contact, assigneeKnown, body }),
        context,
      );
      return withContact(outcome, actor);
    },

    async update(taskId, actor, body, context) {
      const { state: current } = await executor.load(taskStream(taskId));
      if (!current || !isTaskVisibleTo(current, actor)) throw new NotFoundError('Task not found');
      const contactId = body.contact_id !== undefined ? body.contact_id : current.contact_id;
      const [contact, assigneeKnown] = await Promise.all([
        contactOrNull(contactId),
        known(actor, body.user_id),
      ]);
      if (body.contact_id != null && body.contact_id !== current.contact_id && contact)
        await deps.index.add(body.contact_id, taskId);
      const outcome = await executor.execute(
        (now) => ({ type: 'UpdateTask', taskId, actor, now, contact, assigneeKnown, body }),
        context,
      );
      return withContact(outcome, actor);
    },

    async remove(taskId, actor, context) {
      const outcome = await executor.execute((now) => ({ type: 'DeleteTask', taskId, actor, now }), context);
      return { version: outcome.version };
    },

    async load(taskId, actor) {
      const { read, state } = await executor.load(taskStream(taskId));
      if (!state || !isTaskVisibleTo(state, actor)) return undefined;
      return withContact({ state, version: read.version }, actor);
    },

    async followContactOwner(contact, correlationId) {
      const actor: CompanyActor = { scope: 'company', companyId: contact.tenant_company_id };
      let moved = 0;
      for (const taskId of await deps.index.taskIds(contact.id)) {
        const { state } = await executor.load(taskStream(taskId));
        if (!state) continue;
        const outcome = await executor.execute(
          (now) => ({
            type: 'FollowContactOwner',
            taskId,
            actor,
            now,
            contactId: contact.id,
            toUserId: contact.user_id,
          }),
          { correlationId },
        );
        if (outcome.before !== outcome.state) moved++;
      }
      return moved;
    },
  };
}
