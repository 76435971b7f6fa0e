import { spawn, type ChildProcess } from 'node:child_process';
import { createECDH, randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Principal } from '@reps/auth';
import { createKafkaEventBus } from '@reps/kafka';
import { connectMongo } from '@reps/mongo';
import { freePort, resolveTestEnv, uniqueName, waitFor, type TestEnv } from '@reps/testing';
import { startGatewayUnderTest, TEST_SECRET, type GatewayUnderTest } from '../testing/gateway.spec-helper';

const REPO_ROOT = resolve(__dirname, '../../../..');
const BASE = '/api/user/crm/v202506';

/** The notifier as a real process from its build, isolated by its own topics, queues and database. */
async function spawnNotifier(
  env: TestEnv,
  names: { db: string; prefix: string; topics: string[] },
): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  const main = join(REPO_ROOT, 'apps', 'notifier', 'dist', 'main.js');
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
      REDIS_URL: env.redisUrl,
      MONGO_URL: env.mongoUrl,
      MONGO_DB: names.db,
      QUEUE_PREFIX: names.prefix,
      NOTIFIER_GROUP_ID: uniqueName('gw-notifier'),
      SMARTLINKS_TOPIC: names.topics[0]!,
      TASKS_TOPIC: names.topics[1]!,
      CONTACTS_TOPIC: names.topics[2]!,
      TOPIC_PARTITIONS: '1',
      NOTIFIER_DATA_DIR: join('/tmp', names.db),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (child.exitCode !== null)
        throw new Error(`notifier exited with ${child.exitCode}: ${output.join('').slice(-2000)}`);
      return (await fetch(`${url}/readyz`)).status === 200;
    },
    { timeoutMs: 60_000, intervalMs: 200, what: 'the notifier to be ready' },
  );
  return {
    url,
    child,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

const browserSubscription = (endpoint: string) => {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return {
    endpoint,
    expirationTime: null,
    keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') },
  };
};

describe('gateway → notifier: push subscriptions and notification settings', () => {
  let env: TestEnv;
  let notifier: Awaited<ReturnType<typeof spawnNotifier>>;
  let gw: GatewayUnderTest;
  const names = {
    db: uniqueName('gw_nt').replace(/-/g, '_'),
    prefix: uniqueName('gwnt').replace(/-/g, '_'),
    topics: ['sl', 'tk', 'ct'].map((t) => uniqueName(`crm.${t}.gw`)),
  };
  const repA: Principal = { scope: 'user', companyId: 4, userId: 41 };
  const repB: Principal = { scope: 'user', companyId: 4, userId: 42 };
  const company: Principal = { scope: 'company', companyId: 4 };

  beforeAll(async () => {
    env = await resolveTestEnv();
    // The production posture for endpoints (PUSH_ALLOW_INSECURE_ENDPOINTS unset = false).
    notifier = await spawnNotifier(env, names);
    gw = await startGatewayUnderTest(env, { NOTIFIER_URL: notifier.url, UPSTREAM_RETRY_AFTER_S: '7' });
  }, 90_000);

  afterAll(async () => {
    await gw?.close();
    await notifier?.stop();
    const mongo = await connectMongo({ url: env.mongoUrl, dbName: names.db, appName: 'gw-test' });
    await mongo.db.dropDatabase().catch(() => undefined);
    await mongo.close();
    const bus = createKafkaEventBus({ brokers: env.kafkaBrokers, clientId: uniqueName('gw-test') });
    const admin = await bus.admin();
    await admin.deleteTopics(names.topics).catch(() => undefined);
    await bus.close();
    rmSync(join('/tmp', names.db), { recursive: true, force: true });
    await env?.close();
  });

  it('answers 403 to a company token on every push route, before reaching the notifier', async () => {
    for (const [method, path] of [
      ['GET', '/push_subscriptions'],
      ['POST', '/push_subscriptions'],
      ['DELETE', '/push_subscriptions/1'],
      ['GET', '/push_subscriptions/vapid_public_key'],
      ['GET', '/notification_settings'],
      ['PUT', '/notification_settings'],
    ] as const) {
      const res = await gw.request(
        company,
        method,
        `${BASE}${path}`,
        method === 'POST' || method === 'PUT' ? {} : undefined,
      );
      expect([method, path, res.status]).toEqual([method, path, 403]);
    }
  });

  it('refuses an http://127.0.0.1 endpoint with 422 (insecure endpoints off), and checks bodies and ids at the edge', async () => {
    const local = await gw.request(
      repA,
      'POST',
      `${BASE}/push_subscriptions`,
      browserSubscription('http://127.0.0.1:9/push/x'),
    );
    expect(local.status).toBe(422);
    expect(((await local.json()) as { error: { details: { field: string }[] } }).error.details).toEqual([
      expect.objectContaining({ field: 'endpoint' }),
    ]);
    const unknown = await gw.request(repA, 'POST', `${BASE}/push_subscriptions`, {
      ...browserSubscription('https://8.8.8.8/p'),
      user_id: 42,
    });
    expect(unknown.status).toBe(422);
    expect((await gw.request(repA, 'DELETE', `${BASE}/push_subscriptions/abc`)).status).toBe(404);
    expect((await gw.request(repA, 'PATCH', `${BASE}/push_subscriptions/1`)).status).toBe(405);
  });

  it("lets a rep manage only their own subscriptions: B cannot list or delete A's", async () => {
    const created = await gw.request(repA, 'POST', `${BASE}/push_subscriptions`, {
      push_subscription: { ...browserSubscription('https://8.8.8.8/p/1'), label: 'Phone' },
    });
    expect(created.status).toBe(201);
    const { id } = ((await created.json()) as { push_subscription: { id: number } }).push_subscription;
    const listB = (await (await gw.request(repB, 'GET', `${BASE}/push_subscriptions`)).json()) as {
      push_subscriptions: unknown[];
    };
    expect(listB.push_subscriptions).toEqual([]);
    expect((await gw.request(repB, 'DELETE', `${BASE}/push_subscriptions/${id}`)).status).toBe(404);
    const listA = (await (await gw.request(repA, 'GET', `${BASE}/push_subscriptions`)).json()) as {
      push_subscriptions: { id: number; label: string }[];
    };
    expect(listA.push_subscriptions).toEqual([expect.objectContaining({ id, label: 'Phone' })]);
    expect((await gw.request(repA, 'DELETE', `${BASE}/push_subscriptions/${id}`)).status).toBe(204);
  });

  it('serves the VAPID key and the settings, and answers 503 with Retry-After when the notifier is down', async () => {
    const key = await gw.request(repA, 'GET', `${BASE}/push_subscriptions/vapid_public_key`);
    expect(key.status).toBe(200);
    expect(((await key.json()) as { vapid_public_key: string }).vapid_public_key).toMatch(
      /^[A-Za-z0-9_-]{87}$/,
    );
    const put = await gw.request(repA, 'PUT', `${BASE}/notification_settings`, {
      quiet_hours: { start: '22:00', end: '06:00' },
      time_zone: 'Europe/Paris',
    });
    expect(put.status).toBe(200);
    expect(((await put.json()) as { notification_settings: object }).notification_settings).toMatchObject({
      time_zone: 'Europe/Paris',
    });
    expect((await gw.request(repA, 'GET', `${BASE}/push_subscriptions?cursor=x`)).status).toBe(400);

    await notifier.stop();
    const down = await gw.request(repA, 'GET', `${BASE}/notification_settings`);
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('7');
    // Contacts do not depend on the notifier: the gateway stays ready without it.
    expect(
      ((await (await fetch(`${gw.base}/readyz`)).json()) as { unavailable?: string[] }).unavailable ?? [],
    ).not.toContain('notifier');
  });
});
