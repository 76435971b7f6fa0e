import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { mintToken } from '@reps/auth';
import { createKafkaEventBus, type EventBus } from '@reps/kafka';
import { connectMongo, type MongoHandle } from '@reps/mongo';
import { freePort, resolveTestEnv, waitFor, type TestEnv } from '@reps/testing';
import { isolatedSettings, readTopic, TEST_SECRET } from '../testing/command-service.spec-helper';
import { storedEvents } from './mongo-event-store';

const MAIN = join(__dirname, '..', '..', 'dist', 'main.js');

describe('an event stored right before a crash is published after the restart', () => {
  let env: TestEnv;
  let mongo: MongoHandle;
  let bus: EventBus;
  let child: ChildProcess | undefined;
  const settings = { dbName: '', topic: '', env: {} as Record<string, string> };

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "npm run build" first (npm test does)`);
    env = await resolveTestEnv();
    Object.assign(settings, isolatedSettings(env));
    mongo = await connectMongo({ url: env.mongoUrl, dbName: settings.dbName, appName: 'test' });
    bus = createKafkaEventBus({ brokers: env.kafkaBrokers, clientId: 'crash-test' });
  });

  afterAll(async () => {
    child?.kill('SIGKILL');
    await mongo?.db.dropDatabase().catch(() => undefined);
    await mongo?.close();
    const admin = await bus?.admin();
    await admin?.deleteTopics([settings.topic]).catch(() => undefined);
    await bus?.close();
    await env?.close();
  });

  async function startProcess(port: number, extra: Record<string, string>): Promise<ChildProcess> {
    const proc = spawn(process.execPath, [MAIN], {
      env: { ...process.env, ...settings.env, PORT: String(port), MONGO_DB: settings.dbName, CONTACTS_TOPIC: settings.topic, ...extra },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    await waitFor(
      async () => {
        if (proc.exitCode !== null) throw new Error(`contacts-command exited with ${proc.exitCode}`);
        return (await fetch(`http://127.0.0.1:${port}/readyz`)).ok;
      },
      { what: 'contacts-command ready', timeoutMs: 30_000 },
    );
    return proc;
  }

  it('SIGKILL between store and publish, restart, and the event is on Kafka', async () => {
    const port = await freePort();
    child = await startProcess(port, { FAULT_INJECTION: 'crash_after_store' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child!.once('exit', (_code, signal) => resolve(signal)));

    const token = await mintToken(TEST_SECRET, { scope: 'user', userId: 42, companyId: 7 });
    const attempt = await fetch(`http://127.0.0.1:${port}/api/user/crm/v202506/contacts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ first_name: 'Survivor' }),
    }).then(
      (res) => `answered ${res.status}`,
      (error: unknown) => `failed: ${String(error)}`,
    );
    expect(attempt).toMatch(/^failed/); // the connection died with the process
    expect(await exited).toBe('SIGKILL');

    // Stored, and still in the outbox: not published.
    const commits = mongo.db.collection<{ _id: string; flush: string; events_json?: string }>('contact_commits');
    const outbox = mongo.db.collection<{ _id: string }>('contact_outbox');
    const stored = await commits.find({}).toArray();
    expect(stored).toHaveLength(1);
    // Its flush's outbox document, which lists it, is still there.
    expect(await outbox.countDocuments({ _id: stored[0]!.flush })).toBe(1);
    const contactId = storedEvents<{ aggregate_id: number }>(stored[0]!)[0]!.aggregate_id;

    child = await startProcess(port, {});
    const events = await readTopic(bus, settings.topic, 1, (seen) => seen.some((e) => e.aggregate_id === contactId));
    expect(events.filter((e) => e.aggregate_id === contactId).map((e) => e.type)).toEqual(['contact.created']);
    await waitFor(async () => (await outbox.countDocuments({})) === 0, { what: 'outbox emptied' });

    child.kill('SIGTERM');
    await new Promise((resolve) => child!.once('exit', resolve));
    child = undefined;
  });
});
