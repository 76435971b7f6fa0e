// Types of chaos/lib/chaos.cjs (one chaos run: private servers, stack, load, faults, checks).
import type { CheckResult } from './checker.cjs';

export interface ChaosOptions {
  runDir: string;
  log?: (message: string) => void;
  /** Where the shared Kafka jars and FerretDB binary are (default <repo>/.infra). */
  cacheDir?: string;
  /** Comma-separated fault ids; empty runs them all. */
  faults?: string;
  rate?: number;
  maxInFlight?: number;
  bulkEvery?: number;
  bulkSize?: number;
  readEveryMs?: number;
  holdMs?: number;
  stallHoldMs?: number;
  warmupMs?: number;
  steadyMs?: number;
  maxOpMs?: number;
  budgetS?: number;
  reserveS?: number;
  smartlinksMax?: number;
  pushQuietMs?: number;
  pushSettleMaxMs?: number;
  registerCleanup?: (cleanup: () => void) => void;
}

export interface ChaosResult extends CheckResult {
  faults: {
    id: string;
    name: string;
    start: number;
    healStart?: number;
    recoveredAt?: number;
    error?: string;
    note?: string;
  }[];
  skipped: { id: string; name: string; reason: string }[];
  incidents: string[];
  elapsedS: number;
}

export const DEFAULTS: Required<Omit<ChaosOptions, 'runDir' | 'log' | 'cacheDir' | 'registerCleanup'>>;
export function runChaos(options: ChaosOptions): Promise<ChaosResult>;
