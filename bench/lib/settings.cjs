// The run's settings from BENCH_* variables (the docs' Benchmarks page lists each): the shared
// ones here, and each group's own from its `settings` field, so a new group brings its settings
// with it. BENCH_QUICK=1 picks every `quick` default.

/** Numeric settings more than one group (or the stack) reads. */
const SHARED = {
  seconds: { env: 'BENCH_SECONDS', full: 10, quick: 3 },
  rawCount: { env: 'BENCH_RAW_N', full: 2000, quick: 500 },
  rawMs: { env: 'BENCH_RAW_MS', full: 8000, quick: 3000 },
  budgetS: { env: 'BENCH_BUDGET_S', full: 780, quick: 400 },
  // How long one list may take, in the raw find (maxTimeMS), contacts-query (LIST_MAX_TIME_MS) and
  // the gateway (UPSTREAM_TIMEOUT_MS): raise it to time lists that scan a large read model.
  listMaxMs: { env: 'BENCH_LIST_MAX_MS', full: 10_000, quick: 10_000 },
  // Sequential requests per list when one is too slow for a load level, and at least this many
  // raw finds (bench/lib/read-side.cjs).
  listSamples: { env: 'BENCH_LIST_SAMPLES', full: 5, quick: 3 },
  // How long a write figure waits, after its load, for the projection to apply what the load
  // produced: the CPU of that tail is part of the cost per write (bench/lib/write-cost.cjs).
  catchupMaxS: { env: 'BENCH_CATCHUP_MAX_S', full: 120, quick: 60 },
};

/** Keys and variables no group may claim: the shared settings and the runner's own switches. */
const RESERVED = {
  keys: [...Object.keys(SHARED), 'quick', 'levels', 'portBase', 'only', 'profile'],
  envs: [
    ...Object.values(SHARED).map((s) => s.env),
    'BENCH_QUICK',
    'BENCH_CONNECTIONS',
    'BENCH_PORT_BASE',
    'BENCH_ONLY',
    'BENCH_PROFILE',
    'BENCH_OUT',
    'BENCH_INFRA_DIR',
  ],
};

function numeric(env, spec, quick) {
  const given = env[spec.env] !== undefined && env[spec.env] !== '';
  const value = given ? Number(env[spec.env]) : quick ? spec.quick : spec.full;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${spec.env} must be a positive number`);
  return value;
}

/** Every setting of the run: the shared ones and those of every discovered group (selected or not). */
function loadSettings(env, groups) {
  const quick = env.BENCH_QUICK === '1';
  const cfg = { quick };
  for (const spec of [SHARED, ...groups.map((g) => g.settings ?? {})])
    for (const [key, s] of Object.entries(spec)) cfg[key] = numeric(env, s, quick);
  cfg.levels = (env.BENCH_CONNECTIONS || (quick ? '1,8' : '1,8,32')).split(',').map(Number);
  if (cfg.levels.some((c) => !Number.isInteger(c) || c < 1 || c > 256))
    throw new Error('BENCH_CONNECTIONS: integers 1-256, comma-separated');
  cfg.portBase = env.BENCH_PORT_BASE
    ? numeric(env, { env: 'BENCH_PORT_BASE', full: 0, quick: 0 }, quick)
    : null;
  cfg.only = env.BENCH_ONLY ? env.BENCH_ONLY.split(',') : null;
  cfg.profile = env.BENCH_PROFILE !== '0';
  return cfg;
}

module.exports = { SHARED, RESERVED, loadSettings };
