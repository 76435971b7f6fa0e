import { mintToken } from '@reps/auth';
import { resolveTestEnv, type TestEnv } from '@reps/testing';
import {
  cleanUp,
  isolatedSettings,
  rep,
  startNotifierUnderTest,
  TEST_SECRET,
  type NotifierSettings,
  type NotifierUnderTest,
} from '../testing/notifier.spec-helper';
import { startTestPushService, type TestPushService } from '../testing/push-service.spec-helper';

const BASE = '/api/user/crm/v202506';
const ADMIN_TOKEN = 'admin-token-for-tests-0123456789';

describe('notifier HTTP API: push subscriptions, settings, VAPID key, queue dashboard', () => {
  let env: TestEnv;
  let settings: NotifierSettings;
  let notifier: NotifierUnderTest;
  let push: TestPushService;
  const repA = rep(3, 31);
  const repB = rep(3, 32);

  beforeAll(async () => {
    env = await resolveTestEnv();
    settings = isolatedSettings();
    push = await startTestPushService();
    // The production posture for endpoints: https only, public addresses only.
    notifier = await startNotifierUnderTest(env, settings, {
      PUSH_ALLOW_INSECURE_ENDPOINTS: 'false',
      ADMIN_TOKEN,
    });
  });

  afterAll(async () => {
    await notifier?.stop();
    await push?.close();
    if (env && settings) await cleanUp(env, settings);
    await env?.close();
  });

  const validKeys = () => push.device(`d-${Math.random()}`).subscription.keys;
  // A literal public address: no DNS needed, and the guard accepts it.
  const publicEndpoint = (n: number) => `https://8.8.4.${n}/push/abc`;

  it('refuses company tokens (403) and missing tokens (401)', async () => {
    for (const [method, path] of [
      ['GET', '/push_subscriptions'],
      ['POST', '/push_subscriptions'],
      ['DELETE', '/push_subscriptions/1'],
      ['GET', '/push_subscriptions/vapid_public_key'],
      ['GET', '/notification_settings'],
      ['PUT', '/notification_settings'],
    ] as const) {
      const company = await notifier.request(
        { scope: 'company', companyId: 3 },
        method,
        `${BASE}${path}`,
        method === 'POST' || method === 'PUT' ? {} : undefined,
      );
      expect([path, company.status]).toEqual([path, 403]);
      expect(((await company.json()) as { error: { code: string } }).error.code).toBe('forbidden');
      expect((await notifier.request(undefined, method, `${BASE}${path}`)).status).toBe(401);
    }
  });

  it('refuses an http://127.0.0.1 endpoint (422) and any private, loopback, link-local or metadata address', async () => {
    for (const endpoint of [
      'http://127.0.0.1/push/x',
      'https://127.0.0.1/push/x',
      'https://10.1.2.3/push/x',
      'https://192.168.0.5/push/x',
      'https://169.254.169.254/latest/meta-data',
      'https://[::1]/push/x',
      'https://[fd00:ec2::254]/push/x',
      'https://[::ffff:10.0.0.1]/push/x',
      'https://localhost/push/x',
    ]) {
      const res = await notifier.request(repA, 'POST', `${BASE}/push_subscriptions`, {
        endpoint,
        keys: validKeys(),
      });
      expect([endpoint, res.status]).toEqual([endpoint, 422]);
      const body = (await res.json()) as { error: { code: string; details: { field: string }[] } };
      expect(body.error.code).toBe('validation_failed');
      expect(body.error.details.map((detail) => detail.field)).toEqual(['endpoint']);
    }
  });

  it('validates the body strictly (unknown fields, bad keys) and accepts the wrapped form', async () => {
    const bad = await notifier.request(repA, 'POST', `${BASE}/push_subscriptions`, {
      endpoint: publicEndpoint(1),
      keys: { p256dh: 'x', auth: 'y' },
      owner: 9,
    });
    expect(bad.status).toBe(422);
    const fields = ((await bad.json()) as { error: { details: { field: string }[] } }).error.details
      .map((detail) => detail.field)
      .sort();
    expect(fields).toEqual(['keys.auth', 'keys.p256dh', 'owner']);
    const wrapped = await notifier.request(repA, 'POST', `${BASE}/push_subscriptions`, {
      push_subscription: {
        endpoint: publicEndpoint(2),
        expirationTime: null,
        keys: validKeys(),
        label: 'Laptop',
      },
    });
    expect(wrapped.status).toBe(201);
    expect(wrapped.headers.get('location')).toMatch(/\/push_subscriptions\/\d+$/);
    const created = ((await wrapped.json()) as { push_subscription: Record<string, unknown> })
      .push_subscription;
    expect(created).toEqual({
      id: expect.any(Number),
      endpoint: publicEndpoint(2),
      label: 'Laptop',
      expiration_time: null,
      created_at: expect.any(String),
    });
    expect(created).not.toHaveProperty('keys');
    // The same endpoint again refreshes the subscription instead of duplicating it.
    const again = await notifier.request(repA, 'POST', `${BASE}/push_subscriptions`, {
      endpoint: publicEndpoint(2),
      keys: validKeys(),
    });
    expect(again.status).toBe(200);
  });

  it("keeps reps apart: B cannot list or delete A's subscriptions", async () => {
    const created = await notifier.request(repA, 'POST', `${BASE}/push_subscriptions`, {
      endpoint: publicEndpoint(3),
      keys: validKeys(),
    });
    const { id } = ((await created.json()) as { push_subscription: { id: number } }).push_subscription;
    const listB = (await (await notifier.request(repB, 'GET', `${BASE}/push_subscriptions`)).json()) as {
      push_subscriptions: unknown[];
    };
    expect(listB.push_subscriptions).toEqual([]);
    expect((await notifier.request(repB, 'DELETE', `${BASE}/push_subscriptions/${id}`)).status).toBe(404);
    const listA = (await (await notifier.request(repA, 'GET', `${BASE}/push_subscriptions`)).json()) as {
      push_subscriptions: { id: number }[];
    };
    expect(listA.push_subscriptions.map((sub) => sub.id)).toContain(id);
    expect((await notifier.request(repA, 'DELETE', `${BASE}/push_subscriptions/${id}`)).status).toBe(204);
    expect((await notifier.request(repA, 'DELETE', `${BASE}/push_subscriptions/${id}`)).status).toBe(404);
  });

  it('holds at most 20 subscriptions per rep (409 beyond), counted once under concurrent subscribes', async () => {
    const me = rep(3, 33);
    const answers = await Promise.all(
      Array.from({ length: 22 }, (_, i) =>
        notifier.request(me, 'POST', `${BASE}/push_subscriptions`, {
          endpoint: `${publicEndpoint(10)}/${i}`,
          keys: validKeys(),
        }),
      ),
    );
    expect(answers.filter((res) => res.status === 201)).toHaveLength(20);
    expect(answers.filter((res) => res.status === 409)).toHaveLength(2);
    const list = (await (await notifier.request(me, 'GET', `${BASE}/push_subscriptions`)).json()) as {
      push_subscriptions: { id: number }[];
    };
    expect(new Set(list.push_subscriptions.map((sub) => sub.id)).size).toBe(20);
  });

  it('gives the VAPID public key and keeps notification settings (defaults, PUT replaces, 422 on bad values, 400 on query parameters)', async () => {
    const key = (await (
      await notifier.request(repA, 'GET', `${BASE}/push_subscriptions/vapid_public_key`)
    ).json()) as { vapid_public_key: string };
    expect(Buffer.from(key.vapid_public_key, 'base64url')).toHaveLength(65);

    const defaults = await notifier.request(repA, 'GET', `${BASE}/notification_settings`);
    expect(await defaults.json()).toEqual({
      notification_settings: {
        smartlink_activity: true,
        task_reminders: true,
        time_zone: 'UTC',
        quiet_hours: null,
        updated_at: null,
      },
    });
    const put = await notifier.request(repA, 'PUT', `${BASE}/notification_settings`, {
      notification_settings: {
        task_reminders: false,
        time_zone: 'America/Chicago',
        quiet_hours: { start: '21:00', end: '07:30' },
      },
    });
    expect(put.status).toBe(200);
    expect(
      (
        (await (await notifier.request(repA, 'GET', `${BASE}/notification_settings`)).json()) as {
          notification_settings: object;
        }
      ).notification_settings,
    ).toMatchObject({
      smartlink_activity: true,
      task_reminders: false,
      time_zone: 'America/Chicago',
      quiet_hours: { start: '21:00', end: '07:30' },
    });
    expect(
      (
        (await (await notifier.request(repB, 'GET', `${BASE}/notification_settings`)).json()) as {
          notification_settings: object;
        }
      ).notification_settings,
    ).toMatchObject({ task_reminders: true });
    const bad = await notifier.request(repA, 'PUT', `${BASE}/notification_settings`, {
      time_zone: 'Nowhere/City',
      mute: true,
    });
    expect(bad.status).toBe(422);
    expect((await notifier.request(repA, 'GET', `${BASE}/push_subscriptions?limit=5`)).status).toBe(400);
  });

  it('guards the queue dashboard with ADMIN_TOKEN (401 without, Bearer or Basic with it) and exports the push metrics', async () => {
    expect((await fetch(`${notifier.base}/admin/queues`)).status).toBe(401);
    expect(
      (
        await fetch(`${notifier.base}/admin/queues`, {
          headers: { authorization: 'Bearer wrong-token-0123456789' },
        })
      ).status,
    ).toBe(401);
    // A user token of the public API is not an admin token.
    const userToken = await mintToken(TEST_SECRET, repA);
    expect(
      (await fetch(`${notifier.base}/admin/queues`, { headers: { authorization: `Bearer ${userToken}` } }))
        .status,
    ).toBe(401);
    const bearer = await fetch(`${notifier.base}/admin/queues`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(bearer.status).toBe(200);
    expect(await bearer.text()).toContain('<html');
    const basic = Buffer.from(`ops:${ADMIN_TOKEN}`).toString('base64');
    const api = await fetch(`${notifier.base}/admin/queues/api/queues`, {
      headers: { authorization: `Basic ${basic}` },
    });
    expect(api.status).toBe(200);
    const names = ((await api.json()) as { queues: { name: string }[] }).queues
      .map((queue) => queue.name)
      .sort();
    expect(names).toEqual(['notifier-deliveries', 'notifier-intake', 'notifier-sends']);

    const metrics = await (await fetch(`${notifier.base}/metrics`)).text();
    for (const name of [
      'pushes_sent_total',
      'push_failures_total',
      'push_coalesced_total',
      'queue_jobs',
      'event_to_push_seconds',
    ])
      expect(metrics).toContain(`# TYPE ${name} `);
    expect(metrics).toMatch(/queue_jobs\{[^}]*queue="notifier-sends"[^}]*state="failed"/);
  });
});
