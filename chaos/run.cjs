#!/usr/bin/env node
// `npm run chaos` (chaos/chaos.sh builds first): the fault-injection suite. Starts its own
// private Kafka / MongoDB-compatible server / Redis (never the shared ones) and every app, runs a
// client load through the gateway, injects the faults one at a time, then checks that every
// acknowledged write is accounted for. Writes chaos/results/latest.md and latest.json
// (partial.* with CHAOS_FAULTS); exits 1 when a verdict fails. Bounded by CHAOS_BUDGET_S.
//
//   CHAOS_FAULTS=kill-gateway,restart-kafka   run some faults only (ids in the report)
//   CHAOS_RATE=40                             writes per second
//   CHAOS_BUDGET_S=600                        the run's budget (faults that no longer fit are skipped)
//   CHAOS_HOLD_MS=5000 CHAOS_STALL_HOLD_MS=12000   how long a fault is held
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { ROOT } = require('../bench/lib/processes.cjs');
const { runChaos, DEFAULTS } = require('./lib/chaos.cjs');
const { renderMarkdown } = require('./lib/report.cjs');

const env = process.env;
const number = (name, fallback) => {
  if (env[name] === undefined || env[name] === '') return fallback;
  const value = Number(env[name]);
  if (!Number.isFinite(value) || value <= 0) {
    process.stderr.write(`chaos: ${name} must be a positive number, got "${env[name]}"\n`);
    process.exit(2);
  }
  return value;
};
const RUN = Date.now().toString(36);
const RUN_DIR = path.join(ROOT, 'chaos/results/run', RUN);
const OUT = path.join(
  ROOT,
  env.CHAOS_OUT || (env.CHAOS_FAULTS ? 'chaos/results/partial' : 'chaos/results/latest'),
);
const started = Date.now();
const log = (message) =>
  process.stderr.write(`[chaos +${Math.round((Date.now() - started) / 1000)}s] ${message}\n`);

function git(...args) {
  try {
    return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

/** Keeps the logs of the last 3 runs (chaos/results/run/ is git-ignored). */
function pruneRunDirs() {
  const dir = path.dirname(RUN_DIR);
  if (!fs.existsSync(dir)) return;
  const runs = fs.readdirSync(dir).sort();
  for (const old of runs.slice(0, Math.max(0, runs.length - 3)))
    fs.rmSync(path.join(dir, old), { recursive: true, force: true });
}

async function main() {
  pruneRunDirs();
  const conditions = {
    date: new Date(started).toISOString(),
    commit: git('rev-parse', '--short', 'HEAD'),
    uncommittedFilesInAppsLibs: (git('status', '--porcelain', '--', 'apps', 'libs') ?? '')
      .split('\n')
      .filter(Boolean).length,
    cores: os.cpus().length,
    loadAverageAtStart: os.loadavg().map((l) => Math.round(l * 100) / 100),
    node: process.version,
  };
  log(
    `run ${RUN}: load average ${conditions.loadAverageAtStart.join(' / ')}; logs in ${path.relative(ROOT, RUN_DIR)}`,
  );
  const result = await runChaos({
    runDir: RUN_DIR,
    log,
    rate: number('CHAOS_RATE', DEFAULTS.rate),
    budgetS: number('CHAOS_BUDGET_S', DEFAULTS.budgetS),
    holdMs: number('CHAOS_HOLD_MS', DEFAULTS.holdMs),
    stallHoldMs: number('CHAOS_STALL_HOLD_MS', DEFAULTS.stallHoldMs),
    faults: env.CHAOS_FAULTS ?? '',
    cacheDir: env.INFRA_CACHE_DIR || path.join(ROOT, '.infra'),
    registerCleanup: (fn) => cleanups.push(fn),
  });
  result.conditions = conditions;
  result.reproduce = env.CHAOS_FAULTS ? `CHAOS_FAULTS=${env.CHAOS_FAULTS} npm run chaos` : 'npm run chaos';
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(`${OUT}.json`, `${JSON.stringify(result, null, 2)}\n`);
  fs.writeFileSync(`${OUT}.md`, renderMarkdown(result));
  log(`${result.ok ? 'PASS' : 'FAIL'} in ${result.elapsedS} s: ${path.relative(ROOT, OUT)}.md`);
  for (const v of result.verdicts)
    log(
      `  (${v.id}) ${v.ok ? 'ok  ' : 'FAIL'} ${v.name}${v.notApplicable ? ` — ${v.notApplicable}` : ''}${v.examples.length ? `\n      ${v.examples.slice(0, 5).join('\n      ')}` : ''}`,
    );
  for (const i of result.incidents) log(`  incident: ${i}`);
  process.exitCode = result.ok ? 0 : 1;
}

// Ctrl-C / SIGTERM: kill the apps and stop the private servers before exiting (the servers'
// watchdog covers a SIGKILL of this process).
const cleanups = [];
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    log(`${signal}: killing the apps and stopping the private servers`);
    for (const fn of cleanups) fn();
    process.exit(130);
  });
}

main().catch((error) => {
  log(`failed: ${error.stack ?? error.message}`);
  process.exit(1);
});
