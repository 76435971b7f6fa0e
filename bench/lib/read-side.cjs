// Read-side helpers the groups share: the projection's counters from its /metrics, the read
// model's size, a timed GET, and the raw limit of a list (the same find with the driver).
const { MongoClient } = require('mongodb');
const { auth } = require('./http.cjs');
const { summarize } = require('./stats.cjs');

/** Sum of a Prometheus counter/gauge over all its label sets, from a /metrics text. */
function metricSum(text, name) {
  // A labelled metric nobody has incremented yet has its # TYPE line and no samples: that is 0.
  let sum = text.includes(`# TYPE ${name} `) ? 0 : null;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `))
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

/** Events applied and consumer lag of the stack's contacts-projection. */
async function projectionMetrics(stack) {
  const res = await fetch(`${stack.services.projection.url}/metrics`, {
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  return {
    applied: metricSum(text, 'projection_events_applied_total'),
    lag: metricSum(text, 'projection_consumer_lag'),
  };
}

/** Contacts in the active user read model (all tenants: FerretDB scans all of them for a list). */
async function readModelSize(stack) {
  // From the projection's counter (contacts applied to the user read model; this run only
  // creates): counting the collection would itself be a full scan on FerretDB.
  try {
    const res = await fetch(`${stack.services.projection.url}/metrics`, {
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    const line = text
      .split('\n')
      .find((l) => l.startsWith('projection_events_applied_total{') && l.includes('model="user"'));
    return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : null;
  } catch {
    return null;
  }
}

/** One GET, timed; `ok` only for a 200 with a `contacts` array. */
async function timedGet(url, token, timeoutMs) {
  const t = performance.now();
  try {
    const res = await fetch(url, { headers: auth(token), signal: AbortSignal.timeout(timeoutMs) });
    const body = await res.json();
    const ms = performance.now() - t;
    if (res.status !== 200 || !Array.isArray(body.contacts))
      return { ok: false, ms, error: `HTTP ${res.status} ${body?.error?.code ?? ''}`.trim() };
    return { ok: true, ms, count: body.contacts.length };
  } catch (error) {
    return {
      ok: false,
      ms: performance.now() - t,
      error: error.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : error.message,
    };
  }
}

/**
 * The same lists straight against the read model with the driver: what the database alone costs.
 * A raw find slower than BENCH_LIST_MAX_MS is stopped by the server (maxTimeMS) and reported as
 * "> limit". `ctx` gives cfg, mongoUrl and db.read.
 */
async function rawListLatency(ctx, shapes, { companyId, userId }) {
  const { cfg } = ctx;
  const limitMs = cfg.listMaxMs;
  let readModel;
  try {
    readModel = require('../../libs/contacts-read-model/dist/index.js');
  } catch {
    return [];
  }
  const client = new MongoClient(ctx.mongoUrl, { retryWrites: false });
  await client.connect();
  try {
    const catalog = readModel.createReadModelCatalog(client.db(ctx.db.read), '');
    const generation = await catalog.activeGeneration();
    if (!generation) return [];
    const col = catalog.collections(generation).user;
    const out = [];
    for (const shape of shapes) {
      const times = [];
      const t0 = performance.now();
      let timedOut = false;
      for (let i = 0; i < 30 && (i < cfg.listSamples || performance.now() - t0 < cfg.seconds * 1000); i++) {
        const t = performance.now();
        try {
          await col
            .find({ tenant_company_id: companyId, user_id: userId, _discarded: false, ...shape.raw })
            .sort(shape.sort ?? { _c: -1, id: -1 })
            .limit(shape.limit ?? 26)
            .maxTimeMS(limitMs)
            .toArray();
        } catch (error) {
          if (error.codeName !== 'MaxTimeMSExpired') throw error;
          timedOut = true;
          break;
        }
        times.push(performance.now() - t);
      }
      out.push(timedOut ? { ...summarize(times), timed_out_after_ms: limitMs } : summarize(times));
    }
    return out;
  } finally {
    await client.close();
  }
}

/** The raw-limit cell of a list figure: the driver's find, or "> limit" when maxTimeMS stopped it. */
function rawFindCell(r) {
  const stopped = r.samples === 0 && r.timed_out_after_ms;
  return {
    figure: 'raw find, same filter/sort/limit on the read model (driver, 1 at a time)',
    value: stopped ? `> ${r.timed_out_after_ms}` : r.p50,
    unit: stopped ? 'ms (stopped by maxTimeMS)' : 'ms (p50)',
    ...(stopped ? {} : { p99_ms: r.p99, samples: r.samples }),
  };
}

module.exports = { metricSum, projectionMetrics, readModelSize, timedGet, rawListLatency, rawFindCell };
