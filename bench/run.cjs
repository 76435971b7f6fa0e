#!/usr/bin/env node
// The benchmark suite: every figure of DESIGN §5 next to the raw limit of the same servers,
// measured in the same run. Started by `npm run bench` (bench/bench.sh), which builds, starts
// the local servers unless KAFKA_BROKERS / MONGO_URL / REDIS_URL are given, and runs this.
// Writes bench/results/latest.json and latest.md (see README "Benchmarks" for every setting).
//
// Everything is bounded: each HTTP load level runs for BENCH_SECONDS, each raw loop stops at a
// count or a time limit, waits have deadlines, and the whole run has a budget (BENCH_BUDGET_S);
// a phase that no longer fits is reported as skipped, not run. Traffic goes to 127.0.0.1 only.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { randomUUID } = require('node:crypto');
const { Kafka, Partitioners, logLevel } = require('kafkajs');
const { MongoClient } = require('mongodb');
const IORedis = require('ioredis');
const { mintToken } = require('../libs/auth/dist/index.js');
const { load } = require('./lib/load.cjs');
const { ROOT, startNode, stop, stopAll, withCpu, infraPids, cpuMsOf } = require('./lib/processes.cjs');
const raw = require('./lib/raw.cjs');
const { summarizeProfile, newestProfile } = require('./lib/profile.cjs');
const { seedBatch, SEARCH_TERM, FILTER_STATUS, FILTER_LEAD_TYPE } = require('./lib/seed.cjs');
const { summarize, perSecond, ratio, round, sleep } = require('./lib/stats.cjs');
const { renderMarkdown } = require('./lib/report.cjs');

// ---------------------------------------------------------------------------------------------
// Settings (README "Benchmarks" documents each one).
const env = process.env;
const QUICK = env.BENCH_QUICK === '1';
const num = (name, full, quick) => {
  const value = env[name] !== undefined && env[name] !== '' ? Number(env[name]) : QUICK ? quick : full;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
};
const cfg = {
  quick: QUICK,
  seconds: num('BENCH_SECONDS', 10, 3),
  levels: (env.BENCH_CONNECTIONS || (QUICK ? '1,8' : '1,8,32')).split(',').map(Number),
  bulks: num('BENCH_BULKS', 10, 3),
  tenantSize: num('BENCH_TENANT_SIZE', 100_000, 5_000),
  lagRate: num('BENCH_LAG_RATE', 5, 5),
  lagSeconds: num('BENCH_LAG_SECONDS', 20, 6),
  listConnections: num('BENCH_LIST_CONNECTIONS', 4, 2),
  rawCount: num('BENCH_RAW_N', 2000, 500),
  rawMs: num('BENCH_RAW_MS', 8000, 3000),
  budgetS: num('BENCH_BUDGET_S', 780, 400),
  portBase: env.BENCH_PORT_BASE ? num('BENCH_PORT_BASE', 0, 0) : null,
  only: env.BENCH_ONLY ? env.BENCH_ONLY.split(',') : null,
  profile: env.BENCH_PROFILE !== '0',
  rebuildMaxS: num('BENCH_REBUILD_MAX_S', 120, 60),
  // How long one list may take, in the raw find (maxTimeMS), contacts-query (LIST_MAX_TIME_MS) and
  // the gateway (UPSTREAM_TIMEOUT_MS): raise it to time lists that scan a large read model.
  listMaxMs: num('BENCH_LIST_MAX_MS', 10_000, 10_000),
  listSamples: num('BENCH_LIST_SAMPLES', 5, 3),
};
const PHASES = ['kafka', 'single', 'lag', 'bulk', 'list', 'rebuild', 'notifier'];
if (cfg.only)
  for (const p of cfg.only)
    if (!PHASES.includes(p)) throw new Error(`BENCH_ONLY: unknown phase ${p} (${PHASES.join(', ')})`);
if (cfg.levels.some((c) => !Number.isInteger(c) || c < 1 || c > 256))
  throw new Error('BENCH_CONNECTIONS: integers 1-256, comma-separated');
const OUT = path.resolve(
  ROOT,
  env.BENCH_OUT || (cfg.only ? 'bench/results/partial' : 'bench/results/latest'),
);
const BROKERS = (env.KAFKA_BROKERS || '127.0.0.1:9092').split(',');
const MONGO_URL = env.MONGO_URL || 'mongodb://127.0.0.1:27017';
const REDIS_URL = env.REDIS_URL || 'redis://127.0.0.1:6379';
const INFRA_DIR = env.BENCH_INFRA_DIR || path.join(ROOT, '.infra');
const SECRET = `bench-${randomUUID()}`;
const RUN = Date.now().toString(36);
const RUN_DIR = path.join(ROOT, 'bench/results/run', RUN);
const DB_COMMAND = `bench_cmd_${RUN}`;
const DB_READ = `bench_read_${RUN}`;
const TOPIC = `bench.contacts.${RUN}`;
const API = '/api/user/crm/v202506/contacts';
// Tenants of this run (company ids unique per run, so a shared Redis never mixes rate-limit counters).
const COMPANY = 100_000 + (Math.floor(Date.now() / 1000) % 1_000_000) * 10;
const PRINCIPALS = {
  single: { scope: 'user', userId: 42, companyId: COMPANY + 1 },
  lag: { scope: 'user', userId: 43, companyId: COMPANY + 2 },
  seed: { scope: 'user', userId: 44, companyId: COMPANY + 3 },
};
// Free ports picked by the OS (or BENCH_PORT_BASE + offsets), never the defaults 8080-8084 that
// a running stack or another engineer's tests use.
const PORT_NAMES = ['gateway', 'command', 'query', 'projection', 'hello', 'profGateway', 'profCommand'];
const PORTS = {};
async function assignPorts() {
  const net = require('node:net');
  for (const [i, name] of PORT_NAMES.entries()) {
    if (cfg.portBase !== null) {
      PORTS[name] = cfg.portBase + i;
      continue;
    }
    PORTS[name] = await new Promise((resolve, reject) => {
      const server = net.createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address();
        server.close(() => resolve(port));
      });
    });
  }
}

/** Time the four list shapes need at most (raw find ≤ 10 s, then the HTTP measurement). */
const LIST_LATENCY_S =
  cfg.listMaxMs > 10_000
    ? // Four shapes, each timed listSamples times raw and through the gateway, at up to half the limit.
      Math.round((4 * 2 * cfg.listSamples * cfg.listMaxMs) / 2 / 1000) + 20
    : 4 * (cfg.seconds + 15) + 20;

const started = Date.now();
const deadline = started + cfg.budgetS * 1000;
const remainingS = () => Math.round((deadline - Date.now()) / 1000);
const log = (message) =>
  process.stderr.write(`[bench +${Math.round((Date.now() - started) / 1000)}s] ${message}\n`);

/** The command line that reproduces a group of figures on its own. */
function reproduce(phase, vars) {
  const parts = [`BENCH_ONLY=${phase}`];
  if (cfg.quick) parts.push('BENCH_QUICK=1');
  for (const name of vars) if (env[name]) parts.push(`${name}=${env[name]}`);
  return `${parts.join(' ')} npm run bench`;
}

const results = { figures: [], skipped: [], incidents: [], profiles: {} };
function figure(entry) {
  results.figures.push(entry);
  const v = entry.value === null ? 'n/a' : `${entry.value} ${entry.unit}`;
  log(
    `  ${entry.figure}${entry.conditions?.concurrency ? ` (c=${entry.conditions.concurrency})` : ''}: ${v}${entry.p50_ms !== undefined ? `, p50 ${entry.p50_ms} ms, p99 ${entry.p99_ms} ms` : ''}${entry.raw ? ` | raw ${entry.raw.value} ${entry.raw.unit}, ratio ${entry.ratio}` : ''}`,
  );
}
function skip(phase, figureName, reason) {
  results.skipped.push({ phase, figure: figureName, reason });
  log(`  ${figureName}: ${reason}`);
}

// ---------------------------------------------------------------------------------------------
// Services under test.
const services = {};
const tokens = {};
let pids = {};

function logFile(name) {
  return path.join(RUN_DIR, `${name}.log`);
}

async function startStack() {
  const common = { AUTH_JWT_SECRET: SECRET, KAFKA_BROKERS: BROKERS.join(','), MONGO_URL, REDIS_URL };
  services.command = await startNode({
    name: 'contacts-command',
    script: 'apps/contacts-command/dist/main.js',
    port: PORTS.command,
    env: { ...common, MONGO_DB: DB_COMMAND, CONTACTS_TOPIC: TOPIC },
    logFile: logFile('contacts-command'),
  });
  services.projection = await startNode({
    name: 'contacts-projection',
    script: 'apps/contacts-projection/dist/main.js',
    port: PORTS.projection,
    env: {
      ...common,
      MONGO_DB: DB_READ,
      CONTACTS_TOPIC: TOPIC,
      PROJECTION_GROUP_ID: `bench-projection-${RUN}`,
      GENERATION_POLL_MS: '500',
    },
    logFile: logFile('contacts-projection'),
    timeoutMs: 60_000,
  });
  services.query = await startNode({
    name: 'contacts-query',
    script: 'apps/contacts-query/dist/main.js',
    port: PORTS.query,
    env: { ...common, MONGO_DB: DB_READ, LIST_MAX_TIME_MS: String(cfg.listMaxMs) },
    logFile: logFile('contacts-query'),
  });
  services.gateway = await startNode({
    name: 'gateway',
    script: 'apps/gateway/dist/main.js',
    port: PORTS.gateway,
    env: gatewayEnv(common, PORTS.command),
    logFile: logFile('gateway'),
  });
  refreshPids();
}

function refreshPids() {
  pids = {
    gateway: services.gateway.pid,
    command: services.command.pid,
    query: services.query.pid,
    projection: services.projection.pid,
    ...infraPids(INFRA_DIR),
  };
}

function gatewayEnv(common, commandPort) {
  return {
    ...common,
    CONTACTS_COMMAND_URL: `http://127.0.0.1:${commandPort}`,
    CONTACTS_QUERY_URL: `http://127.0.0.1:${PORTS.query}`,
    // The limiter still runs (one Redis round trip per request, as in production), with a
    // ceiling the benchmark never reaches, so no request is refused by it.
    RATE_LIMIT_POINTS: '1000000',
    RATE_LIMIT_WINDOW_S: '60',
    UPSTREAM_TIMEOUT_MS: String(cfg.listMaxMs + 2_000),
  };
}

const auth = (token) => ({ authorization: `Bearer ${token}` });
const jsonHeaders = (token) => ({ ...auth(token), 'content-type': 'application/json' });

/**
 * A service that exited while the run went on (a crash, or a signal from outside the benchmark)
 * is started again with the same settings, and the incident is reported with the results.
 */
async function reviveServices(phase) {
  for (const [key, handle] of Object.entries(services)) {
    if (!handle.exited) continue;
    const incident = `${handle.name} exited (${typeof handle.exit === 'string' ? handle.exit : `code ${handle.exit}`}) before the ${phase} phase; restarted (log: ${path.relative(ROOT, handle.options.logFile)})`;
    log(incident);
    results.incidents.push(incident);
    services[key] = await startNode(handle.options);
  }
  refreshPids();
}

/** Whether contacts-query serves the list endpoint yet (the read side is built in stages). */
async function readSideAvailable() {
  try {
    const res = await fetch(`${services.query.url}${API}?limit=1`, {
      headers: auth(tokens.lag),
      signal: AbortSignal.timeout(5000),
    });
    await res.arrayBuffer();
    return res.status === 200
      ? { ok: true }
      : {
          ok: false,
          reason: `contacts-query answers ${res.status} on GET ${API} (list endpoint not built yet)`,
        };
  } catch (error) {
    return { ok: false, reason: `contacts-query list probe failed: ${error.message}` };
  }
}

// ---------------------------------------------------------------------------------------------
// Phases.

async function phaseKafka() {
  log('kafka: raw kafkajs produce rate (awaited one by one, then 1000-message batches)');
  const { result: r, cpu } = await withCpu(infraPids(INFRA_DIR), () =>
    raw.kafkaProduce({
      brokers: BROKERS,
      topic: `${TOPIC}.raw-produce`,
      count: cfg.rawCount * 2,
      batches: 30,
      ms: cfg.rawMs,
    }),
  );
  results.raw.kafka_produce = r;
  const cmd = reproduce('kafka', ['BENCH_RAW_N', 'BENCH_RAW_MS']);
  figure({
    phase: 'kafka',
    figure: 'raw kafkajs produce, awaited one by one',
    value: r.one_by_one.rate,
    unit: 'msg/s',
    conditions: {
      messages: r.one_by_one.messages,
      value_bytes: r.value_bytes,
      settings: 'idempotent, acks=all, 1 in flight (as contacts-command)',
    },
    cpu,
    reproduce: cmd,
  });
  figure({
    phase: 'kafka',
    figure: 'raw kafkajs produce, 1000-message batches',
    value: r.batched.rate,
    unit: 'msg/s',
    conditions: {
      messages: r.batched.messages,
      value_bytes: r.value_bytes,
      settings: 'idempotent, acks=all, 1 in flight',
    },
    cpu,
    reproduce: cmd,
  });
}

const CREATE_BODY = JSON.stringify({
  first_name: 'Bench',
  last_name: 'Mark',
  email: 'bench@example.com',
  phone: '+1 555 0100200',
  status: 'lead',
});

async function phaseSingle() {
  const cmd = reproduce('single', ['BENCH_SECONDS', 'BENCH_CONNECTIONS']);
  const hello = await startNode({
    name: 'hello-express',
    script: 'bench/hello-express.cjs',
    port: PORTS.hello,
    logFile: logFile('hello-express'),
  });
  try {
    for (const c of cfg.levels) {
      log(
        `single create, c=${c}: express hello-world, contacts-command direct, through the gateway (${cfg.seconds} s each)`,
      );
      const h = await withCpu({ hello: hello.pid }, () =>
        load({ url: `${hello.url}/`, connections: c, seconds: cfg.seconds }),
      );
      const d = await withCpu(pids, () =>
        load({
          url: `${services.command.url}${API}`,
          method: 'POST',
          headers: jsonHeaders(tokens.single),
          body: CREATE_BODY,
          connections: c,
          seconds: cfg.seconds,
        }),
      );
      const g = await withCpu(pids, () =>
        load({
          url: `${services.gateway.url}${API}`,
          method: 'POST',
          headers: jsonHeaders(tokens.single),
          body: CREATE_BODY,
          connections: c,
          seconds: cfg.seconds,
        }),
      );
      const helloRaw = {
        figure: 'bare express hello-world (GET /)',
        value: h.result.rps,
        unit: 'req/s',
        p50_ms: h.result.p50_ms,
        p99_ms: h.result.p99_ms,
      };
      figure({
        phase: 'single',
        figure: 'raw: bare express hello-world',
        value: h.result.rps,
        unit: 'req/s',
        p50_ms: h.result.p50_ms,
        p99_ms: h.result.p99_ms,
        conditions: { concurrency: c, duration_s: cfg.seconds, non_2xx: h.result.non_2xx + h.result.errors },
        cpu: h.cpu,
        reproduce: cmd,
      });
      figure({
        phase: 'single',
        figure: 'single create, contacts-command direct',
        value: d.result.rps,
        unit: 'req/s',
        p50_ms: d.result.p50_ms,
        p99_ms: d.result.p99_ms,
        conditions: {
          concurrency: c,
          duration_s: cfg.seconds,
          non_2xx: d.result.non_2xx + d.result.errors,
          status_codes: d.result.status_codes,
        },
        raw: helloRaw,
        ratio: ratio(d.result.rps, h.result.rps),
        cpu: d.cpu,
        reproduce: cmd,
      });
      figure({
        phase: 'single',
        figure: 'single create through the gateway',
        value: g.result.rps,
        unit: 'req/s',
        p50_ms: g.result.p50_ms,
        p99_ms: g.result.p99_ms,
        conditions: {
          concurrency: c,
          duration_s: cfg.seconds,
          non_2xx: g.result.non_2xx + g.result.errors,
          status_codes: g.result.status_codes,
        },
        raw: helloRaw,
        ratio: ratio(g.result.rps, h.result.rps),
        vs_direct: ratio(g.result.rps, d.result.rps),
        cpu: g.cpu,
        reproduce: cmd,
      });
    }
  } finally {
    await stop(hello);
  }
  if (cfg.profile) await profileSingleCreate();
}

/**
 * A separate, profiled pass (so the profiler's overhead touches no reported figure): a second
 * contacts-command and gateway with `node --cpu-prof`, loaded at the middle concurrency level;
 * SIGTERM makes both write their profile, summarised as top functions and packages by self time.
 */
async function profileSingleCreate() {
  const c = cfg.levels[Math.floor(cfg.levels.length / 2)];
  log(
    `profile: gateway and contacts-command under node --cpu-prof, single create at c=${c} for ${cfg.seconds} s`,
  );
  const dirs = {
    gateway: path.join(RUN_DIR, 'profiles/gateway'),
    command: path.join(RUN_DIR, 'profiles/contacts-command'),
  };
  const common = { AUTH_JWT_SECRET: SECRET, KAFKA_BROKERS: BROKERS.join(','), MONGO_URL, REDIS_URL };
  const command = await startNode({
    name: 'contacts-command (profiled)',
    script: 'apps/contacts-command/dist/main.js',
    port: PORTS.profCommand,
    nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dirs.command}`],
    env: { ...common, MONGO_DB: DB_COMMAND, CONTACTS_TOPIC: TOPIC },
    logFile: logFile('contacts-command-profiled'),
  });
  const gateway = await startNode({
    name: 'gateway (profiled)',
    script: 'apps/gateway/dist/main.js',
    port: PORTS.profGateway,
    nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dirs.gateway}`],
    env: gatewayEnv(common, PORTS.profCommand),
    logFile: logFile('gateway-profiled'),
  });
  let run;
  let loadStart;
  let loadEnd;
  try {
    await load({
      url: `${gateway.url}${API}`,
      method: 'POST',
      headers: jsonHeaders(tokens.single),
      body: CREATE_BODY,
      connections: c,
      seconds: 1,
    }); // warm-up
    loadStart = performance.now();
    run = await withCpu({ gateway: gateway.pid, command: command.pid, ...infraPids(INFRA_DIR) }, () =>
      load({
        url: `${gateway.url}${API}`,
        method: 'POST',
        headers: jsonHeaders(tokens.single),
        body: CREATE_BODY,
        connections: c,
        seconds: cfg.seconds,
      }),
    );
    loadEnd = performance.now();
  } finally {
    await stop(gateway);
    await stop(command);
  }
  for (const [name, dir] of Object.entries(dirs)) {
    const file = newestProfile(dir);
    const exitedAt = name === 'gateway' ? gateway.exitedAt : command.exitedAt;
    // Only the samples of the measured load: the profile ends at the process exit.
    const window = { fromEndMs: exitedAt - loadStart, toEndMs: exitedAt - loadEnd };
    if (file)
      results.profiles[name] = {
        ...summarizeProfile(file, { window }),
        load: { concurrency: c, seconds: cfg.seconds, rps: run.result.rps, cpu: run.cpu },
      };
  }
}

async function phaseBulk() {
  const cmd = reproduce('bulk', ['BENCH_BULKS', 'BENCH_RAW_MS']);
  log('bulk: raw insertMany / bulk upsert rate of the store server');
  const { result: mongo, cpu } = await withCpu(infraPids(INFRA_DIR), () =>
    raw.mongoWrites({
      url: MONGO_URL,
      db: `bench_raw_${RUN}`,
      count: cfg.rawCount,
      batches: 10,
      ms: cfg.rawMs,
    }),
  );
  results.raw.mongo_writes = mongo;
  const cmdRaw = reproduce('bulk', ['BENCH_RAW_N', 'BENCH_RAW_MS']);
  figure({
    phase: 'bulk',
    figure: 'raw: insertOne, awaited one by one',
    value: mongo.insert_one.rate,
    unit: 'docs/s',
    conditions: { docs: mongo.insert_one.docs, doc_bytes: mongo.doc_bytes },
    cpu,
    reproduce: cmdRaw,
  });
  figure({
    phase: 'bulk',
    figure: 'raw: insertOne, 8 concurrent loops',
    value: mongo.insert_one_concurrent.rate,
    unit: 'docs/s',
    conditions: {
      docs: mongo.insert_one_concurrent.docs,
      concurrency: mongo.insert_one_concurrent.concurrency,
      doc_bytes: mongo.doc_bytes,
    },
    cpu,
    reproduce: cmdRaw,
  });
  figure({
    phase: 'bulk',
    figure: 'raw: insertMany, 1000 docs per call',
    value: mongo.insert_many.rate,
    unit: 'docs/s',
    conditions: { docs: mongo.insert_many.docs, doc_bytes: mongo.doc_bytes },
    cpu,
    reproduce: cmdRaw,
  });
  figure({
    phase: 'bulk',
    figure: 'raw: bulkWrite of 1000 upserts by _id',
    value: mongo.bulk_upsert.rate,
    unit: 'docs/s',
    conditions: { docs: mongo.bulk_upsert.docs, doc_bytes: mongo.doc_bytes },
    cpu,
    reproduce: cmdRaw,
  });

  log(`bulk: ${cfg.bulks} × 1000-contact bulks through the gateway, one after another`);
  const body = JSON.stringify({
    contacts: Array.from({ length: 1000 }, (_, i) => ({
      first_name: `Bulk${i}`,
      last_name: 'Load',
      email: `bulk${i}@example.com`,
      status: 'lead',
    })),
  });
  const durations = [];
  let created = 0;
  const run = await withCpu(pids, async () => {
    const t0 = performance.now();
    // Bounded in count (BENCH_BULKS) and time (6 × BENCH_SECONDS).
    for (
      let i = 0;
      i < cfg.bulks && performance.now() - t0 < cfg.seconds * 6000 && Date.now() < deadline - 60_000;
      i++
    ) {
      const t = performance.now();
      const res = await fetch(`${services.gateway.url}${API}/bulk`, {
        method: 'POST',
        headers: jsonHeaders(tokens.single),
        body,
        signal: AbortSignal.timeout(120_000),
      });
      const answer = await res.json();
      if (res.status !== 200)
        throw new Error(`bulk answered ${res.status}: ${JSON.stringify(answer).slice(0, 300)}`);
      created += answer.meta.created;
      durations.push(performance.now() - t);
    }
    return performance.now() - t0;
  });
  const rate = perSecond(created, run.result);
  const s = summarize(durations);
  figure({
    phase: 'bulk',
    figure: 'bulk create through the gateway (1000 per bulk)',
    value: rate,
    unit: 'contacts/s',
    p50_ms: s.p50,
    p99_ms: s.p99,
    conditions: { bulks: durations.length, concurrency: 1, created },
    raw: { figure: 'raw insertMany, 1000 docs per call', value: mongo.insert_many.rate, unit: 'docs/s' },
    ratio: ratio(rate, mongo.insert_many.rate),
    cpu: run.cpu,
    reproduce: cmd,
  });
}

/**
 * Writes at a fixed rate through the gateway and times, per write, from its 201 to the moment a
 * client sees it: `mode` "id" polls GET /contacts/:id for each pending write (an _id lookup, cheap
 * on every server: the projection's delay), "list" runs one poller listing the newest 100 back to
 * back (what the brief calls listable: includes the list's own latency).
 */
async function measureLag(mode, token) {
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
              const res = await fetch(`${services.gateway.url}${API}?limit=100&sort=-created_at`, {
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
        const res = await fetch(`${services.gateway.url}${API}/${id}`, {
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
  const run = await withCpu(pids, async () => {
    const t0 = performance.now();
    for (let i = 0; i < total; i++) {
      const wait = t0 + (i * 1000) / cfg.lagRate - performance.now();
      if (wait > 0) await sleep(wait);
      posts.push(
        fetch(`${services.gateway.url}${API}`, {
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

/** Contacts in the active user read model (all tenants: FerretDB scans all of them for a list). */
async function readModelSize() {
  // From the projection's counter (contacts applied to the user read model; this run only
  // creates): counting the collection would itself be a full scan on FerretDB.
  try {
    const res = await fetch(`${services.projection.url}/metrics`, { signal: AbortSignal.timeout(10_000) });
    const text = await res.text();
    const line = text
      .split('\n')
      .find((l) => l.startsWith('projection_events_applied_total{') && l.includes('model="user"'));
    return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : null;
  } catch {
    return null;
  }
}

async function phaseLag(readSide) {
  const cmd = reproduce('lag', ['BENCH_LAG_RATE', 'BENCH_LAG_SECONDS']);
  const name = 'write-to-read lag (201 → listable)';
  if (!readSide.ok) return skip('lag', name, `not available: ${readSide.reason}`);
  log(`lag: raw Kafka produce → consume latency at ${cfg.lagRate}/s`);
  const kafkaLag = await raw.kafkaEndToEnd({
    brokers: BROKERS,
    topic: `${TOPIC}.raw-e2e`,
    rate: cfg.lagRate,
    seconds: Math.min(cfg.lagSeconds, 10),
  });
  results.raw.kafka_end_to_end = kafkaLag;
  figure({
    phase: 'lag',
    figure: 'raw: Kafka produce → consume latency',
    value: kafkaLag.p50,
    unit: 'ms (p50)',
    p50_ms: kafkaLag.p50,
    p99_ms: kafkaLag.p99,
    conditions: { rate_per_s: cfg.lagRate, samples: kafkaLag.samples },
    reproduce: cmd,
  });
  const rawKafka = { figure: 'Kafka produce → consume latency (p50)', value: kafkaLag.p50, unit: 'ms' };

  log(
    `lag: ${cfg.lagRate} creates/s for ${cfg.lagSeconds} s through the gateway, each polled by id until readable`,
  );
  const byId = await measureLag('id', tokens.lag);
  figure({
    phase: 'lag',
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

  const size = await readModelSize();
  log(
    `lag: ${cfg.lagRate} creates/s for ${cfg.lagSeconds} s through the gateway; a poller lists the newest 100 back to back`,
  );
  const listed = await measureLag('list', tokens.lag);
  figure({
    phase: 'lag',
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
  const rawSmall = (await rawListLatency([{ raw: {}, limit: 101 }], PRINCIPALS.lag))[0];
  figure({
    phase: 'lag',
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
}

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
async function projectionMetrics() {
  const res = await fetch(`${services.projection.url}/metrics`, { signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  return {
    applied: metricSum(text, 'projection_events_applied_total'),
    lag: metricSum(text, 'projection_consumer_lag'),
  };
}

async function phaseSeed() {
  const cmd = reproduce('list', [
    'BENCH_TENANT_SIZE',
    'BENCH_SECONDS',
    'BENCH_LIST_CONNECTIONS',
    'BENCH_LIST_MAX_MS',
    'BENCH_LIST_SAMPLES',
  ]);
  const n = cfg.tenantSize;
  const { companyId, userId } = PRINCIPALS.seed;
  if (!results.raw.mongo_writes)
    results.raw.mongo_writes = await raw.mongoWrites({
      url: MONGO_URL,
      db: `bench_raw_${RUN}`,
      count: 10,
      batches: 10,
      ms: cfg.rawMs,
    });
  const upsertRate = results.raw.mongo_writes.bulk_upsert.rate;

  // Seed: contact.created events in 1000-message batches straight onto the topic (documented in
  // bench/lib/seed.cjs); the live projection builds the read model from them.
  log(
    `list: seeding a ${n}-contact tenant (events straight to the topic, the projection builds the read model)`,
  );
  let before = await projectionMetrics();
  if (before.applied === null) {
    const reason = 'not available: contacts-projection exposes no projection_events_applied_total yet';
    skip('list', 'projection catch-up from offset 0 (seeding)', reason);
    return skip('list', 'list latency on a large tenant', reason);
  }
  // Let the projection finish what earlier phases wrote (bounded), so the count below is the seed's.
  for (let i = 0; i < 120 && before.lag !== 0; i++) {
    await sleep(500);
    before = await projectionMetrics();
  }
  const kafka = new Kafka({ clientId: 'reps-bench-seed', brokers: BROKERS, logLevel: logLevel.NOTHING });
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  const at = Date.UTC(2025, 0, 1);
  const t0 = performance.now();
  let produced = 0;
  try {
    for (let from = 0; from < n; from += 1000) {
      await producer.send({
        topic: TOPIC,
        acks: -1,
        messages: seedBatch({
          from,
          to: Math.min(n, from + 1000),
          firstContactId: 10_000_000,
          companyId,
          userId,
          at,
        }),
      });
      produced = Math.min(n, from + 1000);
    }
  } finally {
    await producer.disconnect();
  }
  const producedMs = performance.now() - t0;
  // Wait for the projection, leaving budget for the list loads and what follows.
  const reserveS = 60 + 4 * (cfg.seconds + 10) + 60; // rebuild (at least 60 s) and the list latencies
  let now = await projectionMetrics();
  let appliedAt = performance.now();
  let lastApplied = now.applied;
  const catchUp = await withCpu(pids, async () => {
    while (now.applied - before.applied < produced && remainingS() > reserveS) {
      await sleep(200);
      now = await projectionMetrics();
      if (now.applied !== lastApplied) {
        lastApplied = now.applied;
        appliedAt = performance.now();
      }
    }
  });
  const applied = now.applied - before.applied;
  const complete = applied >= produced;
  const catchRate = perSecond(applied, appliedAt - t0);
  results.seed = {
    tenant_contacts: n,
    produced,
    produce_ms: Math.round(producedMs),
    applied,
    complete,
    method:
      'contact.created events produced to the topic in 1000-message batches (bench/lib/seed.cjs); the live projection builds the read model',
  };
  log('list: raw consume rate of the same topic from offset 0');
  const consumed = await raw.kafkaConsumeFromStart({
    brokers: BROKERS,
    topic: TOPIC,
    expected: produced,
    ms: 60_000,
  });
  results.raw.kafka_consume = consumed;
  figure({
    phase: 'list',
    figure: 'raw: kafkajs consume from offset 0 (same topic)',
    value: consumed.rate,
    unit: 'msg/s',
    conditions: { messages: consumed.messages },
    reproduce: cmd,
  });
  figure({
    phase: 'list',
    figure: 'projection catch-up, live consumer (seeding)',
    value: catchRate,
    unit: 'events/s',
    conditions: { data_size: produced, applied, complete },
    raw: { figure: 'raw bulkWrite of 1000 upserts by _id', value: upsertRate, unit: 'docs/s' },
    ratio: ratio(catchRate, upsertRate),
    raw_also: [
      {
        figure: 'raw insertMany, 1000 docs per call',
        value: results.raw.mongo_writes.insert_many.rate,
        unit: 'docs/s',
        ratio: ratio(catchRate, results.raw.mongo_writes.insert_many.rate),
      },
      {
        figure: 'raw kafkajs consume from offset 0',
        value: consumed.rate,
        unit: 'msg/s',
        ratio: ratio(catchRate, consumed.rate),
      },
    ],
    cpu: catchUp.cpu,
    reproduce: cmd,
  });
  if (!complete)
    skip(
      'list',
      'seeding',
      `projection applied ${applied} of ${produced} events before the time budget ran out; lists run on what is there`,
    );

  seeded = { applied, companyId, userId, upsertRate, cmd };
}

/** Set by phaseSeed: the large tenant the list and rebuild phases use. */
let seeded = null;

async function phaseListLatency(readSide) {
  if (!seeded)
    return skip('list', 'list latency on a large tenant', 'not available: no seeded tenant (see above)');
  if (!readSide.ok)
    return skip('list', 'list latency on a large tenant', `not available: ${readSide.reason}`);
  const { applied, companyId, userId, upsertRate, cmd } = seeded;
  const size = await readModelSize();
  let directProbed = false;
  const shapes = [
    { name: 'first page (newest 25)', query: 'limit=25', raw: {} },
    {
      name: `status filter (status=${FILTER_STATUS})`,
      query: `status=${FILTER_STATUS}&limit=25`,
      raw: { status: FILTER_STATUS },
    },
    {
      name: `search (q=${SEARCH_TERM})`,
      query: `q=${SEARCH_TERM}&limit=25`,
      raw: { _search: { $regex: SEARCH_TERM.toLowerCase() } },
    },
    {
      name: 'filters + search + sort',
      query: `status=${FILTER_STATUS}&lead_type=${FILTER_LEAD_TYPE}&q=${SEARCH_TERM}&sort=last_name&limit=50`,
      raw: {
        status: FILTER_STATUS,
        lead_type: FILTER_LEAD_TYPE,
        _search: { $regex: SEARCH_TERM.toLowerCase() },
      },
      sort: { _ln: 1, id: 1 },
      limit: 51,
    },
  ];
  for (const shape of shapes) {
    if (remainingS() < cfg.seconds + 25) {
      skip('list', `list latency: ${shape.name}`, 'skipped: time budget');
      continue;
    }
    const url = `${services.gateway.url}${API}?${shape.query}`;
    // The raw limit right before ours: the same find with the driver, bounded by maxTimeMS.
    const [r] = await rawListLatency([shape], { companyId, userId });
    const base = {
      phase: 'list',
      figure: `list latency: ${shape.name}`,
      unit: 'ms (p50)',
      raw: r ? rawFindCell(r) : null,
      raw_also: [
        { figure: 'raw bulkWrite of 1000 upserts by _id', value: upsertRate, unit: 'docs/s', ratio: null },
      ],
      reproduce: cmd,
    };
    const conditions = { data_size: applied, read_model_size: size, query: `GET ${API}?${shape.query}` };
    if (r && r.samples === 0 && r.timed_out_after_ms) {
      // Sending it would not measure anything the raw find did not: contacts-query sets no
      // maxTimeMS, so a request the gateway abandons at its upstream timeout (10 s, then 503)
      // leaves the scan running in the database server for minutes, slowing everything after it
      // (and anyone else sharing the server).
      figure({
        ...base,
        value: null,
        conditions: {
          ...conditions,
          mode: `not sent: the database alone needs > ${r.timed_out_after_ms} ms for this find; through the gateway it would be a 503 after UPSTREAM_TIMEOUT_MS (BENCH_LIST_MAX_MS + 2 s) and leave an unbounded scan running in the server`,
        },
        ratio: null,
      });
      continue;
    }
    // One request first, bounded: a list that scans a large collection may take seconds, and a
    // load level must not be shorter than a few of its requests.
    const probe = await timedGet(url, tokens.seed, cfg.listMaxMs + 10_000);
    if (!probe.ok) {
      figure({
        ...base,
        value: null,
        conditions: {
          ...conditions,
          failed: `first request: ${probe.error} after ${Math.round(probe.ms)} ms`,
        },
        ratio: null,
      });
      if (!directProbed && remainingS() > 90) {
        // The gateway gives up after UPSTREAM_TIMEOUT_MS (10 s): how long does the list really take?
        directProbed = true;
        log(
          `list: ${shape.name} failed through the gateway (${probe.error}); one request straight to contacts-query`,
        );
        const direct = await timedGet(`${services.query.url}${API}?${shape.query}`, tokens.seed, cfg.listMaxMs + 10_000);
        figure({
          ...base,
          figure: `list latency: ${shape.name}, contacts-query direct (no gateway timeout)`,
          value: direct.ok ? round(direct.ms, 1) : null,
          p50_ms: direct.ok ? round(direct.ms, 1) : null,
          p99_ms: direct.ok ? round(direct.ms, 1) : null,
          conditions: {
            ...conditions,
            concurrency: 1,
            requests: 1,
            ...(direct.ok ? {} : { failed: `${direct.error} after ${Math.round(direct.ms)} ms` }),
          },
          ratio:
            direct.ok && r && typeof r.p50 === 'number' && r.samples > 0 ? ratio(direct.ms, r.p50) : null,
        });
      }
      continue;
    }
    if (probe.ms <= (cfg.seconds * 1000) / 3) {
      log(`list: ${shape.name} through the gateway, c=${cfg.listConnections}, ${cfg.seconds} s`);
      const run = await withCpu(pids, () =>
        load({ url, headers: auth(tokens.seed), connections: cfg.listConnections, seconds: cfg.seconds }),
      );
      const ok = run.result.requests - run.result.non_2xx > 0;
      figure({
        ...base,
        value: ok ? run.result.p50_ms : null,
        p50_ms: ok ? run.result.p50_ms : null,
        p99_ms: ok ? run.result.p99_ms : null,
        conditions: {
          ...conditions,
          concurrency: cfg.listConnections,
          duration_s: cfg.seconds,
          requests: run.result.requests,
          rps: run.result.rps,
          non_2xx: run.result.non_2xx + run.result.errors,
        },
        ratio: ok && r ? ratio(run.result.p50_ms, r.p50) : null,
        cpu: run.cpu,
      });
    } else {
      // Too slow for a load level within the budget: a few requests one after another instead.
      log(
        `list: ${shape.name} took ${Math.round(probe.ms)} ms; timing up to ${cfg.listSamples} sequential requests instead of a load level`,
      );
      const samples = [probe.ms];
      let failed = null;
      const run = await withCpu(pids, async () => {
        const t0 = performance.now();
        while (samples.length < cfg.listSamples && performance.now() - t0 < Math.max(cfg.seconds * 1000, cfg.listSamples * cfg.listMaxMs)) {
          const next = await timedGet(url, tokens.seed, cfg.listMaxMs + 10_000);
          if (!next.ok) {
            failed = next.error;
            break;
          }
          samples.push(next.ms);
        }
      });
      const sum = summarize(samples);
      figure({
        ...base,
        value: sum.p50,
        p50_ms: sum.p50,
        p99_ms: sum.p99,
        conditions: {
          ...conditions,
          concurrency: 1,
          requests: samples.length,
          mode: 'sequential (too slow for a load level)',
          ...(failed ? { failed } : {}),
        },
        ratio: r ? ratio(sum.p50, r.p50) : null,
        cpu: run.cpu,
      });
    }
  }
}

/** A raw find slower than this is stopped by the server (maxTimeMS) and reported as "> limit". */
const RAW_FIND_LIMIT_MS = cfg.listMaxMs;

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

/** The same lists straight against the read model with the driver: what the database alone costs. */
async function rawListLatency(shapes, { companyId, userId }) {
  let readModel;
  try {
    readModel = require('../libs/contacts-read-model/dist/index.js');
  } catch {
    return [];
  }
  const client = new MongoClient(MONGO_URL, { retryWrites: false });
  await client.connect();
  try {
    const catalog = readModel.createReadModelCatalog(client.db(DB_READ), '');
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
            .maxTimeMS(RAW_FIND_LIMIT_MS)
            .toArray();
        } catch (error) {
          if (error.codeName !== 'MaxTimeMSExpired') throw error;
          timedOut = true;
          break;
        }
        times.push(performance.now() - t);
      }
      out.push(timedOut ? { ...summarize(times), timed_out_after_ms: RAW_FIND_LIMIT_MS } : summarize(times));
    }
    return out;
  } finally {
    await client.close();
  }
}

/** The rebuild command of contacts-projection, if it has one yet. */
function rebuildScript() {
  return [
    'apps/contacts-projection/dist/rebuild.js',
    'apps/contacts-projection/dist/rebuild-main.js',
    'apps/contacts-projection/dist/rebuild/main.js',
  ].find((f) => fs.existsSync(path.join(ROOT, f)));
}

async function phaseRebuild() {
  const name = 'projection rebuild from offset 0';
  const cmd = reproduce('rebuild', ['BENCH_TENANT_SIZE', 'BENCH_REBUILD_MAX_S']);
  const script = rebuildScript();
  if (!script) return skip('rebuild', name, 'not available yet: contacts-projection has no rebuild command');
  const kafka = new Kafka({ clientId: 'reps-bench-rebuild', brokers: BROKERS, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  let events;
  try {
    events = (await admin.fetchTopicOffsets(TOPIC)).reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
  const client = new MongoClient(MONGO_URL, { retryWrites: false });
  await client.connect();
  const readModel = require('../libs/contacts-read-model/dist/index.js');
  const catalog = readModel.createReadModelCatalog(client.db(DB_READ), '');
  try {
    const before = await catalog.activeGeneration();
    const timeoutMs = Math.max(10, Math.min(cfg.rebuildMaxS, remainingS() - LIST_LATENCY_S - 15)) * 1000;
    log(`rebuild: node ${script} over ${events} events (bounded to ${Math.round(timeoutMs / 1000)} s)`);
    const { spawn } = require('node:child_process');
    const err = fs.openSync(logFile('rebuild'), 'a');
    let stdout = '';
    let cpuMs = null;
    const spawnedAt = Date.now();
    const run = await withCpu(pids, async () => {
      const t0 = performance.now();
      const child = spawn(process.execPath, [path.join(ROOT, script)], {
        cwd: ROOT,
        env: {
          ...process.env,
          NODE_ENV: 'production',
          LOG_LEVEL: 'info',
          KAFKA_BROKERS: BROKERS.join(','),
          MONGO_URL,
          MONGO_DB: DB_READ,
          CONTACTS_TOPIC: TOPIC,
          PROJECTION_GROUP_ID: `bench-projection-${RUN}`,
          // Keep the old generation (the run's database is dropped at the end): the command would
          // otherwise wait 30 s after the swap before dropping it.
          REBUILD_DROP_OLD_AFTER_MS: '-1',
        },
        stdio: ['ignore', 'pipe', err],
      });
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
      });
      // The child's CPU, sampled while it lives (a pid's /proc entry is gone once it exits).
      const sampler = setInterval(() => {
        cpuMs = cpuMsOf(child.pid) ?? cpuMs;
      }, 250);
      const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
      const code = await new Promise((resolve) => child.once('exit', (c, signal) => resolve(signal ?? c)));
      clearTimeout(timer);
      clearInterval(sampler);
      return { code, ms: performance.now() - t0 };
    });
    fs.closeSync(err);
    if (cpuMs !== null) run.cpu.rebuild = Math.round((cpuMs / run.result.ms) * 100);
    const lines = stdout
      .split('\n')
      .map((line) => {
        try {
          return JSON.parse(line);
        } catch {
          return null;
        }
      })
      .filter(Boolean);
    const report = lines.find((l) => l.messagesPerSecond !== undefined) ?? null;
    const progress = lines.filter((l) => l.msg === 'rebuild progress').pop();
    const after = await catalog.activeGeneration();
    const ok = run.result.code === 0 && after !== before;
    let rate = ok ? perSecond(events, run.result.ms) : null;
    let partial = null;
    if (!ok && progress && progress.messages > 0) {
      // Stopped by the time bound: the rate so far, from its last progress line.
      const at = typeof progress.time === 'string' ? Date.parse(progress.time) : progress.time;
      rate = perSecond(progress.messages, at - spawnedAt);
      partial = `stopped after ${Math.round(run.result.ms / 1000)} s (BENCH_REBUILD_MAX_S / budget): ${progress.messages} of ${events} events replayed, rate so far`;
    }
    const upsert = results.raw.mongo_writes?.bulk_upsert.rate ?? null;
    const consume = results.raw.kafka_consume?.rate ?? null;
    figure({
      phase: 'rebuild',
      figure: name,
      value: rate,
      unit: 'events/s',
      conditions: {
        events,
        seconds: round(run.result.ms / 1000, 1),
        measured:
          'wall clock from starting the rebuild command to its exit (process start, group join, replay, swap)',
        command_report: report,
        swapped: `${before} → ${after}`,
        ...(partial ? { mode: partial } : {}),
        ...(ok || partial
          ? {}
          : {
              failed: `exit ${run.result.code}, active generation ${after} (log: ${path.relative(ROOT, logFile('rebuild'))})`,
            }),
      },
      raw:
        upsert !== null
          ? { figure: 'raw bulkWrite of 1000 upserts by _id', value: upsert, unit: 'docs/s' }
          : null,
      ratio: ratio(rate, upsert),
      raw_also: [
        ...(results.raw.mongo_writes
          ? [
              {
                figure: 'raw insertMany, 1000 docs per call',
                value: results.raw.mongo_writes.insert_many.rate,
                unit: 'docs/s',
                ratio: ratio(rate, results.raw.mongo_writes.insert_many.rate),
              },
            ]
          : []),
        ...(consume !== null
          ? [
              {
                figure: 'raw kafkajs consume from offset 0',
                value: consume,
                unit: 'msg/s',
                ratio: ratio(rate, consume),
              },
            ]
          : []),
      ],
      cpu: run.cpu,
      reproduce: cmd,
    });
  } finally {
    await client.close();
  }
}

async function phaseNotifier() {
  skip(
    'notifier',
    'notifier: pushes/s and event-to-push latency',
    'not available yet: the notifier is not built (apps/notifier is a skeleton)',
  );
}

// ---------------------------------------------------------------------------------------------

async function describeConditions() {
  const cpus = os.cpus();
  const db = await raw.describeMongo(MONGO_URL);
  const redis = new IORedis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  let redisVersion = null;
  try {
    await redis.connect();
    redisVersion = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? null;
  } finally {
    redis.disconnect();
  }
  const local = infraPids(INFRA_DIR);
  let kafkaVersion = 'external';
  if (local.kafka)
    kafkaVersion =
      /<kafka.version>([^<]+)</.exec(fs.readFileSync(path.join(ROOT, 'tools/kafka/pom.xml'), 'utf8'))?.[1] ??
      'local';
  if (db.kind === 'ferretdb' && local.mongo) {
    const v = /FerretDB\/FerretDB (v[\d.]+)/.exec(
      fs.readFileSync(path.join(ROOT, 'tools/ferretdb/go.mod'), 'utf8'),
    )?.[1];
    if (v && db.version === 'unknown') db.version = v;
  }
  const git = (...args) => {
    try {
      return require('node:child_process').execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
    } catch {
      return null;
    }
  };
  const dirty = git('status', '--porcelain', '--', 'apps', 'libs');
  return {
    date: new Date(started).toISOString(),
    code: {
      commit: git('rev-parse', '--short', 'HEAD'),
      uncommitted_files_in_apps_libs: dirty === null ? null : dirty.split('\n').filter(Boolean).length,
    },
    machine: {
      cpu: cpus[0]?.model ?? 'unknown',
      cores: cpus.length,
      memory_gib: round(os.totalmem() / 2 ** 30, 1),
      load_average_at_start: os.loadavg().map((l) => round(l, 2)),
      os: `${os.type()} ${os.release()}`,
      node: process.version,
    },
    servers: {
      database:
        db.kind === 'ferretdb'
          ? `FerretDB ${db.version} (${db.backend}; MongoDB wire ${db.wire_version})`
          : `MongoDB ${db.version} (mongod)`,
      database_kind: db.kind,
      kafka: `Apache Kafka ${kafkaVersion} (KRaft, single node) at ${BROKERS.join(',')}`,
      redis: `Redis ${redisVersion}`,
      local_infra:
        Object.keys(local).length > 0
          ? `tools/infra.sh (${INFRA_DIR})`
          : 'given by KAFKA_BROKERS / MONGO_URL / REDIS_URL',
    },
    settings: { ...cfg, budgetS: undefined },
    services:
      'each app from apps/*/dist/main.js as a child process, NODE_ENV=production, LOG_LEVEL=info (the default: one access-log line per request, to a file), isolated MONGO_DB / CONTACTS_TOPIC; gateway rate limit raised to 1,000,000 per 60 s (the Redis round trip still happens)',
    load_tool: `autocannon ${require('autocannon/package.json').version} in the benchmark process (same cores as the services)`,
  };
}

async function cleanup() {
  await stopAll();
  const kafka = new Kafka({ clientId: 'reps-bench-cleanup', brokers: BROKERS, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(TOPIC));
    if (topics.length) await admin.deleteTopics({ topics });
    const groups = (await admin.listGroups()).groups
      .map((g) => g.groupId)
      .filter((g) => g.startsWith(`bench-projection-${RUN}`));
    if (groups.length) await admin.deleteGroups(groups).catch(() => undefined);
  } catch (error) {
    log(`cleanup: kafka: ${error.message}`);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  const client = new MongoClient(MONGO_URL, { retryWrites: false });
  try {
    await client.connect();
    for (const db of [DB_COMMAND, DB_READ, `bench_raw_${RUN}`])
      await client
        .db(db)
        .dropDatabase()
        .catch(() => undefined);
  } catch (error) {
    log(`cleanup: mongo: ${error.message}`);
  } finally {
    await client.close().catch(() => undefined);
  }
}

/** Keeps the logs and profiles of the last 3 runs (bench/results/run/ is git-ignored). */
function pruneRunDirs() {
  const dir = path.dirname(RUN_DIR);
  if (!fs.existsSync(dir)) return;
  const runs = fs.readdirSync(dir).sort();
  for (const old of runs.slice(0, Math.max(0, runs.length - 3)))
    fs.rmSync(path.join(dir, old), { recursive: true, force: true });
}

async function main() {
  pruneRunDirs();
  await assignPorts();
  fs.mkdirSync(RUN_DIR, { recursive: true });
  results.raw = {};
  results.conditions = await describeConditions();
  log(
    `run ${RUN}: ${results.conditions.servers.database}; ${results.conditions.servers.kafka}; ${results.conditions.machine.cores} cores; budget ${cfg.budgetS} s; logs in ${path.relative(ROOT, RUN_DIR)}`,
  );
  for (const [name, p] of Object.entries(PRINCIPALS))
    tokens[name] = await mintToken(SECRET, p, { expiresIn: '2h' });

  const wants = (phase) => !cfg.only || cfg.only.includes(phase);
  let readSide = { ok: false, reason: 'not checked' };
  const needsStack = ['single', 'bulk', 'lag', 'list', 'rebuild'].some(wants);
  try {
    if (needsStack) {
      log('starting contacts-command, contacts-projection, contacts-query, gateway');
      await startStack();
      readSide = await readSideAvailable();
      if (!readSide.ok) log(`read side: ${readSide.reason}`);
    }
    const phases = [
      ['kafka', 30, phaseKafka],
      ['single', cfg.levels.length * 3 * (cfg.seconds + 2) + 30, phaseSingle],
      // The lag runs before the bulk phase adds its contacts to the read model.
      ['lag', 2 * cfg.lagSeconds + 60, () => phaseLag(readSide)],
      ['bulk', 60, phaseBulk],
      // Seeding (the projection's catch-up) feeds both the rebuild and the list latencies; the
      // rebuild runs before the lists, whose slow scans could otherwise still occupy the server.
      ['list', 120, phaseSeed, wants('list') || wants('rebuild')],
      ['rebuild', 60, phaseRebuild],
      ['list', LIST_LATENCY_S, () => phaseListLatency(readSide)],
      ['notifier', 0, phaseNotifier],
    ];
    for (const [phase, estimateS, fn, wanted = wants(phase)] of phases) {
      if (!wanted) continue;
      if (remainingS() < estimateS) {
        skip(
          phase,
          phase,
          `skipped: ${remainingS()} s of the ${cfg.budgetS} s budget left, the phase needs ~${estimateS} s`,
        );
        continue;
      }
      try {
        if (needsStack) await reviveServices(phase);
        await fn();
      } catch (error) {
        skip(phase, phase, `failed: ${error.message}`);
      }
    }
  } finally {
    await cleanup();
  }
  results.total_seconds = Math.round((Date.now() - started) / 1000);
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(`${OUT}.json`, `${JSON.stringify(results, null, 2)}\n`);
  const md = renderMarkdown(results);
  fs.writeFileSync(`${OUT}.md`, md);
  process.stdout.write(`\n${md}\n`);
  log(`wrote ${path.relative(ROOT, OUT)}.json and .md in ${results.total_seconds} s`);
}

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping the services`);
    cleanup().finally(() => process.exit(130));
  });
}

main().catch(async (error) => {
  console.error(error);
  await cleanup().catch(() => undefined);
  process.exit(1);
});
