import fc from 'fast-check';
import type { TaskEvent } from '@reps/contracts';
import {
  applyTaskEvent,
  createReadModelCatalog,
  listTasks,
  type ReadModelCollections,
  type TaskReadDoc,
} from '@reps/contacts-read-model';
import { connectMongo, type MongoHandle } from '@reps/mongo';
import { parseTaskListQuery } from '@reps/contracts';
import { resolveTestEnv, uniqueName, type TestEnv } from '@reps/testing';

const REP = 42;
const OTHER_REP = 43;
const NOW = Date.parse('2026-06-01T12:00:00Z');
const HOUR = 3600_000;

type Op =
  | { kind: 'reschedule'; dueHours: number | null }
  | { kind: 'complete' }
  | { kind: 'reopen' }
  | { kind: 'delete' }
  | { kind: 'reassign'; to: number };

const dueHours = fc.option(fc.integer({ min: -72, max: 72 }), { nil: null });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('reschedule' as const), dueHours }),
  fc.constant({ kind: 'complete' as const }),
  fc.constant({ kind: 'reopen' as const }),
  fc.constant({ kind: 'delete' as const }),
  fc.record({ kind: fc.constant('reassign' as const), to: fc.constantFrom(REP, OTHER_REP) }),
);
const history = fc.record({ dueHours, ops: fc.array(op, { maxLength: 4 }) });

const iso = (hours: number | null) =>
  // Mixed offsets: order and "past" must not depend on how the instant is spelled.
  hours === null ? null : new Date(NOW + hours * HOUR + 17_000).toISOString().replace('Z', '+00:00');

/** The task's events, as contacts-command would decide them (no event for a no-op). */
function eventsOf(tenant: number, taskId: number, h: { dueHours: number | null; ops: Op[] }): TaskEvent[] {
  const at = new Date(NOW - 100 * HOUR).toISOString();
  const envelope = (version: number, userId: number) => ({
    id: `00000000-0000-4000-8000-${String(taskId * 100 + version).padStart(12, '0')}`,
    schema_version: 1 as const,
    occurred_at: at,
    aggregate_id: taskId,
    aggregate_version: version,
    company_id: tenant,
    user_id: userId,
    company_visible: false,
    actor: { scope: 'user' as const, user_id: userId, company_id: tenant },
    correlation_id: 'prop',
    causation_id: null,
  });
  let user = REP;
  let due = iso(h.dueHours);
  let completed = false;
  let deleted = false;
  const events: TaskEvent[] = [
    {
      ...envelope(1, user),
      type: 'task.created',
      data: {
        id: taskId,
        tenant_company_id: tenant,
        user_id: user,
        contact_id: null,
        body: 'b',
        due_at: due,
        created_by: 'user',
        created_at: at,
      },
    },
  ];
  for (const o of h.ops) {
    if (deleted) break;
    const v = events.length + 1;
    if (o.kind === 'reschedule' && iso(o.dueHours) !== due) {
      events.push({
        ...envelope(v, user),
        type: 'task.updated',
        data: { changes: { due_at: iso(o.dueHours) }, previous: { due_at: due }, updated_at: at },
      });
      due = iso(o.dueHours);
    } else if (o.kind === 'complete' && !completed) {
      events.push({
        ...envelope(v, user),
        type: 'task.completed',
        data: { completed_at: at, contact_id: null },
      });
      completed = true;
    } else if (o.kind === 'reopen' && completed) {
      events.push({ ...envelope(v, user), type: 'task.reopened', data: { reopened_at: at } });
      completed = false;
    } else if (o.kind === 'delete') {
      events.push({ ...envelope(v, user), type: 'task.deleted', data: { deleted_at: at } });
      deleted = true;
    } else if (o.kind === 'reassign' && o.to !== user) {
      events.push({
        ...envelope(v, o.to),
        type: 'task.updated',
        data: { changes: { user_id: o.to }, previous: { user_id: user }, updated_at: at },
      });
      user = o.to;
    }
  }
  return events;
}

describe('status=overdue across a cursor walk (property, real MongoDB-compatible server)', () => {
  let env: TestEnv;
  let mongo: MongoHandle;
  let models: ReadModelCollections;

  beforeAll(async () => {
    env = await resolveTestEnv();
    mongo = await connectMongo({
      url: env.mongoUrl,
      dbName: uniqueName('overdue').replace(/-/g, '_'),
      appName: 'test',
    });
    models = createReadModelCatalog(mongo.db).collections('g1');
  });
  afterAll(async () => {
    await mongo?.db.dropDatabase().catch(() => undefined);
    await mongo?.close();
    await env?.close();
  });

  let tenant = 1000;

  it('lists exactly the rep’s pending tasks whose due_at is past, each once, soonest first', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(history, { minLength: 0, maxLength: 14 }),
        fc.integer({ min: 1, max: 4 }),
        async (histories, limit) => {
          tenant += 1;
          const docs: TaskReadDoc[] = [];
          histories.forEach((h, index) => {
            let doc: TaskReadDoc | null = null;
            for (const event of eventsOf(tenant, index + 1, h)) {
              const result = applyTaskEvent(doc, event);
              if (result.kind !== 'next') throw new Error(`history did not apply: ${result.kind}`);
              doc = result.doc;
            }
            docs.push(doc!);
          });
          if (docs.length > 0) await models.notesTasks.tasks.insertMany(docs);

          const oracle = docs
            .filter(
              (d) =>
                d.deleted_at === null &&
                d.user_id === REP &&
                d.completed_at === null &&
                d.due_at !== null &&
                Date.parse(d.due_at) < NOW,
            )
            .sort((a, b) => Date.parse(a.due_at!) - Date.parse(b.due_at!) || a.id - b.id)
            .map((d) => d.id);

          const walked: number[] = [];
          const statuses = new Set<string>();
          let cursor: string | undefined;
          for (let page = 0; page < 50; page++) {
            const query = parseTaskListQuery({
              status: 'overdue',
              limit: String(limit),
              ...(cursor ? { cursor } : {}),
            });
            // Later pages are read later: the walk still judges "overdue" at its start.
            const result = await listTasks(
              models,
              { scope: 'user', companyId: tenant, userId: REP },
              query,
              NOW + page * HOUR,
            );
            for (const task of result.items) {
              walked.push(task.id);
              statuses.add(task.status);
            }
            if (!result.next_cursor) break;
            cursor = result.next_cursor;
          }
          expect(walked).toEqual(oracle);
          expect([...statuses].every((s) => s === 'overdue')).toBe(true);
        },
      ),
      { numRuns: 25 },
    );
  });
});
