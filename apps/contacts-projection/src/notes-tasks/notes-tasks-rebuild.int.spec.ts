import { randomUUID } from 'node:crypto';
import type { NoteEvent, TaskEvent } from '@reps/contracts';
import {
  contactCard,
  contactStream,
  listNotes,
  listTasks,
  type ReadModelCollections,
  type Reader,
} from '@reps/contacts-read-model';
import { parseNoteListQuery, parseTaskListQuery } from '@reps/contracts';
import { resolveTestEnv, waitFor, type TestEnv } from '@reps/testing';
import { projectionUnderTest, type ProjectionUnderTest } from '../testing/projection.spec-helper';

const TENANT = 7;
const REP = 42;
const OTHER_REP = 43;
const NOW = Date.parse('2025-06-10T12:00:00Z');

/** Events of one note or task, numbered in order, with the §3 envelope (as contacts-command publishes them). */
function stream<E extends NoteEvent | TaskEvent>(id: number, company: boolean) {
  let version = 0;
  let clock = Date.UTC(2025, 5, 1, 9, 0, 0);
  return (type: E['type'], data: E['data'], userId = REP): E => {
    version += 1;
    clock += 60_000;
    return {
      id: randomUUID(),
      type,
      schema_version: 1,
      occurred_at: new Date(clock).toISOString(),
      aggregate_id: id,
      aggregate_version: version,
      company_id: TENANT,
      user_id: userId,
      company_visible: company,
      actor: company
        ? { scope: 'company', user_id: null, company_id: TENANT }
        : { scope: 'user', user_id: REP, company_id: TENANT },
      correlation_id: 'rebuild-test',
      causation_id: null,
      data,
    } as E;
  };
}

const noteData = (id: number, contactId: number, company: boolean, over: Record<string, unknown> = {}) => ({
  id,
  tenant_company_id: TENANT,
  company_id: company ? TENANT : null,
  contact_id: contactId,
  user_id: REP,
  created_by: 'user' as const,
  title: `Note ${id}`,
  body: `Body ${id}`,
  note_type: null,
  due_date: null,
  due_time: null,
  pinned: false,
  assets: [],
  created_at: new Date(Date.UTC(2025, 5, 1, 9, id)).toISOString(),
  ...over,
});
const taskData = (
  id: number,
  contactId: number | null,
  dueAt: string | null,
  createdBy: 'user' | 'company' = 'user',
) => ({
  id,
  tenant_company_id: TENANT,
  user_id: REP,
  contact_id: contactId,
  body: `Task ${id}`,
  due_at: dueAt,
  created_by: createdBy,
  created_at: new Date(Date.UTC(2025, 5, 1, 9, id)).toISOString(),
});

const rep: Reader = { scope: 'user', companyId: TENANT, userId: REP };
const company: Reader = { scope: 'company', companyId: TENANT };

/** What a rebuild must reproduce: the documents, and the cards and lists read from them. */
async function view(models: ReadModelCollections) {
  const byId = <T extends { _id: string }>(docs: T[]) => docs.sort((a, b) => (a._id < b._id ? -1 : 1));
  const cards = [];
  for (const reader of [rep, company])
    for (const contactId of [301, 302, 303]) cards.push(await contactCard(models, reader, contactId, NOW));
  return {
    notes: byId(await models.notesTasks.notes.find({}).toArray()),
    tasks: byId(await models.notesTasks.tasks.find({}).toArray()),
    cards,
    lists: [
      await listNotes(
        models,
        rep,
        parseNoteListQuery({ contact_discarded: 'include', discarded: 'include' }),
        NOW,
      ),
      await listTasks(models, rep, parseTaskListQuery({ status: 'overdue' }), NOW),
      await listTasks(models, company, parseTaskListQuery({}), NOW),
    ],
  };
}

describe('notes, tasks and cards: redelivery and a replay from offset 0 (real Kafka and MongoDB-compatible server)', () => {
  let env: TestEnv;
  let p: ProjectionUnderTest;

  beforeAll(async () => {
    env = await resolveTestEnv();
    p = await projectionUnderTest(env);
    await p.start();
  });
  afterAll(async () => {
    await p?.close();
    await env?.close();
  });

  it('builds the same notes, tasks and cards live and in a fresh generation', async () => {
    const own = contactStream({ contactId: 301, tenant: TENANT, owner: REP });
    const web = contactStream({ contactId: 302, tenant: TENANT, owner: REP, origin: 'company_website' });
    const gone = contactStream({ contactId: 303, tenant: TENANT, owner: REP });
    const contacts = [
      own.created({ first_name: 'Ann', last_name: 'Own' }),
      web.created({ first_name: 'Web' }),
      gone.created({ first_name: 'Gone' }),
    ];

    const n1 = stream<NoteEvent>(1, false);
    const n2 = stream<NoteEvent>(2, false);
    const n3 = stream<NoteEvent>(3, true);
    const n4 = stream<NoteEvent>(4, false);
    const notes = [
      n1('note.created', noteData(1, 301, false)),
      n2('note.created', noteData(2, 301, false)),
      n2('note.updated', {
        changes: { pinned: true },
        previous: { pinned: false },
        updated_at: '2025-06-02T10:00:00.000Z',
      }),
      n3(
        'note.created',
        noteData(3, 302, true, {
          assets: [
            {
              id: 'a1',
              url: 'https://cdn.example.com/a.png',
              filename: 'a.png',
              content_type: 'image/png',
              content_size: 3,
            },
          ],
        }),
      ),
      n1('note.discarded', { discarded_at: '2025-06-02T11:00:00.000Z' }),
      n1('note.restored', { restored_at: '2025-06-02T12:00:00.000Z' }),
      n4('note.created', noteData(4, 303, false)),
    ];
    const t1 = stream<TaskEvent>(11, false);
    const t2 = stream<TaskEvent>(12, true);
    const t3 = stream<TaskEvent>(13, false);
    const t4 = stream<TaskEvent>(14, false);
    const tasks = [
      t1('task.created', taskData(11, 301, '2025-06-09T08:00:00+02:00')),
      t2('task.created', taskData(12, 302, '2025-06-20T08:00:00Z', 'company')),
      t3('task.created', taskData(13, 301, null)),
      t3('task.completed', { completed_at: '2025-06-03T10:00:00.000Z', contact_id: 301 }),
      t4('task.created', taskData(14, null, '2025-06-01T08:00:00Z')),
      t4(
        'task.updated',
        {
          changes: { user_id: OTHER_REP },
          previous: { user_id: REP },
          updated_at: '2025-06-03T10:00:00.000Z',
        },
        OTHER_REP,
      ),
      t1('task.updated', {
        changes: { due_at: '2025-06-08T08:00:00Z' },
        previous: { due_at: '2025-06-09T08:00:00+02:00' },
        updated_at: '2025-06-04T10:00:00.000Z',
      }),
    ];
    // Notes and tasks may be projected before the contacts they are on.
    await p.publishTo(p.notesTopic, notes.slice(0, 4));
    await p.publishTo(p.tasksTopic, tasks.slice(0, 4));
    await p.publish(contacts);
    await p.publishTo(p.notesTopic, notes.slice(4));
    await p.publishTo(p.tasksTopic, tasks.slice(4));
    // A rename shows in the task's contact summary; a discarded contact hides its notes from lists.
    await p.publish([own.updated({ first_name: 'Anne' }), gone.discarded()]);
    // Redelivered copies change nothing.
    await p.publishTo(p.notesTopic, notes.slice(1, 3));
    await p.publishTo(p.tasksTopic, tasks.slice(0, 2));

    const live = async () => p.catalog.collections((await p.catalog.activeGeneration()) ?? 'g1');
    await waitFor(
      async () => {
        const models = await live();
        const [n1Doc, t1Doc, t4Doc, own1, gone1, entries] = await Promise.all([
          models.notesTasks.notes.findOne({ _id: `${TENANT}:1` }),
          models.notesTasks.tasks.findOne({ _id: `${TENANT}:11` }),
          models.notesTasks.tasks.findOne({ _id: `${TENANT}:14` }),
          models.user.findOne({ _id: `${TENANT}:301` }),
          models.user.findOne({ _id: `${TENANT}:303` }),
          models.activities.countDocuments({ type: { $regex: '^(note|task)\\.' } }),
        ]);
        // note.created ×4, task.created ×3 with a contact, task.completed ×1.
        return (
          n1Doc?._v === 3 &&
          t1Doc?._v === 2 &&
          t4Doc?._v === 2 &&
          own1?._v === 2 &&
          gone1?._v === 2 &&
          entries === 8
        );
      },
      { what: 'the live notes, tasks and timeline to settle', timeoutMs: 60_000 },
    );

    const liveView = await view(await live());
    const [repOwn, repWeb, repGone, companyOwn, companyWeb] = liveView.cards;
    expect(repOwn?.card.notes.items.map((n) => n.id)).toEqual([2, 1]);
    expect(repOwn?.card.open_tasks.items.map((t) => [t.id, t.status, t.contact?.full_name])).toEqual([
      [11, 'overdue', 'Anne Own'],
    ]);
    expect(repOwn?.card.activities.items.map((a) => a.type)).toEqual(
      expect.arrayContaining([
        'note.created',
        'note.created',
        'task.created',
        'task.created',
        'task.completed',
        'contact.updated',
      ]),
    );
    expect(repWeb?.card.open_tasks.items.map((t) => t.id)).toEqual([12]);
    expect(repGone?.card.notes.items.map((n) => n.id)).toEqual([4]);
    expect(companyOwn).toBeNull();
    expect(companyWeb?.card.notes.items.map((n) => n.id)).toEqual([3]);
    expect(
      companyWeb?.card.activities.items.every((a) => a.type !== 'note.created' || a.data['note_id'] === 3),
    ).toBe(true);
    const [repNotes, overdue, companyTasks] = liveView.lists;
    expect(repNotes?.items.map((n) => n.id)).toEqual([2, 4, 3, 1]);
    expect(overdue?.items.map((t) => t.id)).toEqual([11]);
    expect(companyTasks?.items.map((t) => t.id)).toEqual([12]);

    const report = await p.rebuild({ dropOldAfterMs: null });
    expect(report.to).not.toBe(report.from);
    expect(await view(p.catalog.collections(report.to))).toEqual(liveView);
  });
});
