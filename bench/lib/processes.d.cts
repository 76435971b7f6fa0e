// Types of the CPU accounting of bench/lib/processes.cjs that specs use.
export interface CpuSnapshot {
  at: number;
  machine: number | null;
  pids: Record<string, number | null>;
  self: { user: number; system: number };
}
export function cpuSnapshot(pids: Record<string, number>): CpuSnapshot;
export function cpuBetween(
  before: CpuSnapshot,
  after: CpuSnapshot,
): { ms: Record<string, number>; wallMs: number };
export function cpuMsOf(pid: number): number | null;
