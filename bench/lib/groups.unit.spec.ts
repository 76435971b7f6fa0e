import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  GROUPS_DIR,
  STACK_PORTS,
  discoverGroups,
  portNames,
  problemsOf,
  selectGroups,
  type BenchGroup,
} from './groups.cjs';
import { RESERVED, loadSettings } from './settings.cjs';

const filesInGroupsDir = () =>
  readdirSync(GROUPS_DIR)
    .filter((f) => f.endsWith('.cjs'))
    .map((f) => path.basename(f, '.cjs'))
    .sort();

/** A throwaway groups directory holding the given files (name → source). */
function groupsDir(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-groups-'));
  for (const [name, source] of Object.entries(files)) writeFileSync(path.join(dir, name), source);
  return dir;
}
const group = (name: string, order: number, extra = '') =>
  `module.exports = { name: '${name}', title: 'the ${name} figures', order: ${order}, estimateS: () => 1, async run() {}${extra} };`;

describe('bench groups: discovery', () => {
  const groups = discoverGroups();

  it('finds every file in bench/groups, each a valid group, in run order', () => {
    // discoverGroups throws on any invalid file, so every file being found means every one is valid.
    expect(groups.map((g) => g.name).sort()).toEqual(filesInGroupsDir());
    for (const g of groups) expect(problemsOf(g, `${g.name}.cjs`)).toEqual([]);
    const orders = groups.map((g) => g.order);
    expect(orders).toEqual([...orders].sort((a, b) => a - b));
  });

  it('keeps the groups and order the report has always had', () => {
    expect(groups.map((g) => g.name)).toEqual(
      expect.arrayContaining([
        'kafka',
        'single',
        'patch',
        'lag',
        'bulk',
        'seed',
        'rebuild',
        'list',
        'notifier',
      ]),
    );
    const at = (name: string) => groups.findIndex((g) => g.name === name);
    // lag before bulk (bulk grows the read model); seed → rebuild → list (lists scan after the rebuild).
    // patch right after single: it reads single's hello-world of the same run when both run.
    expect(at('kafka')).toBeLessThan(at('single'));
    expect(at('single')).toBeLessThan(at('patch'));
    expect(at('patch')).toBeLessThan(at('lag'));
    expect(at('single')).toBeLessThan(at('lag'));
    expect(at('lag')).toBeLessThan(at('bulk'));
    expect(at('bulk')).toBeLessThan(at('seed'));
    expect(at('seed')).toBeLessThan(at('rebuild'));
    expect(at('rebuild')).toBeLessThan(at('list'));
  });

  it('picks up a new file without any list to edit, and rejects bad shapes naming the file', () => {
    const dir = groupsDir({ 'a.cjs': group('a', 2), 'b.cjs': group('b', 1), 'notes.md': '# not a group' });
    try {
      expect(discoverGroups(dir).map((g) => g.name)).toEqual(['b', 'a']);
      writeFileSync(
        path.join(dir, 'c.cjs'),
        `module.exports = { name: 'see', order: 'x', run: 1, colour: 1 };`,
      );
      expect(() => discoverGroups(dir)).toThrow(
        /c\.cjs: name must be "c".*c\.cjs: title must be.*c\.cjs: order must be a number.*c\.cjs: estimateS must be.*c\.cjs: run must be.*c\.cjs: unknown field colour/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects what only the set can tell: shared orders, uses of a later group, claimed ports and settings', () => {
    const dir = groupsDir({
      'a.cjs': group(
        'a',
        1,
        `, ports: ['gateway'], settings: { seconds: { env: 'BENCH_SECONDS', full: 1, quick: 1 } }`,
      ),
      'b.cjs': group('b', 1, `, uses: ['c']`),
      'c.cjs': group('c', 3, `, ports: ['x'], settings: { x: { env: 'BENCH_X', full: 1, quick: 1 } }`),
      'd.cjs': group('d', 4, `, ports: ['x'], settings: { y: { env: 'BENCH_X', full: 1, quick: 1 } }`),
    });
    try {
      const message = (() => {
        try {
          discoverGroups(dir);
          return '';
        } catch (error) {
          return (error as Error).message;
        }
      })();
      expect(message).toContain("b: order 1 is also a's");
      expect(message).toContain('b: uses c, which must come first');
      expect(message).toContain("a: port gateway is already the stack's");
      expect(message).toContain("a: setting seconds is already the runner's");
      expect(message).toContain("a: BENCH_SECONDS is already the runner's");
      expect(message).toContain("d: port x is already c's");
      expect(message).toContain("d: BENCH_X is already c's");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('bench groups: BENCH_ONLY', () => {
  const groups = discoverGroups();
  const names = (selected: BenchGroup[]) => selected.map((g) => g.name);

  it('runs every group when unset or empty', () => {
    expect(selectGroups(groups, undefined)).toBe(groups);
    expect(selectGroups(groups, '')).toBe(groups);
  });

  it('runs the named groups in run order, whatever order they are named in', () => {
    expect(names(selectGroups(groups, 'single,kafka'))).toEqual(['kafka', 'single']);
  });

  it('adds the groups a named group uses (seed for rebuild and list)', () => {
    expect(names(selectGroups(groups, 'rebuild'))).toEqual(['seed', 'rebuild']);
    expect(names(selectGroups(groups, 'list,rebuild'))).toEqual(['seed', 'rebuild', 'list']);
  });

  it('accepts every discovered group on its own', () => {
    for (const g of groups) expect(names(selectGroups(groups, g.name))).toContain(g.name);
  });

  it('refuses an unknown group, listing the groups there are', () => {
    expect(() => selectGroups(groups, 'kafka,nope')).toThrow(
      `BENCH_ONLY: unknown group nope; the groups (bench/groups/) are: ${names(groups).join(', ')}`,
    );
  });
});

describe('bench groups: settings and ports', () => {
  const groups = discoverGroups();

  it('reads the shared settings and every group’s own, with the quick defaults under BENCH_QUICK=1', () => {
    const full = loadSettings({}, groups);
    expect(full).toMatchObject({
      quick: false,
      seconds: 10,
      levels: [1, 8, 32],
      tenantSize: 100_000,
      bulks: 10,
      catchupMaxS: 120,
      patchConnections: 32,
      patchPerConnection: 8,
    });
    const quick = loadSettings({ BENCH_QUICK: '1', BENCH_BULKS: '7', BENCH_ONLY: 'bulk' }, groups);
    expect(quick).toMatchObject({
      quick: true,
      seconds: 3,
      levels: [1, 8],
      tenantSize: 5_000,
      bulks: 7,
      catchupMaxS: 60,
      patchConnections: 32,
      only: ['bulk'],
    });
    expect(() => loadSettings({ BENCH_LAG_RATE: '0' }, groups)).toThrow(
      'BENCH_LAG_RATE must be a positive number',
    );
    expect(() => loadSettings({ BENCH_CONNECTIONS: '1,x' }, groups)).toThrow('BENCH_CONNECTIONS');
    for (const g of groups)
      for (const s of Object.values(g.settings ?? {})) expect(RESERVED.envs).not.toContain(s.env);
  });

  it('numbers the ports stack first, then each group’s in run order (BENCH_PORT_BASE offsets)', () => {
    const ports = portNames(groups);
    expect(ports.slice(0, STACK_PORTS.length)).toEqual(STACK_PORTS);
    expect(new Set(ports).size).toBe(ports.length);
    expect(ports).toEqual(expect.arrayContaining(['hello', 'profGateway', 'profCommand']));
  });
});
