import type { Principal } from '@reps/auth';
import { NoteEvent, TaskEvent } from '@reps/contracts';
import { resolveTestEnv, type TestEnv } from '@reps/testing';
import {
  readTopicAs,
  startCommandUnderTest,
  type CommandUnderTest,
} from '../testing/command-service.spec-helper';

const V = '/api/%s/crm/v202506';
const path = (scope: 'user' | 'company', resource: string) => `${V.replace('%s', scope)}/${resource}`;

const repA: Principal = { scope: 'user', userId: 42, companyId: 7 };
const repB: Principal = { scope: 'user', userId: 43, companyId: 7 };
const companyA: Principal = { scope: 'company', companyId: 7 };
const companyC: Principal = { scope: 'company', companyId: 8 };
const DUE = '2030-01-01T09:00:00+01:00';

interface ErrorBody {
  error: { code: string; details?: { field: string; message: string }[] };
}

describe('contacts-command note and task write API (real MongoDB-compatible server and Kafka)', () => {
  let env: TestEnv;
  let svc: CommandUnderTest;

  beforeAll(async () => {
    env = await resolveTestEnv();
    svc = await startCommandUnderTest(env);
  });
  afterAll(async () => {
    await svc?.close();
    await env?.close();
  });

  const json = async <T>(res: Response) => (await res.json()) as T;
  const count = (collection: string) => svc.mongo.db.collection(collection).countDocuments();
  const createContact = (who: Principal, body: Record<string, unknown> = {}) =>
    svc.createContact(who, { first_name: 'Jane', last_name: 'Smith', ...body });

  it('writes notes on the caller’s contacts only, and tasks with the assignee rules; nothing else is written', async () => {
    const own = await createContact(repA);
    const companyContact = await createContact(companyA, { user_id: repA.userId });

    const note = await svc.request(repA, 'POST', path('user', 'notes'), {
      note: {
        contact_id: own,
        body: 'Wants the kit',
        pinned: true,
        assets: [
          {
            url: 'https://cdn.example.com/a.png',
            filename: 'a.png',
            content_type: 'image/png',
            content_size: 10,
          },
        ],
      },
    });
    expect(note.status).toBe(201);
    const noteBody = await json<{ note: { id: number; assets: { id: string }[]; user_id: number } }>(note);
    expect(noteBody.note).toMatchObject({ user_id: 42, pinned: true });
    expect(noteBody.note.assets[0]!.id).toHaveLength(22);
    expect(note.headers.get('x-consistency-token')).toBeTruthy();

    const task = await svc.request(repA, 'POST', path('user', 'tasks'), {
      contact_id: own,
      body: 'Call',
      due_at: DUE,
    });
    expect(task.status).toBe(201);
    const taskId = (
      await json<{ task: { id: number; contact: { full_name: string }; status: string } }>(task)
    ).task;
    expect(taskId).toMatchObject({
      contact: { full_name: 'Jane Smith' },
      status: 'pending',
      user_id: 42,
      created_by: 'user',
    });

    const notesBefore = await count('note_commits');
    const tasksBefore = await count('task_commits');
    const refused: [Principal, string, unknown, number][] = [
      [repB, 'notes', { contact_id: own, body: 'x' }, 404],
      [companyA, 'notes', { contact_id: own, body: 'x' }, 404],
      [companyC, 'notes', { contact_id: companyContact, body: 'x' }, 404],
      [repA, 'notes', { contact_id: own, body: 'x'.repeat(20001) }, 422],
      [repA, 'notes', { contact_id: own, body: 'x', colour: 'red' }, 422],
      [repA, 'notes', { contact_id: own, body: 'x', id: 5 }, 422],
      [
        repA,
        'notes',
        {
          contact_id: own,
          body: 'x',
          assets: [
            {
              url: 'http://cdn.example.com/a.png',
              filename: 'a',
              content_type: 'image/png',
              content_size: 1,
            },
          ],
        },
        422,
      ],
      [repB, 'tasks', { contact_id: own, body: 'x' }, 404],
      [repA, 'tasks', { body: 'x', due_at: '2030-01-01T09:00:00' }, 422],
      [repA, 'tasks', { body: 'x', user_id: 43 }, 422],
      [repA, 'tasks', { body: 'x', status: 'completed' }, 422],
      [companyA, 'tasks', { body: 'x' }, 422],
      // Rep 42 of company 7 has written, but company 8 has no rep 42.
      [companyC, 'tasks', { body: 'x', user_id: 42 }, 422],
      [companyA, 'tasks', { body: 'x', user_id: 999 }, 422],
      [companyA, 'tasks', { body: 'x', user_id: 42, contact_id: own }, 404],
    ];
    for (const [who, resource, body, status] of refused) {
      const res = await svc.request(who, 'POST', path(who.scope, resource), body);
      expect({ who, body, status: res.status }).toEqual({ who, body, status });
      expect((await json<ErrorBody>(res)).error.code).toBeTruthy();
    }
    expect(await count('note_commits')).toBe(notesBefore);
    expect(await count('task_commits')).toBe(tasksBefore);

    // Another rep cannot change or see the note or task; the company cannot see the rep's own task.
    expect(
      (await svc.request(repB, 'PATCH', `${path('user', 'notes')}/${noteBody.note.id}`, { pinned: false }))
        .status,
    ).toBe(404);
    expect(
      (await svc.request(companyA, 'PATCH', `${path('company', 'tasks')}/${taskId.id}`, { body: 'y' }))
        .status,
    ).toBe(404);
    expect((await svc.request(repB, 'DELETE', `${path('user', 'tasks')}/${taskId.id}`)).status).toBe(404);
  });

  it('completes, reopens and reschedules; a company task follows its contact to a new rep', async () => {
    await svc.request(repB, 'POST', path('user', 'contacts'), { first_name: 'B' }); // rep B becomes known
    const contact = await createContact(companyA, { user_id: repA.userId });
    const created = await svc.request(companyA, 'POST', path('company', 'tasks'), {
      user_id: 42,
      contact_id: contact,
      body: 'Follow up',
      due_at: DUE,
    });
    expect(created.status).toBe(201);
    const task = (await json<{ task: { id: number; company_id: number } }>(created)).task;
    expect(task.company_id).toBe(7);
    const done = await svc.request(repA, 'PATCH', `${path('user', 'tasks')}/${task.id}`, { completed: true });
    expect((await json<{ task: { status: string; completed_at: string } }>(done)).task.status).toBe(
      'completed',
    );
    const reopened = await svc.request(repA, 'PATCH', `${path('user', 'tasks')}/${task.id}`, {
      completed: false,
      due_at: '2031-01-01T00:00:00Z',
    });
    expect((await json<{ task: { status: string; due_at: string } }>(reopened)).task).toMatchObject({
      status: 'pending',
      due_at: '2031-01-01T00:00:00Z',
    });

    const moved = await svc.request(companyA, 'PATCH', `${path('company', 'contacts')}/${contact}`, {
      user_id: 43,
    });
    expect(moved.status).toBe(200);
    expect(
      (await svc.request(repB, 'PATCH', `${path('user', 'tasks')}/${task.id}`, { body: 'Mine now' })).status,
    ).toBe(200);

    const events = await readTopicAs(
      (v) => TaskEvent.parse(v),
      svc.bus,
      svc.tasksTopic,
      1,
      (all) => all.some((e) => e.aggregate_id === task.id && e.type === 'task.updated' && e.user_id === 43),
    );
    const types = events.filter((e) => e.aggregate_id === task.id).map((e) => e.type);
    expect(types).toEqual([
      'task.created',
      'task.completed',
      'task.updated',
      'task.reopened',
      'task.updated',
      'task.updated',
    ]);
    const follow = events.find((e) => e.aggregate_id === task.id && e.user_id === 43);
    expect(follow).toMatchObject({
      data: { changes: { user_id: 43 }, previous: { user_id: 42 } },
      company_visible: true,
    });
    const notes = await readTopicAs((v) => NoteEvent.parse(v), svc.bus, svc.notesTopic, 1);
    expect(notes.every((e) => e.type === 'note.created')).toBe(true);
  });
});
