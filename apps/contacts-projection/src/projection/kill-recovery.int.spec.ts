import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ContactEvent } from '@reps/contracts';
import { contactStream, INITIAL_GENERATION, type ContactReadDoc } from '@reps/contacts-read-model';
import type { TopicAdmin } from '@reps/kafka';
import { freePort, resolveTestEnv, waitFor, type TestEnv } from '@reps/testing';
import { groupIdOf } from '../config';
import { projectionUnderTest, type ProjectionUnderTest } from '../testing/projection.spec-helper';

const MAIN = join(__dirname, '..', '..', 'dist', 'main.js');
const TENANT = 11;
const CONTACTS = 1000;
const KILLS = 10;

/**
 * 10,000 events: 1,000 contacts with ten events each (updates, discard and restore, and
 * reassignments for the company-visible half). A contact's events spread over a couple of
 * publishes, so batches mix inserts with guarded replaces of documents written earlier.
 * Sized for FerretDB, where each replace costs a scan of the collection (see docs/read-side.md).
 */
function eventsToStream(): { events: ContactEvent[]; finalVersions: Map<string, number> } {
  const slotted: { slot: number; event: ContactEvent }[] = [];
  const finalVersions = new Map<string, number>();
  for (let k = 0; k < CONTACTS; k++) {
    const visible = k % 2 === 1;
    const s = contactStream({ contactId: 1 + k, tenant: TENANT, owner: 1 + (k % 5), origin: visible ? 'company_api' : 'user_app' });
    const move = (to: number) => (visible ? s.reassigned(to) : s.updated({ reason: `moved ${to}` }));
    const events = [
      s.created({ first_name: `Kill${k}`, last_name: `Test${k % 97}` }),
      s.updated({ city: `City${k % 13}` }),
      s.updated({ status: 'lead' }),
      move(6 + (k % 4)),
      s.discarded(),
      s.restored(),
      s.updated({ lead_type: 'warm' }),
      move(1 + (k % 3)),
      s.updated({ last_name: `Final${k}` }),
      k % 3 === 0 ? s.discarded() : s.updated({ status: 'customer' }),
    ];
    events.forEach((event, j) => slotted.push({ slot: 10 * k + 30 * j, event }));
    finalVersions.set(`${TENANT}:${1 + k}`, s.version);
  }
  slotted.sort((a, b) => a.slot - b.slot);
  return { events: slotted.map((s) => s.event), finalVersions };
}

describe('the projection SIGKILLed 10 times while 10,000 events stream in', () => {
  let env: TestEnv;
  let p: ProjectionUnderTest;
  let admin: TopicAdmin;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "npm run build" first (npm test does)`);
    env = await resolveTestEnv();
    p = await projectionUnderTest(env, 3);
    admin = await p.bus.admin();
  });

  afterAll(async () => {
    child?.kill('SIGKILL');
    await admin?.close();
    await p?.close();
    await env?.close();
  });

  // The processes' logs, shown when the test fails.
  const logFile = join(tmpdir(), `kill-recovery-${process.pid}.log`);
  const logTail = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-40).join('\n') : '');

  const groupId = () => groupIdOf(p.env['PROJECTION_GROUP_ID']!, INITIAL_GENERATION);
  const committed = async () => (await admin.groupLag(groupId(), p.topic)).reduce((sum, part) => sum + part.committed, 0);

  async function startProcess(): Promise<ChildProcess> {
    const port = await freePort();
    const log = openSync(logFile, 'a');
    const proc = spawn(process.execPath, [MAIN], {
      env: { ...process.env, ...p.env, PORT: String(port), PROJECTION_SESSION_TIMEOUT_MS: '6000', LOG_LEVEL: 'info' },
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    await waitFor(
      async () => {
        if (proc.exitCode !== null) throw new Error(`contacts-projection exited with ${proc.exitCode}`);
        return (await fetch(`http://127.0.0.1:${port}/readyz`)).ok;
      },
      { what: 'contacts-projection ready', timeoutMs: 60_000 },
    );
    return proc;
  }

  it('ends with read models equal to a fresh rebuild, document for document', async () => {
    const { events, finalVersions } = eventsToStream();
    expect(events).toHaveLength(10_000);
    let published = 0;
    const publishing = (async () => {
      for (let i = 0; i < events.length; i += 250) {
        await p.publish(events.slice(i, i + 250));
        published = Math.min(events.length, i + 250);
        // Spread over ~80 s, so the ten kills land while events are still coming in.
        await new Promise((resolve) => setTimeout(resolve, 2000));
      }
    })();

    let kills = 0;
    child = await startProcess();
    while (kills < KILLS) {
      // Kill only once this incarnation has stored and committed something: every kill interrupts real work.
      const before = await committed();
      await waitFor(async () => (await committed()) > before || before === 10_000, {
        what: 'progress before the next kill',
        timeoutMs: 60_000,
        intervalMs: 50,
      }).catch((error: unknown) => {
        throw new Error(`${String(error)}\n--- projection log ---\n${logTail()}`);
      });
      await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 300)));
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      kills++;
      const restartedAt = Date.now();
      child = await startProcess();
      process.stdout.write(`kill-recovery: kill ${kills} at ${published} published / ${await committed()} committed; ready again in ${Date.now() - restartedAt} ms\n`);
    }
    await publishing;
    expect(published).toBe(10_000);
    await waitFor(async () => (await committed()) === 10_000, { what: 'all 10,000 events committed', timeoutMs: 240_000, intervalMs: 500 });
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    child = undefined;

    const live = p.catalog.collections(INITIAL_GENERATION);
    const byId = (docs: ContactReadDoc[]) => docs.sort((a, b) => a._id.localeCompare(b._id));
    const liveUser = byId(await live.user.find({}).toArray());
    const liveCompany = byId(await live.company.find({}).toArray());
    expect(liveUser).toHaveLength(CONTACTS);
    expect(liveCompany).toHaveLength(CONTACTS / 2);
    for (const doc of liveUser) expect(doc._v).toBe(finalVersions.get(doc._id));

    const report = await p.rebuild({ dropOldAfterMs: null });
    process.stdout.write(`kill-recovery: rebuild of 10,000 events took ${report.seconds} s (${report.messagesPerSecond} events/s)\n`);
    const fresh = p.catalog.collections(report.to);
    expect(byId(await fresh.user.find({}).toArray())).toEqual(liveUser);
    expect(byId(await fresh.company.find({}).toArray())).toEqual(liveCompany);
  }, 600_000);
});
