// Types of bench/lib/settings.cjs.
import type { BenchGroup, SettingSpec } from './groups.cjs';

export const SHARED: Record<string, SettingSpec>;
export const RESERVED: { keys: string[]; envs: string[] };
export function loadSettings(
  env: Record<string, string | undefined>,
  groups: BenchGroup[],
): Record<string, unknown> & { quick: boolean; levels: number[]; only: string[] | null };
