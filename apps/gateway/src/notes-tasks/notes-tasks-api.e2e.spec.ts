import type { Principal } from '@reps/auth';
import { createKafkaEventBus } from '@reps/kafka';
import { resolveTestEnv, uniqueName, waitFor, type TestEnv } from '@reps/testing';
import {
  startGatewayOverStack,
  type GatewayOverStack,
  type GatewayUnderTest,
  type StackUnderTest,
} from '../testing/gateway.spec-helper';

const api = (p: Principal, resource: string) => `/api/${p.scope}/crm/v202506/${resource}`;

const repA: Principal = { scope: 'user', userId: 42, companyId: 7 };
const repB: Principal = { scope: 'user', userId: 43, companyId: 7 };
const companyA: Principal = { scope: 'company', companyId: 7 };
const companyC: Principal = { scope: 'company', companyId: 8 };
const repOfC: Principal = { scope: 'user', userId: 77, companyId: 8 };

interface NoteJson {
  id: number;
  pinned: boolean;
  title: string | null;
}
interface TaskJson {
  id: number;
  status: string;
  due_at: string | null;
  contact: { id: number; full_name: string | null } | null;
}
interface CardJson {
  card: {
    contact: { id: number; full_name: string };
    activities: { items: { type: string; summary: string }[]; next_cursor: string | null };
    notes: { items: NoteJson[]; next_cursor: string | null };
    open_tasks: { items: TaskJson[]; next_cursor: string | null };
  };
}
interface ErrorBody {
  error: { code: string; details?: { field: string; message: string }[] };
}
const json = async <T>(res: Response) => (await res.json()) as T;
const consistent = (token: string | null) => ({ 'x-consistency-token': token! });
const HOUR = 3600_000;
const inHours = (h: number) => new Date(Date.now() + h * HOUR).toISOString().replace('Z', '+00:00');

/**
 * Notes, tasks and the contact card end to end (issue 12): the gateway in this process in front of
 * contacts-command, contacts-projection, contacts-query and the notifier as processes, on the real
 * Kafka, MongoDB-compatible server and Redis.
 */
describe('notes, tasks and the contact card through the gateway (running stack)', () => {
  let env: TestEnv;
  let running: GatewayOverStack;
  let stack: StackUnderTest;
  let gw: GatewayUnderTest;

  beforeAll(async () => {
    env = await resolveTestEnv();
    running = await startGatewayOverStack(env, { RATE_LIMIT_POINTS: '100000' });
    ({ stack, gw } = running);
  });
  afterAll(async () => {
    await running?.close();
    await env?.close();
  });

  async function createContact(who: Principal, body: Record<string, unknown>) {
    const res = await gw.request(who, 'POST', api(who, 'contacts'), body);
    expect(res.status).toBe(201);
    const { contact } = await json<{ contact: { id: number } }>(res);
    await gw.request(
      who,
      'GET',
      `${api(who, 'contacts')}/${contact.id}`,
      undefined,
      consistent(res.headers.get('x-consistency-token')),
    );
    return contact.id;
  }
  async function write<T>(who: Principal, method: string, path: string, body: unknown, status: number) {
    const res = await gw.request(who, method, path, body);
    expect({ path, status: res.status }).toEqual({ path, status });
    return { body: await json<T>(res), token: res.headers.get('x-consistency-token') };
  }
  const count = (collection: string) => stack.commandDb.db.collection(collection).countDocuments();
  async function topicEnd(topic: string): Promise<number> {
    const bus = createKafkaEventBus({ brokers: env.kafkaBrokers, clientId: uniqueName('e2e-notes') });
    const admin = await bus.admin();
    try {
      return (await admin.groupLag(uniqueName('nobody'), topic)).reduce((sum, p) => sum + p.end, 0);
    } finally {
      await admin.close();
      await bus.close();
    }
  }
  async function card(who: Principal, contactId: number, until: (c: CardJson) => boolean) {
    let last: CardJson | undefined;
    let status = 0;
    await waitFor(
      async () => {
        const res = await gw.request(who, 'GET', `${api(who, 'contacts')}/${contactId}/card`);
        status = res.status;
        if (res.status !== 200) {
          last = await json<CardJson>(res);
          return false;
        }
        last = await json<CardJson>(res);
        return until(last);
      },
      { what: 'the card', timeoutMs: 20_000 },
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}; last answer ${status}: ${JSON.stringify(last)}`);
    });
    return last!;
  }

  it('a rep adds two notes (one pinned) and two tasks, completes one; the card shows it all', async () => {
    const contactId = await createContact(repA, { first_name: 'Ada', last_name: 'Card' });
    await write(
      repA,
      'POST',
      api(repA, 'notes'),
      { contact_id: contactId, body: 'Met at the fair', title: 'First' },
      201,
    );
    const pinned = await write<{ note: NoteJson }>(
      repA,
      'POST',
      api(repA, 'notes'),
      { note: { contact_id: contactId, body: 'Allergic to nuts', pinned: true } },
      201,
    );
    const soon = await write<{ task: TaskJson }>(
      repA,
      'POST',
      api(repA, 'tasks'),
      { contact_id: contactId, body: 'Call back', due_at: inHours(2) },
      201,
    );
    const later = await write<{ task: TaskJson }>(
      repA,
      'POST',
      api(repA, 'tasks'),
      { task: { contact_id: contactId, body: 'Send samples', due_at: inHours(48) } },
      201,
    );
    expect(soon.body.task.contact).toMatchObject({ id: contactId, full_name: 'Ada Card' });
    const done = await write<{ task: TaskJson }>(
      repA,
      'PATCH',
      `${api(repA, 'tasks')}/${soon.body.task.id}`,
      { completed: true },
      200,
    );
    expect(done.body.task.status).toBe('completed');

    const shown = await card(
      repA,
      contactId,
      (c) => c.card.activities.items.filter((a) => /^(note|task)\./.test(a.type)).length >= 5,
    );
    expect(shown.card.contact).toMatchObject({ id: contactId, full_name: 'Ada Card' });
    expect(shown.card.notes.items.map((n) => [n.id, n.pinned])).toEqual([
      [pinned.body.note.id, true],
      [expect.any(Number), false],
    ]);
    expect(shown.card.open_tasks.items.map((t) => t.id)).toEqual([later.body.task.id]);
    expect(shown.card.activities.items.map((a) => a.type).sort()).toEqual(
      [
        'contact.created',
        'note.created',
        'note.created',
        'task.completed',
        'task.created',
        'task.created',
      ].sort(),
    );
    expect(shown.card.activities.items.map((a) => a.summary)).toEqual(
      expect.arrayContaining(['Note added: First', 'Task completed']),
    );

    // The lists agree, and read their own writes with the consistency token.
    const notes = await gw.request(
      repA,
      'GET',
      `${api(repA, 'notes')}?contact_id=${contactId}`,
      undefined,
      consistent(pinned.token),
    );
    expect((await json<{ notes: NoteJson[] }>(notes)).notes[0]!.id).toBe(pinned.body.note.id);
    const completed = await gw.request(
      repA,
      'GET',
      `${api(repA, 'tasks')}?status=completed&contact_id=${contactId}`,
      undefined,
      consistent(done.token),
    );
    expect((await json<{ tasks: TaskJson[] }>(completed)).tasks.map((t) => t.id)).toEqual([
      soon.body.task.id,
    ]);

    // A discarded contact keeps its notes and tasks: hidden from lists unless asked for, back on restore.
    const gone = await write(repA, 'DELETE', `${api(repA, 'contacts')}/${contactId}`, undefined, 200);
    await gw.request(repA, 'GET', `${api(repA, 'contacts')}/${contactId}`, undefined, consistent(gone.token));
    const hidden = await gw.request(repA, 'GET', `${api(repA, 'notes')}?contact_id=${contactId}`);
    expect((await json<{ notes: NoteJson[] }>(hidden)).notes).toEqual([]);
    const asked = await gw.request(
      repA,
      'GET',
      `${api(repA, 'notes')}?contact_id=${contactId}&contact_discarded=include`,
    );
    expect((await json<{ notes: NoteJson[] }>(asked)).notes).toHaveLength(2);
    const back = await write(repA, 'POST', `${api(repA, 'contacts')}/${contactId}/restore`, undefined, 200);
    await gw.request(repA, 'GET', `${api(repA, 'contacts')}/${contactId}`, undefined, consistent(back.token));
    const restored = await gw.request(repA, 'GET', `${api(repA, 'tasks')}?contact_id=${contactId}`);
    expect((await json<{ tasks: TaskJson[] }>(restored)).tasks).toHaveLength(2);
  });

  it('keeps notes, tasks and cards in scope for rep B, company C and company A on a rep’s own contact (404, nothing written)', async () => {
    await createContact(repOfC, { first_name: 'Rep of C' }); // rep 77 is known in company 8 only
    const own = await createContact(repA, { first_name: 'Private' });
    const note = await write<{ note: NoteJson }>(
      repA,
      'POST',
      api(repA, 'notes'),
      { contact_id: own, body: 'mine' },
      201,
    );
    const task = await write<{ task: TaskJson }>(
      repA,
      'POST',
      api(repA, 'tasks'),
      { contact_id: own, body: 'mine' },
      201,
    );
    await card(repA, own, (c) => c.card.notes.items.length === 1 && c.card.open_tasks.items.length === 1);
    const notesBefore = await count('note_commits');
    const tasksBefore = await count('task_commits');

    for (const who of [repB, companyA, companyC]) {
      const n = `${api(who, 'notes')}/${note.body.note.id}`;
      const t = `${api(who, 'tasks')}/${task.body.task.id}`;
      const attempts: [string, string, unknown][] = [
        ['GET', n, undefined],
        ['PATCH', n, { pinned: true }],
        ['DELETE', n, undefined],
        ['POST', `${n}/restore`, undefined],
        ['GET', t, undefined],
        ['PATCH', t, { completed: true }],
        ['DELETE', t, undefined],
        ['GET', `${api(who, 'contacts')}/${own}/card`, undefined],
        ['POST', api(who, 'notes'), { contact_id: own, body: 'x' }],
        [
          'POST',
          api(who, 'tasks'),
          { contact_id: own, body: 'x', ...(who.scope === 'company' ? { user_id: 42 } : {}) },
        ],
      ];
      for (const [method, path, body] of attempts) {
        const res = await gw.request(who, method, path, body);
        expect({ who, method, path, status: res.status }).toEqual({ who, method, path, status: 404 });
      }
      for (const list of [
        `${api(who, 'notes')}?contact_id=${own}`,
        `${api(who, 'tasks')}?contact_id=${own}`,
      ]) {
        const res = await gw.request(who, 'GET', list);
        expect(res.status).toBe(200);
        expect(Object.values(await json<Record<string, unknown[]>>(res))[0]).toEqual([]);
      }
    }
    // A company task for a rep of another company: refused, nothing written.
    const foreign = await gw.request(companyA, 'POST', api(companyA, 'tasks'), {
      user_id: repOfC.userId,
      body: 'Not yours',
    });
    expect(foreign.status).toBe(422);
    expect((await json<ErrorBody>(foreign)).error.details).toEqual([
      { field: 'user_id', message: expect.any(String) },
    ]);
    expect(await count('note_commits')).toBe(notesBefore);
    expect(await count('task_commits')).toBe(tasksBefore);

    // The company sees the tasks it created for its rep, and the rep sees them too.
    const webContact = await createContact(companyA, {
      first_name: 'Web',
      user_id: 42,
      origin: 'company_website',
    });
    const assigned = await write<{ task: TaskJson }>(
      companyA,
      'POST',
      api(companyA, 'tasks'),
      { user_id: 42, contact_id: webContact, body: 'Welcome call' },
      201,
    );
    const byRep = await gw.request(
      repA,
      'GET',
      `${api(repA, 'tasks')}/${assigned.body.task.id}`,
      undefined,
      consistent(assigned.token),
    );
    expect(byRep.status).toBe(200);
    // The company's own note and task on its contact: the rep owning the contact sees them, nobody else.
    const companyNote = await write<{ note: NoteJson }>(
      companyA,
      'POST',
      api(companyA, 'notes'),
      { contact_id: webContact, body: 'From HQ' },
      201,
    );
    const byOwner = await gw.request(
      repA,
      'GET',
      `${api(repA, 'notes')}/${companyNote.body.note.id}`,
      undefined,
      consistent(companyNote.token),
    );
    expect(byOwner.status).toBe(200);
    for (const who of [repB, companyC]) {
      expect((await gw.request(who, 'GET', `${api(who, 'notes')}/${companyNote.body.note.id}`)).status).toBe(
        404,
      );
      expect((await gw.request(who, 'GET', `${api(who, 'tasks')}/${assigned.body.task.id}`)).status).toBe(
        404,
      );
      expect(
        (await gw.request(who, 'PATCH', `${api(who, 'tasks')}/${assigned.body.task.id}`, { completed: true }))
          .status,
      ).toBe(404);
      expect((await gw.request(who, 'GET', `${api(who, 'contacts')}/${webContact}/card`)).status).toBe(404);
    }
    const companyList = await gw.request(
      companyA,
      'GET',
      api(companyA, 'tasks'),
      undefined,
      consistent(assigned.token),
    );
    expect((await json<{ tasks: TaskJson[] }>(companyList)).tasks.map((t) => t.id)).toEqual([
      assigned.body.task.id,
    ]);
  });

  it('continues the card’s notes and tasks on their lists, and walks status=overdue across pages', async () => {
    const contactId = await createContact(repA, { first_name: 'Busy' });
    const created: number[] = [];
    for (let i = 0; i < 12; i++) {
      const { body } = await write<{ note: NoteJson }>(
        repA,
        'POST',
        api(repA, 'notes'),
        { contact_id: contactId, body: `n${i}` },
        201,
      );
      created.push(body.note.id);
    }
    // Due -11 h … 0 h: all overdue except the last one or two (judged when the walk starts).
    const tasks: { id: number; due: string }[] = [];
    for (let i = 0; i < 12; i++) {
      const due = inHours(i - 11 + (i >= 10 ? 2 : 0));
      const { body, token } = await write<{ task: TaskJson }>(
        repA,
        'POST',
        api(repA, 'tasks'),
        { contact_id: contactId, body: `t${i}`, due_at: due },
        201,
      );
      tasks.push({ id: body.task.id, due });
      if (i === 11)
        await gw.request(repA, 'GET', `${api(repA, 'tasks')}/${body.task.id}`, undefined, consistent(token));
    }
    const shown = await card(
      repA,
      contactId,
      (c) => c.card.notes.items.length === 10 && c.card.open_tasks.items.length === 10,
    );
    expect(shown.card.notes.next_cursor).not.toBeNull();
    const moreNotes = await gw.request(
      repA,
      'GET',
      `${api(repA, 'notes')}?contact_id=${contactId}&cursor=${shown.card.notes.next_cursor}`,
    );
    expect(moreNotes.status).toBe(200);
    const allNotes = [...shown.card.notes.items, ...(await json<{ notes: NoteJson[] }>(moreNotes)).notes].map(
      (n) => n.id,
    );
    expect(allNotes).toEqual([...created].reverse());
    const moreTasks = await gw.request(
      repA,
      'GET',
      `${api(repA, 'tasks')}?contact_id=${contactId}&status=open&cursor=${shown.card.open_tasks.next_cursor}`,
    );
    const allTasks = [
      ...shown.card.open_tasks.items,
      ...(await json<{ tasks: TaskJson[] }>(moreTasks)).tasks,
    ].map((t) => t.id);
    expect(allTasks).toEqual(tasks.map((t) => t.id));

    const walked: TaskJson[] = [];
    let cursor: string | null = null;
    const started = Date.now();
    do {
      const res = await gw.request(
        repA,
        'GET',
        `${api(repA, 'tasks')}?status=overdue&contact_id=${contactId}&limit=3${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.status).toBe(200);
      const page = await json<{ tasks: TaskJson[]; meta: { pagination: { next_cursor: string | null } } }>(
        res,
      );
      walked.push(...page.tasks);
      cursor = page.meta.pagination.next_cursor;
    } while (cursor);
    const expected = tasks.filter((t) => Date.parse(t.due) < started).map((t) => t.id);
    expect(walked.map((t) => t.id)).toEqual(expected);
    expect(walked.every((t) => t.status === 'overdue')).toBe(true);
    // A cursor is bound to its filters.
    const page1 = await json<{ meta: { pagination: { next_cursor: string } } }>(
      await gw.request(repA, 'GET', `${api(repA, 'tasks')}?status=overdue&contact_id=${contactId}&limit=3`),
    );
    const mismatched = await gw.request(
      repA,
      'GET',
      `${api(repA, 'tasks')}?status=pending&contact_id=${contactId}&cursor=${page1.meta.pagination.next_cursor}`,
    );
    expect(mismatched.status).toBe(400);
  });

  it('refuses read-only fields and bad input with a 4xx, writing nothing and publishing nothing', async () => {
    const own = await createContact(repA, { first_name: 'Input' });
    const other = await createContact(repB, { first_name: 'Not A’s' });
    const notesBefore = await count('note_commits');
    const tasksBefore = await count('task_commits');
    const notesEnd = await topicEnd(stack.notesTopic);
    const tasksEnd = await topicEnd(stack.tasksTopic);
    const asset = (url: string) => ({ url, filename: 'a.png', content_type: 'image/png', content_size: 3 });
    const bad: [Principal, string, unknown][] = [
      // mass assignment
      ...['id', 'company_id', 'user_id', 'due_at', 'created_at', 'updated_at', 'discarded_at'].map(
        (field): [Principal, string, unknown] => [
          repA,
          'notes',
          { contact_id: own, body: 'x', [field]: field === 'user_id' ? 1 : 'x' },
        ],
      ),
      ...[
        'id',
        'company_id',
        'contact',
        'completed_at',
        'status',
        'created_by',
        'created_at',
        'updated_at',
      ].map((field): [Principal, string, unknown] => [repA, 'tasks', { body: 'x', [field]: 'x' }]),
      // bad input
      [repA, 'notes', { contact_id: own, body: 'x', colour: 'red' }],
      [repA, 'notes', { contact_id: own, body: 'x'.repeat(20001) }],
      [repA, 'notes', { contact_id: own, body: 'x', assets: [asset('http://cdn.example.com/a.png')] }],
      [
        repA,
        'notes',
        {
          contact_id: own,
          body: 'x',
          assets: Array.from({ length: 21 }, (_, i) => asset(`https://cdn.example.com/${i}.png`)),
        },
      ],
      [repA, 'notes', { contact_id: other, body: 'x' }],
      [repA, 'tasks', { body: 'x', due_at: '2030-01-01T09:00:00' }],
      [repA, 'tasks', { body: 'x', due_at: 'tomorrow' }],
      [repA, 'tasks', { body: 'x', colour: 'red' }],
      [repA, 'tasks', { body: 'x', contact_id: other }],
    ];
    for (const [index, [who, resource, body]] of bad.entries()) {
      const res = await gw.request(who, 'POST', api(who, resource), body);
      // Read-only fields (the first 15) are a 422 naming the field; the rest a 4xx (422, or 404 for a contact not in scope).
      if (index < 15) expect({ body, status: res.status }).toEqual({ body, status: 422 });
      else expect({ body, status: res.status >= 400 && res.status < 500 }).toEqual({ body, status: true });
    }
    const note = await write<{ note: NoteJson }>(
      repA,
      'POST',
      api(repA, 'notes'),
      { contact_id: own, body: 'ok' },
      201,
    );
    expect(
      (await gw.request(repA, 'PATCH', `${api(repA, 'notes')}/${note.body.note.id}`, { contact_id: other }))
        .status,
    ).toBe(422);
    expect(await count('note_commits')).toBe(notesBefore + 1);
    expect(await count('task_commits')).toBe(tasksBefore);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await topicEnd(stack.notesTopic)).toBe(notesEnd + 1);
    expect(await topicEnd(stack.tasksTopic)).toBe(tasksEnd);
  });
});
