import type { TaskEventData } from '@reps/contracts';
import { evolveAll } from '../contact/evolve';
import {
  T0,
  T1,
  colleague,
  company,
  createdByCompany,
  createdByOwner,
  discarded,
  otherCompany,
  owner,
} from '../contact/decider.spec-helper';
import { deciderSpecification } from '../decider/decider-specification.spec-helper';
import type { Actor } from '../contact/actor';
import type { ContactState } from '../contact/contact-state';
import { decideTask, type CreateTask, type TaskCommand, type UpdateTask } from './task-decide';
import { evolveTask, evolveTaskAll, toTaskResource } from './task-state';

const given = deciderSpecification({ decide: decideTask, evolve: evolveTask });
const TASK = 31;
const DUE = '2025-06-05T09:00:00+02:00';
const privateContact = evolveAll([createdByOwner()])!;
const companyContact = evolveAll([createdByCompany()])!;

const created = (
  over: Partial<Extract<TaskEventData, { type: 'task.created' }>['data']> = {},
): TaskEventData => ({
  type: 'task.created',
  data: {
    id: TASK,
    tenant_company_id: 10,
    user_id: 7,
    contact_id: null,
    body: 'Call Jane',
    due_at: DUE,
    created_by: 'user',
    created_at: T0,
    ...over,
  },
});
const create = (
  actor: Actor,
  body: Partial<CreateTask['body']> = {},
  contact: ContactState | null = null,
  assigneeKnown = true,
): TaskCommand => ({
  type: 'CreateTask',
  taskId: TASK,
  actor,
  now: T0,
  contact,
  assigneeKnown,
  body: { contact_id: null, body: 'Call Jane', due_at: DUE, ...body },
});
const update = (
  actor: Actor,
  body: UpdateTask['body'],
  contact: ContactState | null = null,
  assigneeKnown = true,
): TaskCommand => ({
  type: 'UpdateTask',
  taskId: TASK,
  actor,
  now: T1,
  contact,
  assigneeKnown,
  body,
});

describe('task decider', () => {
  describe('create', () => {
    it('assigns a rep’s task to the rep, on their own contact or none', () => {
      given().when(create(owner)).then([created()]);
      given()
        .when(create(owner, { contact_id: privateContact.id }, privateContact))
        .then([created({ contact_id: privateContact.id })]);
    });

    it('lets a company assign a task to a known rep, on a company-visible contact that rep owns', () => {
      given()
        .when(create(company, { user_id: 7 }))
        .then([created({ created_by: 'company' })]);
      given()
        .when(create(company, { user_id: 7, contact_id: companyContact.id }, companyContact))
        .then([created({ created_by: 'company', contact_id: companyContact.id })]);
    });

    it.each([
      ['a rep naming another assignee', create(owner, { user_id: 8 }), 'forbidden_field'],
      ['a company naming nobody', create(company), 'assignee_required'],
      [
        'a company naming a rep it does not have',
        create(company, { user_id: 99 }, null, false),
        'unknown_assignee',
      ],
      [
        'a colleague’s contact',
        create(colleague, { contact_id: privateContact.id }, privateContact),
        'contact_not_found',
      ],
      [
        'a rep’s app-created contact, from the company',
        create(company, { user_id: 7, contact_id: privateContact.id }, privateContact),
        'contact_not_found',
      ],
      [
        'another company’s contact',
        create(otherCompany, { user_id: 7, contact_id: companyContact.id }, companyContact),
        'contact_not_found',
      ],
      ['a contact that does not exist', create(owner, { contact_id: 5 }, null), 'contact_not_found'],
      [
        'a discarded contact',
        create(owner, { contact_id: privateContact.id }, evolveAll([createdByOwner(), discarded()])),
        'contact_discarded',
      ],
      [
        'a contact the assignee does not own',
        create(company, { user_id: 8, contact_id: companyContact.id }, companyContact),
        'assignee_not_contact_owner',
      ],
      [
        'an unknown rep, on a contact',
        create(company, { user_id: 99, contact_id: companyContact.id }, companyContact, false),
        'unknown_assignee',
      ],
    ] as const)('refuses %s', (_case, command, code) => {
      given().when(command).thenFails(code);
    });
  });

  describe('visibility', () => {
    it('shows a rep their own and company-assigned tasks; a company only the ones it created', () => {
      given(created())
        .when(update(company, { body: 'x' }))
        .thenFails('not_found');
      given(created())
        .when(update(colleague, { body: 'x' }))
        .thenFails('not_found');
      given(created({ created_by: 'company' }))
        .when(update(owner, { body: 'x' }))
        .then([
          {
            type: 'task.updated',
            data: { changes: { body: 'x' }, previous: { body: 'Call Jane' }, updated_at: T1 },
          },
        ]);
      given(created({ created_by: 'company' }))
        .when(update(otherCompany, { body: 'x' }))
        .thenFails('not_found');
    });
  });

  describe('update and completion', () => {
    it('reschedules with the previous due_at; completes, and reopens', () => {
      const later = '2025-06-06T09:00:00Z';
      given(created())
        .when(update(owner, { due_at: later }))
        .then([
          {
            type: 'task.updated',
            data: { changes: { due_at: later }, previous: { due_at: DUE }, updated_at: T1 },
          },
        ]);
      const done = given(created())
        .when(update(owner, { completed: true }))
        .then([{ type: 'task.completed', data: { completed_at: T1, contact_id: null } }]);
      expect(done && toTaskResource(done, null, new Date(T1)).status).toBe('completed');
      const completed: TaskEventData = { type: 'task.completed', data: { completed_at: T1 } };
      given(created(), completed)
        .when(update(owner, { completed: true }))
        .thenNothingHappens();
      given(created(), completed)
        .when(update(owner, { completed: false }))
        .then([{ type: 'task.reopened', data: { reopened_at: T1 } }]);
    });

    it('derives the status from completed_at and due_at at the given time', () => {
      const state = evolveTaskAll([created()])!;
      expect(toTaskResource(state, null, new Date('2025-06-05T06:59:59Z')).status).toBe('pending');
      expect(toTaskResource(state, null, new Date('2025-06-05T07:00:01Z')).status).toBe('overdue');
      expect(
        toTaskResource(evolveTaskAll([created({ due_at: null })])!, null, new Date('2099-01-01T00:00:00Z'))
          .status,
      ).toBe('pending');
    });

    it('lets a company move its task to another known rep, and deletes', () => {
      given(created({ created_by: 'company' }))
        .when(update(company, { user_id: 8 }))
        .then([
          {
            type: 'task.updated',
            data: { changes: { user_id: 8 }, previous: { user_id: 7 }, updated_at: T1 },
          },
        ]);
      given(created({ created_by: 'company' }))
        .when(update(company, { user_id: 99 }, null, false))
        .thenFails('unknown_assignee');
      given(created())
        .when({ type: 'DeleteTask', taskId: TASK, actor: owner, now: T1 })
        .then([{ type: 'task.deleted', data: { deleted_at: T1 } }]);
      given(created(), { type: 'task.deleted', data: { deleted_at: T1 } })
        .when(update(owner, { body: 'x' }))
        .thenFails('not_found');
    });
  });

  describe('following the contact to its new rep', () => {
    const follow = (toUserId: number): TaskCommand => ({
      type: 'FollowContactOwner',
      taskId: TASK,
      actor: company,
      now: T1,
      contactId: companyContact.id,
      toUserId,
    });
    it('moves an open task on the contact; a completed one stays with who did it', () => {
      given(created({ contact_id: companyContact.id }))
        .when(follow(8))
        .then([
          {
            type: 'task.updated',
            data: { changes: { user_id: 8 }, previous: { user_id: 7 }, updated_at: T1 },
          },
        ]);
      given(created({ contact_id: companyContact.id }), {
        type: 'task.completed',
        data: { completed_at: T0 },
      })
        .when(follow(8))
        .thenNothingHappens();
      given(created({ contact_id: 999 }))
        .when(follow(8))
        .thenNothingHappens();
    });
  });
});
