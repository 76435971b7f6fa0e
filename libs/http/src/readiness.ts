/** A dependency probe: resolves when the dependency answers, rejects (or times out) when not. */
export interface ReadinessCheck {
  name: string;
  check: () => Promise<unknown>;
}

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, 'up' | string>;
  unavailable: string[];
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Runs every check concurrently, each bounded, so one hung dependency can't hang `/readyz`. */
export async function runReadinessChecks(checks: ReadinessCheck[], timeoutMs = 2000): Promise<ReadinessReport> {
  const results = await Promise.all(
    checks.map(async ({ name, check }) => {
      try {
        await withTimeout(check(), timeoutMs);
        return [name, 'up'] as const;
      } catch (error) {
        return [name, `down: ${error instanceof Error ? error.message : String(error)}`] as const;
      }
    }),
  );
  const unavailable = results.filter(([, state]) => state !== 'up').map(([name]) => name);
  return { ready: unavailable.length === 0, checks: Object.fromEntries(results), unavailable };
}
