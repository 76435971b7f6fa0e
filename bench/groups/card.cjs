// Contact card latency (GET /contacts/:id/card: the contact, 10 newest activities, 10 notes, 10
// open tasks) for a contact with ~200 timeline entries, 50 notes and 50 tasks, through the gateway
// and straight to contacts-query, next to the raw finds the card needs (driver, one at a time).
const { MongoClient } = require('mongodb');
const { load } = require('../lib/load.cjs');
const { withCpu } = require('../lib/processes.cjs');
const { auth, jsonHeaders } = require('../lib/http.cjs');
const { summarize, ratio, round, sleep } = require('../lib/stats.cjs');

const V = '/api/user/crm/v202506';

async function post(url, token, method, body) {
  const res = await fetch(url, {
    method,
    headers: jsonHeaders(token),
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${url} answered ${res.status}: ${text.slice(0, 200)}`);
  return JSON.parse(text);
}

/** Runs `count` calls of `fn(i)` with at most `parallel` in flight. */
async function inParallel(count, parallel, fn) {
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      for (let i = next++; i < count; i = next++) await fn(i);
    }),
  );
}

/** The raw finds of one card, in the order contacts-query issues them (each timed alone). */
function rawFinds(models, ids) {
  const { companyId, userId, contactId } = ids;
  const contactKey = `${companyId}:${contactId}`;
  return [
    ['contact by _id', () => models.user.findOne({ _id: contactKey })],
    ['group slot by _id', () => models.groups.slots.findOne({ _id: `${companyId}:${userId}:1` })],
    [
      'activities: 11 newest of the contact',
      () =>
        models.activities
          .find({ tenant_company_id: companyId, contact_id: contactId })
          .sort({ _o: -1, _id: -1 })
          .limit(11)
          .toArray(),
    ],
    [
      'notes: first batch of the contact (50)',
      () =>
        models.notesTasks.notes
          .find({ tenant_company_id: companyId, contact_id: contactId, _discarded: false })
          .sort({ _o: -1, id: -1 })
          .limit(50)
          .toArray(),
    ],
    [
      'open tasks: first batch of the contact (50)',
      () =>
        models.notesTasks.tasks
          .find({
            tenant_company_id: companyId,
            user_id: userId,
            deleted_at: null,
            contact_id: contactId,
            completed_at: null,
          })
          .sort({ _da: 1, id: 1 })
          .limit(50)
          .toArray(),
    ],
  ];
}

module.exports = {
  name: 'card',
  title:
    'GET /contacts/:id/card (200 activities, 50 notes, 50 tasks) through the gateway and direct, vs the raw finds it needs',
  order: 95,
  needs: { stack: true },
  settings: {
    cardNotes: { env: 'BENCH_CARD_NOTES', full: 50, quick: 50 },
    cardTasks: { env: 'BENCH_CARD_TASKS', full: 50, quick: 50 },
    cardUpdates: { env: 'BENCH_CARD_UPDATES', full: 100, quick: 100 },
    cardConnections: { env: 'BENCH_CARD_CONNECTIONS', full: 4, quick: 4 },
  },
  estimateS: (cfg) => 60 + 4 * (cfg.seconds + 5),
  async run(ctx) {
    const { cfg, stack } = ctx;
    const { token, companyId, userId } = await ctx.tenant('card');
    const cmd = ctx.reproduce([
      'BENCH_SECONDS',
      'BENCH_CARD_NOTES',
      'BENCH_CARD_TASKS',
      'BENCH_CARD_UPDATES',
      'BENCH_CARD_CONNECTIONS',
    ]);
    const gw = stack.services.gateway.url;
    const commandUrl = stack.services.command.url;

    // The contact and its history: updates (timeline entries), notes (every 5th pinned) and
    // tasks (due from yesterday on, every 4th completed), written straight to contacts-command.
    const { contact } = await post(`${commandUrl}${V}/contacts`, token, 'POST', {
      first_name: 'Card',
      last_name: 'Bench',
    });
    ctx.log(
      `card: seeding contact ${contact.id} (${cfg.cardUpdates} updates, ${cfg.cardNotes} notes, ${cfg.cardTasks} tasks)`,
    );
    await inParallel(cfg.cardUpdates, 4, (i) =>
      post(`${commandUrl}${V}/contacts/${contact.id}`, token, 'PATCH', { city: `City ${i}` }),
    );
    await inParallel(cfg.cardNotes, 8, (i) =>
      post(`${commandUrl}${V}/notes`, token, 'POST', {
        contact_id: contact.id,
        title: `Note ${i}`,
        body: `Body of note ${i} `.repeat(20),
        pinned: i % 5 === 0,
      }),
    );
    const day = 24 * 3600_000;
    await inParallel(cfg.cardTasks, 8, async (i) => {
      const { task } = await post(`${commandUrl}${V}/tasks`, token, 'POST', {
        contact_id: contact.id,
        body: `Task ${i}`,
        due_at: new Date(Date.now() - day + i * 3600_000).toISOString(),
      });
      if (i % 4 === 0) await post(`${commandUrl}${V}/tasks/${task.id}`, token, 'PATCH', { completed: true });
    });
    const expectedEntries =
      1 + cfg.cardUpdates + cfg.cardNotes + cfg.cardTasks + Math.ceil(cfg.cardTasks / 4);

    const client = new MongoClient(ctx.mongoUrl, { retryWrites: false });
    await client.connect();
    try {
      const readModel = require('../../libs/contacts-read-model/dist/index.js');
      const catalog = readModel.createReadModelCatalog(client.db(ctx.db.read), '');
      let models;
      const caughtUp = async () => {
        const generation = await catalog.activeGeneration();
        if (!generation) return false;
        models = catalog.collections(generation);
        const [entries, notes, tasks] = await Promise.all([
          models.activities.countDocuments({ tenant_company_id: companyId, contact_id: contact.id }),
          models.notesTasks.notes.countDocuments({ tenant_company_id: companyId, contact_id: contact.id }),
          models.notesTasks.tasks.countDocuments({
            tenant_company_id: companyId,
            contact_id: contact.id,
            _v: { $gte: 1 },
          }),
        ]);
        return entries >= expectedEntries && notes >= cfg.cardNotes && tasks >= cfg.cardTasks;
      };
      let settled = false;
      for (const deadline = Date.now() + 120_000; !settled && Date.now() < deadline;) {
        settled = await caughtUp();
        if (!settled) await sleep(500);
      }
      if (!settled)
        return ctx.skip('contact card latency', 'not available: the read side did not catch up within 120 s');

      const conditions = {
        activities: expectedEntries,
        notes: cfg.cardNotes,
        tasks: cfg.cardTasks,
        open_tasks: cfg.cardTasks - Math.ceil(cfg.cardTasks / 4),
        query: `GET ${V}/contacts/:id/card`,
      };
      // The raw finds, each timed alone, then their sum (the card issues them partly in parallel).
      const raws = [];
      let sumP50 = 0;
      let sumP99 = 0;
      for (const [figure, find] of rawFinds(models, { companyId, userId, contactId: contact.id })) {
        const times = [];
        for (let i = 0; i < 30; i++) {
          const t = performance.now();
          await find();
          times.push(performance.now() - t);
        }
        const s = summarize(times);
        sumP50 += s.p50;
        sumP99 += s.p99;
        raws.push({
          figure: `raw find: ${figure}`,
          value: round(s.p50, 2),
          unit: 'ms (p50)',
          p99_ms: round(s.p99, 2),
          samples: s.samples,
        });
      }
      const rawCell = {
        figure: 'sum of the raw finds above (driver, one at a time)',
        value: round(sumP50, 2),
        unit: 'ms (p50)',
        p99_ms: round(sumP99, 2),
      };

      for (const [where, base] of [
        ['through the gateway', gw],
        ['contacts-query direct', stack.services.query.url],
      ]) {
        for (const connections of [1, cfg.cardConnections]) {
          ctx.log(`card: ${where}, c=${connections}, ${cfg.seconds} s`);
          const run = await withCpu(stack.pids, () =>
            load({
              url: `${base}${V}/contacts/${contact.id}/card`,
              headers: auth(token),
              connections,
              seconds: cfg.seconds,
            }),
          );
          const ok = run.result.requests - run.result.non_2xx > 0;
          ctx.figure({
            figure: `contact card latency, ${where}, c=${connections}`,
            value: ok ? run.result.p50_ms : null,
            unit: 'ms (p50)',
            p50_ms: ok ? run.result.p50_ms : null,
            p99_ms: ok ? run.result.p99_ms : null,
            conditions: {
              ...conditions,
              concurrency: connections,
              duration_s: cfg.seconds,
              requests: run.result.requests,
              non_2xx: run.result.non_2xx,
            },
            raw: rawCell,
            raw_also: raws,
            ratio: ok ? ratio(run.result.p50_ms, sumP50) : null,
            cpu: run.cpu,
            reproduce: cmd,
          });
        }
      }
    } finally {
      await client.close();
    }
  },
};
