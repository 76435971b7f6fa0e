import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { connectMongo } from '@reps/mongo';
import {
  freePort,
  requestAs,
  resolveTestEnv,
  uniqueName,
  waitFor,
  type RequestAs,
  type TestEnv,
} from '@reps/testing';
import { startTestPushService, type TestPushService } from '../testing/push-service.spec-helper';
import {
  cleanUp,
  isolatedSettings,
  rep,
  startNotifierUnderTest,
  TEST_SECRET,
  type NotifierSettings,
  type NotifierUnderTest,
} from '../testing/notifier.spec-helper';

const REPO_ROOT = resolve(__dirname, '../../../..');
const USER = '/api/user/crm/v202506';
const BROWSER =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36';

/** contacts-command as a real process from its build: the producer of crm.contacts.v1, crm.smartlinks.v1 and crm.tasks.v1. */
async function spawnCommand(
  env: TestEnv,
  settings: NotifierSettings,
  dbName: string,
): Promise<{ url: string; child: ChildProcess; output: string[] }> {
  const main = join(REPO_ROOT, 'apps', 'contacts-command', 'dist', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: build first (npx tsc -b tsconfig.json)`);
  const port = await freePort();
  const output: string[] = [];
  const child = spawn(process.execPath, [main], {
    env: {
      PATH: process.env['PATH'] ?? '',
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(port),
      AUTH_JWT_SECRET: TEST_SECRET,
      KAFKA_BROKERS: env.kafkaBrokers.join(','),
      MONGO_URL: env.mongoUrl,
      MONGO_DB: dbName,
      CONTACTS_TOPIC: settings.topics.contacts,
      SMARTLINKS_TOPIC: settings.topics.smartlinks,
      TASKS_TOPIC: settings.topics.tasks,
      GROUPS_TOPIC: `${settings.topics.contacts}.groups`,
      NOTES_TOPIC: `${settings.topics.contacts}.notes`,
      CONTACTS_TOPIC_PARTITIONS: '2',
      SMARTLINKS_TOPIC_PARTITIONS: '2',
      TASKS_TOPIC_PARTITIONS: '2',
      GROUPS_TOPIC_PARTITIONS: '1',
      NOTES_TOPIC_PARTITIONS: '1',
      OUTBOX_RELAY_INTERVAL_MS: '200',
      SMARTLINK_DEFAULT_ALLOWED_HOSTS: 'shop.example.com',
      PUBLIC_BASE_URL: 'https://links.example.com',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (child.exitCode !== null)
        throw new Error(`contacts-command exited with ${child.exitCode}: ${output.join('').slice(-2000)}`);
      return (await fetch(`${url}/readyz`)).status === 200;
    },
    { timeoutMs: 60_000, intervalMs: 200, what: 'contacts-command to be ready' },
  );
  return { url, child, output };
}

/**
 * The notifier against the real producers: contacts, SmartLinks and tasks written through
 * contacts-command's API (and the public SmartLink routes), their events published by its outbox
 * relay, and the pushes decrypted at the local push service.
 */
describe('notifier with the real producers (contacts-command) end to end', () => {
  let env: TestEnv;
  let settings: NotifierSettings;
  let notifier: NotifierUnderTest;
  let push: TestPushService;
  let command: Awaited<ReturnType<typeof spawnCommand>>;
  let api: RequestAs;
  const commandDb = uniqueName('nt_cmd').replace(/-/g, '_');
  const jane = rep(11, 111);

  beforeAll(async () => {
    env = await resolveTestEnv();
    settings = isolatedSettings();
    push = await startTestPushService();
    command = await spawnCommand(env, settings, commandDb);
    api = requestAs(command.url, TEST_SECRET);
    notifier = await startNotifierUnderTest(env, settings);
    const res = await notifier.request(
      jane,
      'POST',
      `${USER}/push_subscriptions`,
      push.device('janes-phone').subscription,
    );
    expect(res.status).toBe(201);
  }, 120_000);

  afterAll(async () => {
    await notifier?.stop();
    if (command && command.child.exitCode === null) {
      const exited = new Promise((done) => command.child.once('exit', done));
      command.child.kill('SIGTERM');
      await exited;
    }
    await push?.close();
    if (env && settings) {
      await cleanUp(env, settings);
      const mongo = await connectMongo({ url: env.mongoUrl, dbName: commandDb, appName: 'notifier-test' });
      await mongo.db.dropDatabase().catch(() => undefined);
      await mongo.close();
    }
    await env?.close();
  });

  const pushes = () => push.received.filter((received) => received.device === 'janes-phone');
  const json = async <T>(res: Response, status: number): Promise<T> => {
    if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${await res.text()}`);
    return (await res.json()) as T;
  };

  it('pushes what a contact does with a SmartLink, naming the contact and the item', async () => {
    const { contact } = await json<{ contact: { id: number } }>(
      await api(jane, 'POST', `${USER}/contacts`, {
        first_name: 'Jane',
        last_name: 'Smith',
        email: 'jane@example.com',
      }),
      201,
    );
    const { smartlink } = await json<{ smartlink: { token: string } }>(
      await api(jane, 'POST', `${USER}/smartlinks`, {
        contact_id: contact.id,
        shareable_type: 'product',
        shareable_id: 'collagen-boost',
        shareable_name: 'Collagen Boost',
        url: 'https://shop.example.com/p/collagen-boost',
      }),
      201,
    );
    await sleep(1500); // the contact-name projection reads crm.contacts.v1

    const opened = await fetch(`${command.url}/l/${smartlink.token}`, {
      redirect: 'manual',
      headers: { 'user-agent': BROWSER },
    });
    expect(opened.status).toBe(302);
    await waitFor(() => pushes().length === 1, { what: 'the push about the open' });
    expect(pushes()[0]!.payload).toMatchObject({
      body: 'Jane Smith opened Collagen Boost',
      contact_id: contact.id,
      kind: 'smartlink_activity',
    });

    for (const item of ['Collagen Boost', 'Vitamin C', 'Omega 3']) {
      const beacon = await fetch(`${command.url}/api/public/smartlinks/${smartlink.token}/activities`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'viewed', item: { type: 'product', id: item, name: item } }),
      });
      expect(beacon.status).toBe(202);
    }
    await waitFor(() => pushes().length === 2, { what: 'the push about the burst' });
    await sleep(2000);
    expect(pushes()).toHaveLength(2);
    expect(pushes()[1]!.payload.body).toBe('Jane Smith viewed 3 items: Collagen Boost, Vitamin C, Omega 3');
    // The token is a capability: it never reaches the notifier, so never a push either.
    expect(JSON.stringify(pushes().map((received) => received.payload))).not.toContain(smartlink.token);
  });

  it('reminds at due_at, not for a task completed before, and at the new time for a rescheduled one', async () => {
    const before = pushes().length;
    const due = new Date(Date.now() + 4000);
    const task = async (body: string, dueAt: Date) =>
      (
        await json<{ task: { id: number } }>(
          await api(jane, 'POST', `${USER}/tasks`, { body, due_at: dueAt.toISOString() }),
          201,
        )
      ).task.id;
    await task('Call Jane back', due);
    const done = await task('Done early', due);
    const moved = await task('Moved task', due);
    await json(await api(jane, 'PATCH', `${USER}/tasks/${done}`, { completed: true }), 200);
    const movedTo = new Date(Date.now() + 6000);
    await json(await api(jane, 'PATCH', `${USER}/tasks/${moved}`, { due_at: movedTo.toISOString() }), 200);

    await waitFor(() => pushes().length >= before + 2, { what: 'two reminders', timeoutMs: 15_000 });
    await sleep(2000);
    const reminders = pushes().slice(before);
    expect(reminders.map((r) => r.payload.body)).toEqual(['Call Jane back', 'Moved task']);
    expect(Math.abs(reminders[0]!.at - due.getTime())).toBeLessThanOrEqual(1000);
    expect(Math.abs(reminders[1]!.at - movedTo.getTime())).toBeLessThanOrEqual(1000);
  });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
