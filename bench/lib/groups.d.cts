// Types of bench/lib/groups.cjs and of the group contract every bench/groups/<name>.cjs exports
// (checked at run time by problemsOf/setProblems; described in bench/README.md).

/** A numeric BENCH_* setting a group brings with it: `cfg[key]`, default `full` (`quick` with BENCH_QUICK=1). */
export interface SettingSpec {
  env: string;
  full: number;
  quick: number;
}

export interface Tenant {
  companyId: number;
  userId: number;
  /** A user-scope bearer token for this tenant, signed with the run's secret. */
  token: string;
}

export interface ServiceHandle {
  name: string;
  url: string;
  port: number;
  pid: number;
  exited: boolean;
}

/** The services under test (bench/lib/stack.cjs), started once per run when a selected group needs them. */
export interface Stack {
  services: {
    gateway: ServiceHandle;
    command: ServiceHandle;
    query: ServiceHandle;
    projection: ServiceHandle;
  };
  /** Pids of the services and the local servers, for withCpu(); current after a revive. */
  pids: Record<string, number>;
  /** AUTH_JWT_SECRET, KAFKA_BROKERS, MONGO_URL, REDIS_URL of the run: for extra processes a group starts. */
  commonEnv: Record<string, string>;
  gatewayEnv(commandPort: number): Record<string, string>;
}

/** A figure as the report renders it (bench/lib/report.cjs); `phase` is filled in by ctx.figure(). */
export interface Figure {
  figure: string;
  value: number | string | null;
  unit: string;
  p50_ms?: number | null;
  p99_ms?: number | null;
  conditions?: Record<string, unknown>;
  raw?: { figure: string; value: number | string | null; unit: string; [key: string]: unknown } | null;
  ratio?: number | null;
  raw_also?: { figure: string; value: number | string | null; unit: string; ratio?: number | null }[];
  cpu?: Record<string, number>;
  reproduce?: string;
  [key: string]: unknown;
}

/** What run(ctx) gets. */
export interface BenchContext {
  /** Every setting: the shared ones (seconds, levels, rawCount, rawMs, listMaxMs, listSamples, quick, profile, ...) and every group's own. */
  cfg: Record<string, unknown> & { seconds: number; quick: boolean };
  env: NodeJS.ProcessEnv;
  /** This group's name. */
  group: string;
  log(message: string): void;
  /** Adds a figure to the report, reported under the group's name (or reportAs). */
  figure(entry: Figure): void;
  /** Records a figure that was not measured, and why ("not available: ...", "skipped: ..."). */
  skip(figure: string, reason: string): void;
  /** `BENCH_ONLY=<group> [BENCH_QUICK=1] [each given var=value] npm run bench`. */
  reproduce(vars: string[]): string;
  /** Seconds left of BENCH_BUDGET_S, and the epoch ms it ends at. */
  remainingS(): number;
  deadline: number;
  /** Seconds the selected groups after this one estimate: what a long wait should leave them. */
  reserveS(): number;
  /** Ports by name: gateway, command, query, projection, and each group's `ports`. */
  ports: Record<string, number>;
  runId: string;
  /** bench/results/run/<run>/: logs and profiles of this run (git-ignored). */
  runDir: string;
  logFile(name: string): string;
  secret: string;
  /** The run's own contacts topic and databases (dropped at the end; topics starting with `topic` too). */
  topic: string;
  db: { command: string; read: string; raw: string };
  brokers: string[];
  mongoUrl: string;
  redisUrl: string;
  infraDir: string;
  /** The tenant of that name for this run (created on first use; the same name gives the same tenant). */
  tenant(name: string): Promise<Tenant>;
  /** The started services (null unless a selected group has needs.stack), revived before each group. */
  stack: Stack | null;
  /** Whether contacts-query serves lists (checked once after the stack starts). */
  readSide: { ok: boolean; reason?: string };
  /** The results being built: `raw` holds raw limits later groups compare with; also `seed`, `profiles`. */
  results: { raw: Record<string, unknown>; [key: string]: unknown };
  /** What earlier groups' run() returned, by group name (e.g. outputs.seed). */
  outputs: Record<string, unknown>;
}

/** What bench/groups/<name>.cjs exports. */
export interface BenchGroup {
  /** The file name without .cjs; the BENCH_ONLY value. */
  name: string;
  /** One line: what it measures and against which raw limit. */
  title: string;
  /** Run order (unique; the built-in groups use steps of 10). */
  order: number;
  /** Name its figures, skips and reproduce line carry instead of `name` (seed reports as list). */
  reportAs?: string;
  needs?: { stack?: boolean };
  /** Groups whose outputs it reads: selected with it, and run before it (lower order). */
  uses?: string[];
  /** Extra ports it needs, by name (ctx.ports[name]); unique across groups. */
  ports?: string[];
  settings?: Record<string, SettingSpec>;
  /** Seconds it needs at most with these settings: it is skipped when less of the budget is left. */
  estimateS(cfg: BenchContext['cfg']): number;
  run(ctx: BenchContext): Promise<unknown>;
}

export const GROUPS_DIR: string;
export const STACK_PORTS: string[];
export function problemsOf(group: unknown, file: string): string[];
export function setProblems(groups: BenchGroup[], reserved?: { keys: string[]; envs: string[] }): string[];
export function discoverGroups(
  dir?: string,
  options?: { reserved?: { keys: string[]; envs: string[] }; load?: (file: string) => unknown },
): BenchGroup[];
export function selectGroups(groups: BenchGroup[], only: string | undefined | null): BenchGroup[];
export function portNames(groups: BenchGroup[]): string[];
