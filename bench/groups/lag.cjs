// Write-to-read lag at a fixed write rate through the gateway: 201 → readable by id, and
// 201 → listable (whose poller's answers are also a list-latency figure on a small tenant); next
// to the raw Kafka produce → consume latency at the same rate. Runs before `bulk` adds its
// contacts to the read model.
const raw = require('../lib/raw.cjs');
const { withCpu } = require('../lib/processes.cjs');
const { API, auth, jsonHeaders } = require('../lib/http.cjs');
const { readModelSize, rawListLatency, rawFindCell } = require('../lib/read-side.cjs');
const { summarize, ratio, sleep } = require('../lib/stats.cjs');

module.exports = {
  name: 'lag',
  title:
    'write-to-read lag (201 → readable by id, 201 → listable) at BENCH_LAG_RATE, vs Kafka produce → consume',
  order: 30,
  needs: { stack: true },
  settings: {
    lagRate: { env: 'BENCH_LAG_RATE', full: 5, quick: 5 },
    lagSeconds: { env: 'BENCH_LAG_SECONDS', full: 20, quick: 6 },
  },
  estimateS: (cfg) => 2 * cfg.lagSeconds + 60,
  async run(ctx) {
    const { cfg } = ctx;
    const cmd = ctx.reproduce(['BENCH_LAG_RATE', 'BENCH_LAG_SECONDS']);
    const name = 'write-to-read lag (201 → listable)';
    if (!ctx.readSide.ok) return ctx.skip(name, `not available: ${ctx.readSide.reason}`);
    const tenant = await ctx.tenant('lag');
    ctx.log(`lag: raw Kafka produce → consume latency at ${cfg.lagRate}/s`);
    const kafkaLag = await raw.kafkaEndToEnd({
      brokers: ctx.brokers,
      topic: `${ctx.topic}.raw-e2e`,
      rate: cfg.lagRate,
      seconds: Math.min(cfg.lagSeconds, 10),
    });
    ctx.results.raw.kafka_end_to_end = kafkaLag;
    ctx.figure({
      figure: 'raw: Kafka produce → consume latency',
      value: kafkaLag.p50,
      unit: 'ms (p50)',
      p50_ms: kafkaLag.p50,
      p99_ms: kafkaLag.p99,
      conditions: { rate_per_s: cfg.lagRate, samples: kafkaLag.samples },
      reproduce: cmd,
    });
    const rawKafka = { figure: 'Kafka produce → consume latency (p50)', value: kafkaLag.p50, unit: 'ms' };

    ctx.log(
      `lag: ${cfg.lagRate} creates/s for ${cfg.lagSeconds} s through the gateway, each polled by id until readable`,
    );
    const byId = await measureLag(ctx, 'id', tenant.token);
    ctx.figure({
      figure: 'write-to-read lag (201 → readable by id)',
      value: byId.lag.p50,
      unit: 'ms (p50)',
      p50_ms: byId.lag.p50,
      p99_ms: byId.lag.p99,
      conditions: byId.conditions,
      raw: rawKafka,
      ratio: ratio(byId.lag.p50, kafkaLag.p50),
      cpu: byId.cpu,
      reproduce: cmd,
    });

    const size = await readModelSize(ctx.stack);
    ctx.log(
      `lag: ${cfg.lagRate} creates/s for ${cfg.lagSeconds} s through the gateway; a poller lists the newest 100 back to back`,
    );
    const listed = await measureLag(ctx, 'list', tenant.token);
    ctx.figure({
      figure: name,
      value: listed.lag.p50,
      unit: 'ms (p50)',
      p50_ms: listed.lag.p50,
      p99_ms: listed.lag.p99,
      conditions: { ...listed.conditions, read_model_size: size },
      raw: rawKafka,
      ratio: ratio(listed.lag.p50, kafkaLag.p50),
      cpu: listed.cpu,
      reproduce: cmd,
    });
    // The poller's own answers are list latencies on a small tenant of a read model of `size`.
    const polled = listed.conditions.poll_latency_ms;
    const rawSmall = (await rawListLatency(ctx, [{ raw: {}, limit: 101 }], tenant))[0];
    ctx.figure({
      figure: 'list latency: newest 100 of a small tenant (the lag poller)',
      value: polled.p50,
      unit: 'ms (p50)',
      p50_ms: polled.p50,
      p99_ms: polled.p99,
      conditions: {
        concurrency: 1,
        requests: polled.samples,
        data_size: cfg.lagRate * cfg.lagSeconds,
        read_model_size: size,
      },
      raw: rawSmall ? rawFindCell(rawSmall) : null,
      ratio: rawSmall && rawSmall.samples > 0 ? ratio(polled.p50, rawSmall.p50) : null,
      cpu: listed.cpu,
      reproduce: cmd,
    });
  },
};

/**
 * Writes at a fixed rate through the gateway and times, per write, from its 201 to the moment a
 * client sees it: `mode` "id" polls GET /contacts/:id for each pending write (an _id lookup, cheap
 * on every server: the projection's delay), "list" runs one poller listing the newest 100 back to
 * back (what the brief calls listable: includes the list's own latency).
 */
async function measureLag(ctx, mode, token) {
  const { cfg } = ctx;
  const gatewayUrl = ctx.stack.services.gateway.url;
  const writes = new Map(); // id → { ok201At, seenAt }
  const seenEarly = new Map();
  const pollMs = [];
  let polling = true;
  let polls = 0;
  let pollErrors = 0;
  const poller =
    mode === 'list'
      ? (async () => {
          while (polling) {
            const pollStart = performance.now();
            try {
              const res = await fetch(`${gatewayUrl}${API}?limit=100&sort=-created_at`, {
                headers: auth(token),
                signal: AbortSignal.timeout(15_000),
              });
              const body = await res.json();
              const at = performance.now();
              polls += 1;
              if (res.status !== 200) pollErrors += 1;
              else pollMs.push(at - pollStart);
              for (const c of body.contacts ?? []) {
                const w = writes.get(c.id);
                if (w) w.seenAt ??= at;
                else if (!seenEarly.has(c.id)) seenEarly.set(c.id, at);
              }
            } catch {
              pollErrors += 1;
            }
            await sleep(20);
          }
        })()
      : Promise.resolve();
  /** mode "id": poll one contact every 20 ms until it reads 200 (bounded to 20 s). */
  async function pollById(id, w) {
    const until = performance.now() + 20_000;
    while (w.seenAt === undefined && performance.now() < until) {
      const pollStart = performance.now();
      try {
        const res = await fetch(`${gatewayUrl}${API}/${id}`, {
          headers: auth(token),
          signal: AbortSignal.timeout(10_000),
        });
        await res.arrayBuffer();
        const at = performance.now();
        polls += 1;
        pollMs.push(at - pollStart);
        if (res.status === 200) w.seenAt = at;
        else if (res.status !== 404) pollErrors += 1;
      } catch {
        pollErrors += 1;
      }
      if (w.seenAt === undefined) await sleep(20);
    }
  }
  const total = Math.round(cfg.lagRate * cfg.lagSeconds);
  const posts = [];
  let failures = 0;
  const run = await withCpu(ctx.stack.pids, async () => {
    const t0 = performance.now();
    for (let i = 0; i < total; i++) {
      const wait = t0 + (i * 1000) / cfg.lagRate - performance.now();
      if (wait > 0) await sleep(wait);
      posts.push(
        fetch(`${gatewayUrl}${API}`, {
          method: 'POST',
          headers: jsonHeaders(token),
          body: JSON.stringify({ first_name: `Lag${i}`, last_name: 'Probe', status: 'lead' }),
          signal: AbortSignal.timeout(30_000),
        })
          .then(async (res) => {
            const at = performance.now();
            const body = await res.json();
            if (res.status !== 201) throw new Error(String(res.status));
            const w = { ok201At: at, seenAt: seenEarly.get(body.contact.id) };
            writes.set(body.contact.id, w);
            if (mode === 'id') await pollById(body.contact.id, w);
          })
          .catch(() => {
            failures += 1;
          }),
      );
    }
    await Promise.all(posts);
    const waitUntil = performance.now() + 20_000;
    while ([...writes.values()].some((w) => w.seenAt === undefined) && performance.now() < waitUntil)
      await sleep(50);
  });
  polling = false;
  await poller;
  const lags = [...writes.values()]
    .filter((w) => w.seenAt !== undefined)
    .map((w) => Math.max(0, w.seenAt - w.ok201At));
  return {
    lag: summarize(lags),
    cpu: run.cpu,
    conditions: {
      rate_per_s: cfg.lagRate,
      duration_s: cfg.lagSeconds,
      writes: writes.size,
      never_seen: writes.size - lags.length,
      failed_writes: failures,
      polls,
      poll_errors: pollErrors,
      poll_latency_ms: summarize(pollMs),
      poll:
        mode === 'list'
          ? 'one poller: GET ?limit=100&sort=-created_at back to back, 20 ms pause; seen = arrival of the answer listing it'
          : 'per write: GET /contacts/:id every 20 ms until 200; seen = arrival of the 200',
    },
  };
}
