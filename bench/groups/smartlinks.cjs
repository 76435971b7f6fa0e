// SmartLinks: tracked opens per second through the public route (GET /l/:token → 302, each open
// appended to the link's stream and published) and open → visible in the activity timeline
// (the rep's feed), next to the raw limits of the same run: the plain driver doing an open's
// storage work (its _id reads and writes) on the same server, and Kafka produce → consume.
const { randomUUID } = require('node:crypto');
const { MongoClient } = require('mongodb');
const raw = require('../lib/raw.cjs');
const { load } = require('../lib/load.cjs');
const { withCpu } = require('../lib/processes.cjs');
const { auth, jsonHeaders } = require('../lib/http.cjs');
const { summarize, perSecond, ratio, sleep, boundedLoop } = require('../lib/stats.cjs');
const { mintToken } = require('../../libs/auth/dist/index.js');

const USER = '/api/user/crm/v202506';
const COMPANY = '/api/company/crm/v202506';
const BROWSER =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36';

async function call(url, { method = 'GET', headers = {}, body } = {}) {
  const res = await fetch(url, {
    method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    redirect: 'manual',
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : null,
  };
}

/** SmartLinks for one contact, created `parallel` at a time (bounded by count and time). */
async function createLinks(gateway, token, contactId, count, parallel = 8) {
  const links = [];
  let next = 0;
  const deadline = performance.now() + 120_000;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count && performance.now() < deadline) {
        const i = next++;
        const res = await call(`${gateway}${USER}/smartlinks`, {
          method: 'POST',
          headers: jsonHeaders(token),
          body: {
            contact_id: contactId,
            shareable_type: 'product',
            shareable_id: `sku-${i}`,
            shareable_name: `Bench product ${i}`,
            url: `https://shop.example.com/p/${i}`,
          },
        });
        if (res.status !== 201) throw new Error(`creating a SmartLink answered ${res.status}`);
        links.push(res.body.smartlink);
      }
    }),
  );
  return links;
}

/**
 * The raw floor of one tracked open on this server with the plain driver, `concurrency` loops at
 * once: three `_id` reads (token lookup, settings, stream head), the walk's miss, two inserts
 * (outbox entry, commit), the head's replace and the outbox entry's delete — what contacts-command
 * does per open, without HTTP, the decider or Kafka.
 */
async function rawOpenStorage({ url, db, count, ms, concurrency }) {
  const client = new MongoClient(url, { retryWrites: false });
  await client.connect();
  const database = client.db(db);
  try {
    const tokens = database.collection('raw_tokens');
    const heads = database.collection('raw_heads');
    const commits = database.collection('raw_commits');
    const outbox = database.collection('raw_outbox');
    const links = 64;
    await tokens.insertMany(Array.from({ length: links }, (_, i) => ({ _id: `t${i}`, smartlink_id: i })));
    await heads.insertMany(
      Array.from({ length: links }, (_, i) => ({
        _id: i,
        version: 1,
        state: { url: 'https://shop.example.com/' },
      })),
    );
    let n = 0;
    const t0 = performance.now();
    const loops = await Promise.all(
      Array.from({ length: concurrency }, () =>
        boundedLoop(Math.ceil(count / concurrency), ms, async () => {
          const i = n++;
          const link = i % links;
          await tokens.findOne({ _id: `t${link}` });
          await database.collection('raw_settings').findOne({ _id: 1 });
          await heads.findOne({ _id: link });
          await commits.findOne({ _id: `miss-${i}` });
          const id = `s${link}@${i}`;
          await outbox.insertOne({ _id: id, created_at: new Date() });
          await commits.insertOne({ _id: id, events: [{ id: randomUUID(), type: 'smartlink.opened' }] });
          await heads.replaceOne({ _id: link }, { version: i, state: { url: 'https://shop.example.com/' } });
          await outbox.deleteOne({ _id: id });
        }),
      ),
    );
    const done = loops.reduce((sum, l) => sum + l.done, 0);
    return { rate: perSecond(done, performance.now() - t0), opens: done, concurrency };
  } finally {
    await database.dropDatabase().catch(() => undefined);
    await client.close();
  }
}

module.exports = {
  name: 'smartlinks',
  title:
    'tracked SmartLink opens/s through GET /l/:token and open → visible in the activity timeline, vs the plain driver doing an open’s storage work and Kafka produce → consume',
  order: 85,
  needs: { stack: true },
  settings: {
    links: { env: 'BENCH_SMARTLINKS_LINKS', full: 200, quick: 40 },
    openConnections: { env: 'BENCH_SMARTLINKS_CONNECTIONS', full: 16, quick: 8 },
    openSeconds: { env: 'BENCH_SMARTLINKS_SECONDS', full: 20, quick: 8 },
    openLagRate: { env: 'BENCH_SMARTLINKS_LAG_RATE', full: 5, quick: 5 },
    openLagSeconds: { env: 'BENCH_SMARTLINKS_LAG_SECONDS', full: 20, quick: 6 },
    timingPairs: { env: 'BENCH_SMARTLINKS_TIMING_PAIRS', full: 200, quick: 60 },
  },
  estimateS: (cfg) => cfg.openSeconds + 2 * cfg.openLagSeconds + cfg.timingPairs / 10 + 120,
  async run(ctx) {
    const { cfg } = ctx;
    const cmd = ctx.reproduce([
      'BENCH_SMARTLINKS_LINKS',
      'BENCH_SMARTLINKS_CONNECTIONS',
      'BENCH_SMARTLINKS_SECONDS',
      'BENCH_SMARTLINKS_LAG_RATE',
      'BENCH_SMARTLINKS_LAG_SECONDS',
      'BENCH_SMARTLINKS_TIMING_PAIRS',
    ]);
    const gateway = ctx.stack.services.gateway.url;
    const tenant = await ctx.tenant('smartlinks');
    const companyToken = await mintToken(
      ctx.stack.commonEnv.AUTH_JWT_SECRET,
      { scope: 'company', companyId: tenant.companyId },
      { expiresIn: '2h' },
    );
    const settings = await call(`${gateway}${COMPANY}/smartlink_settings`, {
      method: 'PUT',
      headers: jsonHeaders(companyToken),
      body: { allowed_hosts: ['shop.example.com'] },
    });
    if (settings.status !== 200)
      return ctx.skip('tracked SmartLink opens/s', `smartlink_settings answered ${settings.status}`);
    const contact = await call(`${gateway}${USER}/contacts`, {
      method: 'POST',
      headers: jsonHeaders(tenant.token),
      body: { first_name: 'Bench', last_name: 'Opener' },
    });
    if (contact.status !== 201)
      return ctx.skip('tracked SmartLink opens/s', `creating the contact answered ${contact.status}`);
    const contactId = contact.body.contact.id;
    ctx.log(`smartlinks: creating ${cfg.links} SmartLinks`);
    const links = await createLinks(gateway, tenant.token, contactId, cfg.links);

    ctx.log(`smartlinks: raw — an open's storage work with the plain driver, ${cfg.openConnections} loops`);
    const rawStorage = await rawOpenStorage({
      url: ctx.mongoUrl,
      db: `${ctx.db.command}_raw_smartlinks`,
      count: 5000,
      ms: cfg.openSeconds * 1000,
      concurrency: cfg.openConnections,
    });
    ctx.figure({
      figure: 'raw: an open’s storage work (plain driver: 4 _id reads, 2 inserts, 1 replace, 1 delete)',
      value: rawStorage.rate,
      unit: 'opens/s',
      conditions: { concurrency: rawStorage.concurrency, opens: rawStorage.opens },
      reproduce: cmd,
    });

    ctx.log(
      `smartlinks: GET /l/:token over ${links.length} links, ${cfg.openConnections} connections, ${cfg.openSeconds} s`,
    );
    const run = await withCpu(ctx.stack.pids, () =>
      load({
        url: gateway,
        headers: { 'user-agent': BROWSER },
        requests: links.map((link) => ({ method: 'GET', path: `/l/${link.token}` })),
        connections: cfg.openConnections,
        seconds: cfg.openSeconds,
      }),
    );
    const result = run.result;
    const redirects = result.status_codes['302'] ?? 0;
    // Every 302 should become an opened event and count on its link (read side): check it did.
    let recorded = 0;
    const settleUntil = performance.now() + 60_000;
    while (performance.now() < settleUntil) {
      recorded = 0;
      for (let cursor = null, page = 0; page < 50; page++) {
        const res = await call(`${gateway}${USER}/smartlinks?limit=100${cursor ? `&cursor=${cursor}` : ''}`, {
          headers: auth(tenant.token),
        });
        if (res.status !== 200) break;
        for (const link of res.body.smartlinks) recorded += link.opens_count;
        cursor = res.body.meta.pagination.next_cursor;
        if (!cursor) break;
      }
      if (recorded >= redirects) break;
      await sleep(500);
    }
    const opensPerSecond = Math.round(redirects / cfg.openSeconds);
    ctx.figure({
      figure: 'tracked SmartLink opens/s (GET /l/:token → 302, recorded)',
      value: opensPerSecond,
      unit: 'opens/s',
      p50_ms: result.p50_ms,
      p99_ms: result.p99_ms,
      conditions: {
        connections: cfg.openConnections,
        seconds: cfg.openSeconds,
        links: links.length,
        redirects,
        recorded_opens: recorded,
        other_statuses: Object.fromEntries(
          Object.entries(result.status_codes).filter(([code]) => code !== '302'),
        ),
        errors: result.errors,
      },
      raw: {
        figure: 'an open’s storage work with the plain driver',
        value: rawStorage.rate,
        unit: 'opens/s',
      },
      ratio: ratio(opensPerSecond, rawStorage.rate),
      cpu: run.cpu,
      reproduce: cmd,
    });

    const kafkaLag =
      ctx.results.raw.kafka_end_to_end ??
      (await raw.kafkaEndToEnd({
        brokers: ctx.brokers,
        topic: `${ctx.topic}.raw-smartlinks-e2e`,
        rate: cfg.openLagRate,
        seconds: Math.min(cfg.openLagSeconds, 10),
      }));
    ctx.results.raw.kafka_end_to_end ??= kafkaLag;

    const total = Math.round(cfg.openLagRate * cfg.openLagSeconds);
    ctx.log(
      `smartlinks: ${total} opens at ${cfg.openLagRate}/s, each on a fresh link, polled in the rep's feed`,
    );
    const fresh = await createLinks(gateway, tenant.token, contactId, total);
    const pending = new Map(); // smartlink id → { at302, seenAt }
    let polling = true;
    let polls = 0;
    let pollErrors = 0;
    const pollMs = [];
    const poller = (async () => {
      while (polling) {
        const started = performance.now();
        try {
          const res = await call(`${gateway}${USER}/activities?type=smartlink.opened&limit=100`, {
            headers: auth(tenant.token),
          });
          const at = performance.now();
          polls += 1;
          if (res.status !== 200) pollErrors += 1;
          else {
            pollMs.push(at - started);
            for (const entry of res.body.activities) {
              const open = pending.get(entry.data.smartlink_id);
              if (open && open.at302 !== undefined) open.seenAt ??= at;
            }
          }
        } catch {
          pollErrors += 1;
        }
        await sleep(20);
      }
    })();
    const lagRun = await withCpu(ctx.stack.pids, async () => {
      const t0 = performance.now();
      const opens = [];
      for (let i = 0; i < fresh.length; i++) {
        const wait = t0 + (i * 1000) / cfg.openLagRate - performance.now();
        if (wait > 0) await sleep(wait);
        const link = fresh[i];
        const open = {};
        pending.set(link.id, open);
        opens.push(
          fetch(`${gateway}/l/${link.token}`, {
            redirect: 'manual',
            headers: { 'user-agent': BROWSER },
            signal: AbortSignal.timeout(30_000),
          })
            .then(async (res) => {
              await res.arrayBuffer();
              if (res.status === 302) open.at302 = performance.now();
            })
            .catch(() => undefined),
        );
      }
      await Promise.all(opens);
      const until = performance.now() + 30_000;
      while (
        [...pending.values()].some((o) => o.at302 !== undefined && o.seenAt === undefined) &&
        performance.now() < until
      )
        await sleep(50);
    });
    polling = false;
    await poller;
    const lags = [...pending.values()]
      .filter((o) => o.seenAt !== undefined)
      .map((o) => Math.max(0, o.seenAt - o.at302));
    const lag = summarize(lags);
    ctx.figure({
      figure: 'SmartLink open → visible in the activity timeline (302 → in the rep’s feed)',
      value: lag.p50,
      unit: 'ms (p50)',
      p50_ms: lag.p50,
      p99_ms: lag.p99,
      conditions: {
        rate_per_s: cfg.openLagRate,
        opens: pending.size,
        redirected: [...pending.values()].filter((o) => o.at302 !== undefined).length,
        never_seen: [...pending.values()].filter((o) => o.at302 !== undefined && o.seenAt === undefined)
          .length,
        polls,
        poll_errors: pollErrors,
        poll_latency_ms: summarize(pollMs),
        poll: 'one poller: GET /activities?type=smartlink.opened&limit=100 back to back, 20 ms pause; seen = arrival of the answer listing it',
      },
      raw: { figure: 'Kafka produce → consume latency (p50)', value: kafkaLag.p50, unit: 'ms' },
      ratio: ratio(lag.p50, kafkaLag.p50),
      cpu: lagRun.cpu,
      reproduce: cmd,
    });

    // Unknown and revoked tokens must not be told apart by timing: the same reads, the same refusal.
    const revoked = fresh[0];
    const revoke = await call(`${gateway}${USER}/smartlinks/${revoked.id}`, {
      method: 'DELETE',
      headers: auth(tenant.token),
    });
    if (revoke.status !== 204)
      return ctx.skip('404 latency: unknown vs revoked token', `revoking answered ${revoke.status}`);
    const unknownToken = 'U'.repeat(revoked.token.length);
    const times = { unknown: [], revoked: [] };
    const statuses = new Set();
    for (let i = 0; i < cfg.timingPairs; i++) {
      for (const [kind, token] of i % 2
        ? [
            ['unknown', unknownToken],
            ['revoked', revoked.token],
          ]
        : [
            ['revoked', revoked.token],
            ['unknown', unknownToken],
          ]) {
        const started = performance.now();
        const res = await fetch(`${gateway}/l/${token}`, {
          redirect: 'manual',
          headers: { 'user-agent': BROWSER },
          signal: AbortSignal.timeout(30_000),
        });
        await res.arrayBuffer();
        times[kind].push(performance.now() - started);
        statuses.add(res.status);
      }
    }
    const unknown = summarize(times.unknown);
    const revokedTimes = summarize(times.revoked);
    ctx.figure({
      figure: '404 latency of a revoked token (vs an unknown one, interleaved)',
      value: revokedTimes.p50,
      unit: 'ms (p50)',
      p50_ms: revokedTimes.p50,
      p99_ms: revokedTimes.p99,
      conditions: { pairs: cfg.timingPairs, statuses: [...statuses], unknown_token_ms: unknown },
      raw: { figure: 'an unknown token’s 404 (p50)', value: unknown.p50, unit: 'ms' },
      ratio: ratio(revokedTimes.p50, unknown.p50),
      reproduce: cmd,
    });
  },
};
