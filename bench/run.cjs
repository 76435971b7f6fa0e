#!/usr/bin/env node
// The benchmark runner: every figure of DESIGN §5 next to the raw limit of the same servers,
// measured in the same run. Started by `npm run bench` (bench/bench.sh), which builds, starts
// the local servers unless KAFKA_BROKERS / MONGO_URL / REDIS_URL are given, and runs this.
// Writes bench/results/latest.json and latest.md (BENCH_OUT; bench/results/partial.* with
// BENCH_ONLY), rendered by bench/lib/report.cjs.
//
// The figures come from the groups in bench/groups/, one file each, found by reading that
// directory and run in their `order`; BENCH_ONLY=<group>[,<group>] runs some of them (plus the
// groups they `use`). To add a group, add bench/groups/<name>.cjs exporting the group contract
// (bench/README.md; types in bench/lib/groups.d.cts): nothing here or in another group changes.
//
// Everything is bounded: each HTTP load level runs for BENCH_SECONDS, each raw loop stops at a
// count or a time limit, waits have deadlines, and the whole run has a budget (BENCH_BUDGET_S);
// a group that no longer fits (its estimateS) is reported as skipped, not run. Traffic goes to
// 127.0.0.1 only.
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { randomUUID } = require('node:crypto');
const { Kafka, logLevel } = require('kafkajs');
const { mintToken } = require('../libs/auth/dist/index.js');
const { ROOT, stopAll } = require('./lib/processes.cjs');
const { discoverGroups, selectGroups, portNames } = require('./lib/groups.cjs');
const { loadSettings } = require('./lib/settings.cjs');
const { startStack } = require('./lib/stack.cjs');
const { describeConditions } = require('./lib/conditions.cjs');
const { renderMarkdown } = require('./lib/report.cjs');
const { dropDatabases } = require('./lib/cleanup.cjs');

const env = process.env;
let groups, cfg, selected;
try {
  groups = discoverGroups();
  cfg = loadSettings(env, groups);
  selected = selectGroups(groups, env.BENCH_ONLY);
} catch (error) {
  // A bad setting, BENCH_ONLY or group file: say which, before anything starts.
  process.stderr.write(`bench: ${error.message}\n`);
  process.exit(2);
}
const OUT = path.resolve(
  ROOT,
  env.BENCH_OUT || (cfg.only ? 'bench/results/partial' : 'bench/results/latest'),
);
const RUN = Date.now().toString(36);
const RUN_DIR = path.join(ROOT, 'bench/results/run', RUN);
const TOPIC = `bench.contacts.${RUN}`;
const DB = { command: `bench_cmd_${RUN}`, read: `bench_read_${RUN}`, raw: `bench_raw_${RUN}` };
const BROKERS = (env.KAFKA_BROKERS || '127.0.0.1:9092').split(',');
const MONGO_URL = env.MONGO_URL || 'mongodb://127.0.0.1:27017';
const REDIS_URL = env.REDIS_URL || 'redis://127.0.0.1:6379';
const INFRA_DIR = env.BENCH_INFRA_DIR || path.join(ROOT, '.infra');
const SECRET = `bench-${randomUUID()}`;
// Tenants of this run (company ids unique per run, so a shared Redis never mixes rate-limit counters).
const COMPANY = 100_000 + (Math.floor(Date.now() / 1000) % 1_000_000) * 10;

const started = Date.now();
const deadline = started + cfg.budgetS * 1000;
const remainingS = () => Math.round((deadline - Date.now()) / 1000);
const log = (message) =>
  process.stderr.write(`[bench +${Math.round((Date.now() - started) / 1000)}s] ${message}\n`);
const results = { figures: [], skipped: [], incidents: [], profiles: {} };

/**
 * Free ports picked by the OS (or BENCH_PORT_BASE + the name's index), never the defaults
 * 8080-8084 that a running stack or another engineer's tests use; named by the stack and groups.
 */
async function assignPorts() {
  const ports = {};
  for (const [i, name] of portNames(groups).entries()) {
    if (cfg.portBase !== null) {
      ports[name] = cfg.portBase + i;
      continue;
    }
    ports[name] = await new Promise((resolve, reject) => {
      const server = net.createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address();
        server.close(() => resolve(port));
      });
    });
  }
  return ports;
}

/** One token per tenant name, minted on first use: a group's own tenant, or another's by name. */
function tenants() {
  const known = new Map();
  return (name) => {
    if (!known.has(name)) {
      const n = known.size + 1;
      const principal = { scope: 'user', userId: 41 + n, companyId: COMPANY + n };
      known.set(
        name,
        mintToken(SECRET, principal, { expiresIn: '2h' }).then((token) => ({
          companyId: principal.companyId,
          userId: principal.userId,
          token,
        })),
      );
    }
    return known.get(name);
  };
}

/** What one group sees: the run, and figure/skip/reproduce bound to the name it reports as. */
function contextFor(group, base) {
  const phase = group.reportAs ?? group.name;
  const later = selected.slice(selected.indexOf(group) + 1);
  return {
    ...base,
    group: group.name,
    figure(entry) {
      const f = { phase, ...entry };
      results.figures.push(f);
      const v = f.value === null ? 'n/a' : `${f.value} ${f.unit}`;
      log(
        `  ${f.figure}${f.conditions?.concurrency ? ` (c=${f.conditions.concurrency})` : ''}: ${v}${f.p50_ms !== undefined ? `, p50 ${f.p50_ms} ms, p99 ${f.p99_ms} ms` : ''}${f.raw ? ` | raw ${f.raw.value} ${f.raw.unit}, ratio ${f.ratio}` : ''}${f.cost ? ` | CPU per ${f.cost.per ?? 'op'} ${f.cost.ms_per_op} ms (load + ${f.cost.window.tail_s} s catch-up${f.cost.window.caught_up ? '' : ', NOT caught up'})` : ''}`,
      );
    },
    skip(figureName, reason) {
      results.skipped.push({ phase, figure: figureName, reason });
      log(`  ${figureName}: ${reason}`);
    },
    /** The command line that reproduces this group's figures on its own. */
    reproduce(vars) {
      const parts = [`BENCH_ONLY=${phase}`];
      if (cfg.quick) parts.push('BENCH_QUICK=1');
      for (const name of vars) if (env[name]) parts.push(`${name}=${env[name]}`);
      return `${parts.join(' ')} npm run bench`;
    },
    reserveS: () => later.reduce((n, g) => n + g.estimateS(cfg), 0),
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
    const kafkaGroups = (await admin.listGroups()).groups
      .map((g) => g.groupId)
      .filter((g) => g.startsWith(`bench-projection-${RUN}`));
    if (kafkaGroups.length) await admin.deleteGroups(kafkaGroups).catch(() => undefined);
  } catch (error) {
    log(`cleanup: kafka: ${error.message}`);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  await dropDatabases(MONGO_URL, Object.values(DB), log, 'cleanup');
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
  const ports = await assignPorts();
  fs.mkdirSync(RUN_DIR, { recursive: true });
  results.raw = {};
  results.conditions = await describeConditions({
    started,
    cfg,
    brokers: BROKERS,
    mongoUrl: MONGO_URL,
    redisUrl: REDIS_URL,
    infraDir: INFRA_DIR,
  });
  log(
    `run ${RUN}: ${results.conditions.servers.database}; ${results.conditions.servers.kafka}; ${results.conditions.machine.cores} cores; budget ${cfg.budgetS} s; logs in ${path.relative(ROOT, RUN_DIR)}`,
  );
  const base = {
    cfg,
    env,
    log,
    results,
    outputs: {},
    ports,
    runId: RUN,
    runDir: RUN_DIR,
    logFile: (name) => path.join(RUN_DIR, `${name}.log`),
    secret: SECRET,
    topic: TOPIC,
    db: DB,
    brokers: BROKERS,
    mongoUrl: MONGO_URL,
    redisUrl: REDIS_URL,
    infraDir: INFRA_DIR,
    deadline,
    remainingS,
    tenant: tenants(),
    stack: null,
    readSide: { ok: false, reason: 'not checked' },
  };
  try {
    if (selected.some((g) => g.needs?.stack)) {
      log('starting contacts-command, contacts-projection, contacts-query, gateway');
      base.stack = await startStack(base);
      base.readSide = await base.stack.readSide((await base.tenant('lag')).token);
      if (!base.readSide.ok) log(`read side: ${base.readSide.reason}`);
    }
    for (const group of selected) {
      const ctx = contextFor(group, base);
      const phase = group.reportAs ?? group.name;
      const estimateS = group.estimateS(cfg);
      if (remainingS() < estimateS) {
        ctx.skip(
          phase,
          `skipped: ${remainingS()} s of the ${cfg.budgetS} s budget left, the phase needs ~${estimateS} s`,
        );
        continue;
      }
      try {
        if (base.stack) await base.stack.revive(phase, results.incidents, log);
        base.outputs[group.name] = await group.run(ctx);
      } catch (error) {
        ctx.skip(phase, `failed: ${error.message}`);
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
