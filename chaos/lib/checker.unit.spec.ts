import {
  check,
  diffModels,
  longestOutage,
  type CheckInput,
  type Operation,
  type ReadDoc,
  type StoredEvent,
} from './checker.cjs';

const ok = (at: number, status = 201) => ({ at, ms: 10, status });

/** A small world: three acknowledged writes (create, update, bulk of two) that everything agrees on. */
function world(): CheckInput {
  const ops: Operation[] = [
    {
      op: 1,
      kind: 'create',
      principal: 'rep',
      scope: 'user',
      tenant: 7,
      started: 100,
      attempts: [ok(100)],
      outcome: 'ack',
      contactId: 1,
      version: 1,
      marker: 'C1',
    },
    {
      op: 2,
      kind: 'update',
      principal: 'rep',
      tenant: 7,
      started: 1100,
      attempts: [ok(1100, 200)],
      outcome: 'ack',
      contactId: 1,
      version: 2,
      marker: 'U2',
    },
    {
      op: 3,
      kind: 'bulk',
      principal: 'rep',
      scope: 'user',
      tenant: 7,
      started: 2100,
      attempts: [ok(2100, 200)],
      outcome: 'ack',
      marker: 'B3',
      size: 2,
      created: [
        { id: 2, version: 1, marker: 'B3i0' },
        { id: 3, version: 1, marker: 'B3i1' },
      ],
    },
  ];
  const store: StoredEvent[] = [
    { id: 'e1', type: 'contact.created', aggregate_id: 1, aggregate_version: 1, data: { first_name: 'C1' } },
    {
      id: 'e2',
      type: 'contact.updated',
      aggregate_id: 1,
      aggregate_version: 2,
      data: { changes: { city: 'U2' } },
    },
    {
      id: 'e3',
      type: 'contact.created',
      aggregate_id: 2,
      aggregate_version: 1,
      data: { first_name: 'B3i0' },
    },
    {
      id: 'e4',
      type: 'contact.created',
      aggregate_id: 3,
      aggregate_version: 1,
      data: { first_name: 'B3i1' },
    },
  ];
  const user: ReadDoc[] = [
    { _id: '7:1', _v: 2, id: 1, first_name: 'C1', city: 'U2' },
    { _id: '7:2', _v: 1, id: 2, first_name: 'B3i0', city: null },
    { _id: '7:3', _v: 1, id: 3, first_name: 'B3i1', city: null },
  ];
  return {
    history: { ops, reads: [ok(500, 200), ok(1500, 200), ok(2500, 200)] },
    faults: [
      { id: 'baseline', name: 'baseline', start: 0 },
      { id: 'kill-x', name: 'SIGKILL x', start: 2000, healStart: 2500, recoveredAt: 2900, end: 3000 },
    ],
    store,
    kafka: store.map((e) => ({ ...e })),
    readModels: { user, company: [] },
    rebuilt: { user: user.map((d) => ({ ...d })), company: [] },
    dlq: 0,
    readiness: { gateway: 200, 'contacts-command': 200 },
    notifier: { applicable: false, reason: 'not built' },
  };
}

const verdict = (result: ReturnType<typeof check>, id: string) => result.verdicts.find((v) => v.id === id)!;

describe('chaos checker', () => {
  it('passes a history that everything agrees on, with one row per fault', () => {
    const result = check(world());
    expect(result.verdicts.filter((v) => !v.ok)).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.rows.map((r) => [r.id, r.acknowledged, r.lost, r.duplicated, r.recoverMs])).toEqual([
      ['baseline', 2, 0, 0, null],
      ['kill-x', 2, 0, 0, 400],
    ]);
    expect(verdict(result, 'n').notApplicable).toBe('not built');
  });

  it('counts an acknowledged write missing from the event store as lost, in its fault row', () => {
    const input = world();
    input.store = input.store.filter((e) => e.id !== 'e3');
    input.kafka = input.kafka.filter((e) => e.id !== 'e3');
    const result = check(input);
    expect(verdict(result, 'a').ok).toBe(false);
    expect(verdict(result, 'a').examples[0]).toMatch(/op 3 create contact 2 v1: not in the event store/);
    expect(result.rows[1]).toMatchObject({ id: 'kill-x', lost: 1 });
    expect(result.totals['lost']).toBe(1);
  });

  it('fails a write stored but never published, and a different event at an acknowledged version', () => {
    const unpublished = world();
    unpublished.kafka = unpublished.kafka.filter((e) => e.id !== 'e2');
    expect(verdict(check(unpublished), 'a').examples).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/op 2 update contact 1 v2: not on the topic/),
        '1@2: stored but never published',
      ]),
    );

    const replaced = world();
    replaced.store[1] = {
      id: 'e2',
      type: 'contact.updated',
      aggregate_id: 1,
      aggregate_version: 2,
      data: { changes: { city: 'someone else' } },
    };
    expect(verdict(check(replaced), 'a').examples[0]).toMatch(/another event at this version/);
  });

  it('accepts a redelivered copy of the same event (at-least-once) but not two events for one version', () => {
    const copy = world();
    copy.kafka.push({ ...copy.kafka[0]! });
    const result = check(copy);
    expect(verdict(result, 'a').ok).toBe(true);
    expect(result.totals['redeliveredCopies']).toBe(1);

    const conflict = world();
    conflict.kafka.push({ ...conflict.kafka[0]!, id: 'other' });
    expect(verdict(check(conflict), 'a').examples).toContain('1@1: 2 different events on the topic');
  });

  it('fails read models behind an acknowledged version or unequal to the rebuild', () => {
    const behind = world();
    behind.readModels.user[0] = { _id: '7:1', _v: 1, id: 1, first_name: 'C1', city: null };
    const result = check(behind);
    expect(verdict(result, 'b').examples).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/op 2 update contact 1 v2: user model at v1, behind/),
        expect.stringMatching(/^user model: 7:1 differs/),
      ]),
    );

    const extra = world();
    extra.rebuilt!.user.push({ _id: '7:9', _v: 1, id: 9 });
    expect(verdict(check(extra), 'b').examples).toEqual([
      'user model: 7:9 is in the rebuild but not in the live read model',
    ]);
  });

  it('fails a refused write that shows up anyway', () => {
    const input = world();
    input.history.ops.push({
      op: 4,
      kind: 'update',
      principal: 'rep',
      tenant: 7,
      started: 2200,
      attempts: [ok(2200, 412)],
      outcome: 'refused',
      contactId: 2,
      marker: 'U4',
    });
    input.store.push({
      id: 'e5',
      type: 'contact.updated',
      aggregate_id: 2,
      aggregate_version: 2,
      data: { changes: { city: 'U4' } },
    });
    input.kafka = input.store.map((e) => ({ ...e }));
    expect(verdict(check(input), 'b').examples).toContain('refused write U4 is in the event store (2@2)');
  });

  it('does not require writes whose outcome is unknown', () => {
    const input = world();
    input.history.ops.push({
      op: 5,
      kind: 'create',
      principal: 'rep',
      scope: 'user',
      started: 2300,
      attempts: [{ at: 2300, ms: 15_000, status: 0, error: 'ECONNRESET' }],
      outcome: 'unknown',
      marker: 'C5',
    });
    const result = check(input);
    expect(result.ok).toBe(true);
    expect(result.rows[1]).toMatchObject({ unknown: 1 });
  });

  it('counts a retried create that made two contacts as duplicated', () => {
    const input = world();
    input.store.push({
      id: 'e6',
      type: 'contact.created',
      aggregate_id: 4,
      aggregate_version: 1,
      data: { first_name: 'C1' },
    });
    input.kafka = input.store.map((e) => ({ ...e }));
    const result = check(input);
    expect(verdict(result, 'c').examples[0]).toMatch(
      /op 1 \(create, 1 attempts\) created 2 contacts for C1: 1, 4/,
    );
    expect(result.rows[0]).toMatchObject({ duplicated: 1 });
  });

  it('fails any 5xx but a 503 with Retry-After, and any request that hung', () => {
    const input = world();
    input.history.reads.push({ at: 2600, ms: 5, status: 503, retryAfter: 1 });
    expect(verdict(check(input), 'd').ok).toBe(true);
    input.history.reads.push(
      { at: 2700, ms: 5, status: 503 },
      { at: 2800, ms: 5, status: 500, retryAfter: 1 },
      { at: 2850, ms: 100, status: 0, hung: true },
    );
    const result = check(input);
    expect(verdict(result, 'd').problems).toBe(3);
    expect(result.rows[1]).toMatchObject({ unexpected5xx: 2, status503: 2, hung: 1 });
  });

  it('fails a non-empty DLQ and an app that is not ready', () => {
    const input = world();
    input.dlq = 2;
    input.readiness['gateway'] = 503;
    const result = check(input);
    expect(verdict(result, 'e').examples).toEqual(['2 message(s) on the dead-letter topic']);
    expect(verdict(result, 'f').examples).toEqual(['gateway /readyz answers 503']);
    expect(result.ok).toBe(false);
  });

  it('accounts for acknowledged group writes in the groups store and topic', () => {
    const input = world();
    input.history.ops.push(
      {
        op: 7,
        kind: 'group-create',
        principal: 'rep',
        started: 2400,
        attempts: [ok(2400)],
        outcome: 'ack',
        groupId: 50,
        version: 1,
        marker: 'G7',
      },
      {
        op: 8,
        kind: 'group-add',
        principal: 'rep',
        started: 2450,
        attempts: [ok(2450, 200)],
        outcome: 'ack',
        groupId: 50,
        contactId: 1,
        version: 2,
      },
    );
    input.groupStore = [
      { id: 'g1', type: 'group.created', aggregate_id: 50, aggregate_version: 1, data: { name: 'G7' } },
      { id: 'g2', type: 'group.contacts_added', aggregate_id: 50, aggregate_version: 2 },
    ];
    input.groupKafka = input.groupStore.map((e) => ({ ...e }));
    let result = check(input);
    expect(result.ok).toBe(true);
    expect(result.totals['groupWrites']).toBe(2);
    expect(result.rows[1]).toMatchObject({ acknowledged: 4 });

    input.groupKafka = input.groupKafka.slice(0, 1);
    result = check(input);
    expect(verdict(result, 'a').examples).toEqual([
      'op 8 group-add group 50 v2: not on the topic',
      'group 50@2: stored but never published',
    ]);
    expect(result.rows[1]).toMatchObject({ lost: 1 });
  });

  it('accounts for notes, tasks and SmartLinks: creates by marker, versions, public opens and beacons', () => {
    const input = world();
    const op = (n: number, extra: Partial<Operation>): Operation => ({
      op: n,
      kind: 'note-create',
      principal: 'rep',
      tenant: 7,
      started: 2400 + n,
      attempts: [ok(2400 + n)],
      outcome: 'ack',
      ...extra,
    });
    input.history.ops.push(
      op(10, { kind: 'note-create', aggregate: 'note', aggregateId: 5, version: 1, marker: 'N10' }),
      op(11, { kind: 'task-create', aggregate: 'task', aggregateId: 6, version: 1, marker: 'T11' }),
      op(12, { kind: 'task-complete', aggregate: 'task', aggregateId: 6, version: 2 }),
      op(13, {
        kind: 'smartlink-create',
        aggregate: 'smartlink',
        aggregateId: 8,
        version: 1,
        marker: 'Q13x1q',
      }),
      op(14, { kind: 'smartlink-open', public: true, smartlinkId: 8 }),
      op(15, { kind: 'smartlink-activity', public: true, smartlinkId: 8, marker: 'Q15x1q' }),
    );
    const ev = (
      id: string,
      type: string,
      aggregate_id: number,
      aggregate_version: number,
      marker?: string,
    ) => ({
      id,
      type,
      aggregate_id,
      aggregate_version,
      marker,
    });
    const notes = [ev('n1', 'note.created', 5, 1, 'N10')];
    const tasks = [ev('t1', 'task.created', 6, 1, 'T11'), ev('t2', 'task.completed', 6, 2)];
    const links = [
      ev('s1', 'smartlink.created', 8, 1, 'Q13x1q'),
      ev('s2', 'smartlink.opened', 8, 2, 'Q13x1q'),
      ev('s3', 'smartlink.activity_recorded', 8, 3, 'Q15x1q'),
    ];
    input.aggregates = {
      note: { store: notes, kafka: notes },
      task: { store: tasks, kafka: tasks },
      smartlink: { store: links, kafka: links },
    };
    input.readModels.notes = [{ _id: '7:5', _v: 1, id: 5 }];
    input.readModels.tasks = [{ _id: '7:6', _v: 2, id: 6 }];
    input.rebuilt = { ...input.rebuilt!, notes: input.readModels.notes, tasks: input.readModels.tasks };
    let result = check(input);
    expect(result.verdicts.filter((v) => !v.ok)).toEqual([]);
    expect(result.totals).toMatchObject({ noteTaskWrites: 3, smartlinkWrites: 3 });

    input.aggregates.smartlink = { store: links.slice(0, 2), kafka: links.slice(0, 2) };
    input.aggregates.task = { store: tasks, kafka: tasks.slice(0, 1) };
    input.readModels.tasks = [{ _id: '7:6', _v: 1, id: 6 }];
    result = check(input);
    expect(verdict(result, 'a').examples).toEqual([
      'op 12 task-complete task 6 v2: not on the topic',
      'task 6@2: stored but never published',
      'op 15 smartlink-activity smartlink 8 Q15x1q: not in the event store',
    ]);
    expect(verdict(result, 'b').examples).toEqual([
      'tasks model: 7:6 differs: live {"_id":"7:6","_v":1,"id":6} / rebuilt {"_id":"7:6","_v":2,"id":6}',
      'op 12 task-complete task 6 v2: tasks model at v1, behind the acknowledged v2',
    ]);
  });

  describe('the notifier: pushes named by the events markers', () => {
    const event = (id: string, marker: string, user = 11) => ({
      id,
      type: marker.startsWith('Q1') ? 'smartlink.opened' : 'smartlink.activity_recorded',
      aggregate_id: 8,
      aggregate_version: 2,
      company_id: 1001,
      user_id: user,
      marker,
    });
    const notifierInput = (pushes: { device: string; body: string }[]) => {
      const input = world();
      input.notifier = {
        applicable: true,
        pushes,
        rejected: [],
        // The topic may hold a redelivered copy of an event (same id): still one event.
        events: [event('a', 'Q1x1q'), event('b', 'Q2x2q'), event('b', 'Q2x2q'), event('c', 'Q3x3q')],
        devices: { '1001:11': 'rep-11' },
      };
      return input;
    };

    it('passes when every event is named by exactly one push (bursts name several)', () => {
      const result = check(
        notifierInput([
          { device: 'rep-11', body: 'A contact opened Q1x1q' },
          { device: 'rep-11', body: 'A contact viewed 2 items: Q2x2q, Q3x3q' },
        ]),
      );
      expect(verdict(result, 'n')).toMatchObject({
        ok: true,
        pushes: { received: 2, events: 3, pushed: 3, toldUnnamed: 0, noDevice: 0 },
      });
    });

    it('fails a push sent twice for one event, and an event never pushed', () => {
      const result = check(
        notifierInput([
          { device: 'rep-11', body: 'A contact opened Q1x1q' },
          { device: 'rep-11', body: 'A contact opened Q1x1q' },
          { device: 'rep-11', body: 'A contact viewed Q2x2q' },
        ]),
      );
      expect(verdict(result, 'n').examples).toEqual([
        'rep-11: 2 pushes name Q1x1q, which 1 event(s) carry — a push sent twice',
        'rep-11: event c (smartlink.activity_recorded Q3x3q) was never pushed',
      ]);
      expect(result.ok).toBe(false);
    });

    it('counts events told by a shortened push or a digest without names, and those of reps without a device', () => {
      const input = notifierInput([
        { device: 'rep-11', body: 'A contact opened Q1x1q' },
        { device: 'rep-11', body: 'A contact viewed 2 items: Q2x2q, Q3…' },
      ]);
      input.notifier!.events!.push(event('d', 'Q4x4q', 12));
      expect(verdict(check(input), 'n')).toMatchObject({
        ok: true,
        pushes: { received: 2, events: 4, pushed: 2, toldUnnamed: 1, noDevice: 1 },
      });
    });

    it('fails a push the push service refused (bad VAPID or encryption)', () => {
      const input = notifierInput([
        { device: 'rep-11', body: 'A contact opened Q1x1q' },
        { device: 'rep-11', body: 'A contact viewed 2 items: Q2x2q, Q3x3q' },
      ]);
      input.notifier!.rejected = [{ device: 'rep-11', reason: 'VAPID JWT is not ES256' }];
      expect(verdict(check(input), 'n').examples).toEqual([
        "rep-11: a push failed the push service's checks (VAPID JWT is not ES256)",
      ]);
    });
  });
});

describe('longestOutage', () => {
  it('is the longest stretch without a served answer, up to the end of the window', () => {
    const attempts = [
      ok(0),
      { at: 100, ms: 5000, status: 0 },
      ok(1000),
      { at: 1100, ms: 10, status: 503, retryAfter: 1 },
      ok(4000),
    ];
    // served answers end at 10, 1010 and 4010; the window is [0, 5000]
    expect(longestOutage(attempts, 0, 5000)).toBe(3000);
    expect(longestOutage([], 0, 5000)).toBe(5000);
  });
});

describe('diffModels', () => {
  it('ignores field order', () => {
    expect(
      diffModels([{ _id: 'a', _v: 1, id: 1, city: 'x' }], [{ city: 'x', id: 1, _v: 1, _id: 'a' }]),
    ).toEqual([]);
  });
});
