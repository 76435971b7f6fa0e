// The benchmark groups: discovered from bench/groups/*.cjs, checked against the group contract
// (bench/README.md; types in groups.d.cts), ordered, and selected by BENCH_ONLY. Pure apart
// from reading the directory, so the runner's choices are unit-tested without any server.
const fs = require('node:fs');
const path = require('node:path');
const { RESERVED } = require('./settings.cjs');

const GROUPS_DIR = path.resolve(__dirname, '../groups');
/** Ports every run has: the four services of the stack. Groups add their own by name. */
const STACK_PORTS = ['gateway', 'command', 'query', 'projection'];
const NAME = /^[a-z][a-z0-9-]*$/;
const KEY = /^[a-zA-Z][a-zA-Z0-9]*$/;
const ENV = /^BENCH_[A-Z0-9_]+$/;

/** Every problem of one group's export, as messages naming the file (empty when it is valid). */
function problemsOf(group, file) {
  const where = path.basename(file);
  const problems = [];
  const add = (message) => problems.push(`${where}: ${message}`);
  if (!group || typeof group !== 'object')
    return [`${where}: must export an object (module.exports = { ... })`];
  const expected = path.basename(file, '.cjs');
  if (group.name !== expected)
    add(`name must be "${expected}" (the file name), got ${JSON.stringify(group.name)}`);
  if (typeof group.title !== 'string' || group.title.trim() === '') add('title must be a non-empty string');
  if (typeof group.order !== 'number' || !Number.isFinite(group.order)) add('order must be a number');
  if (group.reportAs !== undefined && (typeof group.reportAs !== 'string' || !NAME.test(group.reportAs)))
    add('reportAs must be a group name');
  if (typeof group.estimateS !== 'function') add('estimateS must be a function (settings) => seconds');
  if (typeof group.run !== 'function') add('run must be an async function (ctx)');
  if (group.needs !== undefined) {
    if (!group.needs || typeof group.needs !== 'object') add('needs must be an object');
    else
      for (const [key, value] of Object.entries(group.needs)) {
        if (key !== 'stack') add(`needs.${key}: unknown (known: stack)`);
        else if (typeof value !== 'boolean') add('needs.stack must be a boolean');
      }
  }
  for (const field of ['uses', 'ports'])
    if (
      group[field] !== undefined &&
      (!Array.isArray(group[field]) || group[field].some((v) => typeof v !== 'string' || v === ''))
    )
      add(`${field} must be an array of names`);
  if (group.settings !== undefined) {
    if (!group.settings || typeof group.settings !== 'object') add('settings must be an object');
    else
      for (const [key, s] of Object.entries(group.settings)) {
        if (!KEY.test(key)) add(`settings.${key}: key must be camelCase`);
        if (!s || typeof s !== 'object' || !ENV.test(s.env ?? ''))
          add(`settings.${key}.env must be a BENCH_* variable name`);
        else if (![s.full, s.quick].every((v) => typeof v === 'number' && v > 0))
          add(`settings.${key}: full and quick must be positive numbers`);
      }
  }
  const known = new Set([
    'name',
    'title',
    'order',
    'reportAs',
    'needs',
    'uses',
    'ports',
    'settings',
    'estimateS',
    'run',
  ]);
  for (const key of Object.keys(group)) if (!known.has(key)) add(`unknown field ${key}`);
  return problems;
}

/**
 * Checks what only the whole set can tell: unique orders, `uses` naming an earlier group, and no
 * port or setting claimed twice (by two groups, or by a group and the runner).
 */
function setProblems(groups, reserved = RESERVED) {
  const problems = [];
  const byName = new Map(groups.map((g) => [g.name, g]));
  const orders = new Map();
  for (const g of groups) {
    if (orders.has(g.order)) problems.push(`${g.name}: order ${g.order} is also ${orders.get(g.order)}'s`);
    orders.set(g.order, g.name);
    for (const used of g.uses ?? []) {
      const u = byName.get(used);
      if (!u) problems.push(`${g.name}: uses unknown group ${used}`);
      else if (u.order >= g.order)
        problems.push(`${g.name}: uses ${used}, which must come first (lower order)`);
    }
    if (g.reportAs !== undefined && !byName.has(g.reportAs))
      problems.push(`${g.name}: reportAs names unknown group ${g.reportAs}`);
  }
  const ports = new Map(STACK_PORTS.map((p) => [p, 'the stack']));
  const keys = new Map(reserved.keys.map((k) => [k, 'the runner']));
  const envs = new Map(reserved.envs.map((e) => [e, 'the runner']));
  for (const g of groups) {
    for (const p of g.ports ?? []) {
      if (ports.has(p)) problems.push(`${g.name}: port ${p} is already ${ports.get(p)}'s`);
      ports.set(p, g.name);
    }
    for (const [key, s] of Object.entries(g.settings ?? {})) {
      if (keys.has(key)) problems.push(`${g.name}: setting ${key} is already ${keys.get(key)}'s`);
      if (envs.has(s.env)) problems.push(`${g.name}: ${s.env} is already ${envs.get(s.env)}'s`);
      keys.set(key, g.name);
      envs.set(s.env, g.name);
    }
  }
  return problems;
}

/**
 * Loads every `*.cjs` of `dir` (no list anywhere: a new file is a new group), validates each and
 * the set, and returns them in run order. Throws one error listing every problem found.
 */
function discoverGroups(dir = GROUPS_DIR, { reserved = RESERVED, load = require } = {}) {
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.cjs'))
    .sort()
    .map((f) => path.join(dir, f));
  const groups = [];
  const problems = [];
  for (const file of files) {
    const group = load(file);
    const found = problemsOf(group, file);
    problems.push(...found);
    if (found.length === 0) groups.push(group);
  }
  if (files.length === 0) problems.push(`no groups in ${dir}`);
  problems.push(...setProblems(groups, reserved));
  if (problems.length) throw new Error(`bench groups: ${problems.join('; ')}`);
  return groups.sort((a, b) => a.order - b.order);
}

/**
 * The groups a run executes, in order: all of them, or those BENCH_ONLY names (comma-separated)
 * plus the groups they `use`. An unknown name is an error that lists the groups there are.
 */
function selectGroups(groups, only) {
  const names = only
    ? String(only)
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : null;
  if (!names || names.length === 0) return groups;
  const byName = new Map(groups.map((g) => [g.name, g]));
  const unknown = names.filter((n) => !byName.has(n));
  if (unknown.length)
    throw new Error(
      `BENCH_ONLY: unknown group${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; the groups (bench/groups/) are: ${groups.map((g) => g.name).join(', ')}`,
    );
  const wanted = new Set();
  const add = (name) => {
    if (wanted.has(name)) return;
    wanted.add(name);
    for (const used of byName.get(name).uses ?? []) add(used);
  };
  names.forEach(add);
  return groups.filter((g) => wanted.has(g.name));
}

/** Port names in a fixed order (the stack's, then each group's in run order): BENCH_PORT_BASE + index. */
function portNames(groups) {
  return [...STACK_PORTS, ...groups.flatMap((g) => g.ports ?? [])];
}

module.exports = {
  GROUPS_DIR,
  STACK_PORTS,
  problemsOf,
  setProblems,
  discoverGroups,
  selectGroups,
  portNames,
};
