// Types of bench/lib/targets.cjs.
export interface TargetCheck {
  target: string;
  measured: number | null;
  unit: string;
  met: boolean;
}
export const WRITE_TARGETS: {
  createRatioC32: number;
  createP99MsC32: number;
  cpuPerCreateMs: number;
  bulkRatio: number;
};
export function check(
  what: string,
  measured: number | null | undefined,
  op: '≥' | '≤',
  limit: number,
  unit?: string,
): TargetCheck;
