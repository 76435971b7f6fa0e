import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runChaos, type ChaosResult } from './lib/chaos.cjs';

const ROOT = join(__dirname, '..');
const BUILT = ['gateway', 'contacts-command', 'contacts-projection', 'contacts-query'].map((app) =>
  join(ROOT, 'apps', app, 'dist', 'main.js'),
);

/**
 * `npm run chaos` in small: its own private Kafka / FerretDB / Redis (never the shared ones) and
 * every app, a client load through the gateway, one app SIGKILLed and one server restarted, and
 * the same verdicts as the full run. About 90 s; the full suite is `npm run chaos`.
 */
describe('chaos smoke: contacts-command SIGKILLed and FerretDB restarted under load', () => {
  const runDir = mkdtempSync(join(tmpdir(), 'reps-chaos-smoke-'));
  let result: ChaosResult;

  beforeAll(async () => {
    for (const file of BUILT)
      if (!existsSync(file)) throw new Error(`${file} is missing: run "npm run build" first (npm test does)`);
    result = await runChaos({
      runDir,
      // The FerretDB restart is the one that left contacts-command without a connection for good
      // (libs/mongo stalled-write-guard); a Kafka restart's recovery (the clients' backoff) alone
      // would take half of the smoke's 90 s.
      faults: 'kill-contacts-command,restart-mongo',
      rate: 10,
      bulkEvery: 40,
      warmupMs: 2000,
      // A create cut off by the kill waits out its key's 30 s takeover; the smoke does not wait for it.
      maxOpMs: 20_000,
      holdMs: 3000,
      steadyMs: 500,
      pushQuietMs: 3000,
      budgetS: 200,
      reserveS: 60,
      log: (message: string) => process.stdout.write(`chaos smoke: ${message}\n`),
    });
  }, 300_000);

  afterAll(() => {
    // Logs stay for a failed run (the failure message names the directory).
    if (result?.ok) rmSync(runDir, { recursive: true, force: true });
  });

  it('ran both faults and accounts for every acknowledged write', () => {
    const context = `logs in ${runDir}; ${JSON.stringify({ incidents: result.incidents, skipped: result.skipped, failed: result.verdicts.filter((v) => !v.ok) }, null, 1)}`;
    expect({ faults: result.faults.map((f) => f.id), context }).toEqual({
      faults: ['baseline', 'kill-contacts-command', 'restart-mongo', 'end'],
      context,
    });
    expect({ failed: result.verdicts.filter((v) => !v.ok), incidents: result.incidents, context }).toEqual({
      failed: [],
      incidents: [],
      context,
    });
    for (const row of result.rows) {
      expect(row).toMatchObject({ lost: 0, duplicated: 0, unexpected5xx: 0, hung: 0 });
      expect(row.acknowledged).toBeGreaterThan(0);
    }
    expect(result.ok).toBe(true);
  });
});
