import { Queue } from 'bullmq';
import { createRedisConnection, closeRedis, type Redis } from '@reps/redis';
import {
  resolveTestEnv,
  startPrivateRedisServer,
  waitFor,
  type PrivateRedisServer,
  type TestEnv,
} from '@reps/testing';
import { startTestPushService, type TestPushService } from '../testing/push-service.spec-helper';
import {
  cleanUp,
  events,
  isolatedSettings,
  rep,
  startNotifierUnderTest,
  startPublisher,
  type EventPublisher,
  type NotifierSettings,
  type NotifierUnderTest,
} from '../testing/notifier.spec-helper';
import { QUEUE_NAMES } from './push-pipeline';

describe('notifier through a Redis restart (AOF on)', () => {
  let env: TestEnv;
  // A Redis of this test's own: the shared one on 6379 serves the other suites and must stay up.
  let redis: PrivateRedisServer;
  let settings: NotifierSettings;
  let notifier: NotifierUnderTest;
  let push: TestPushService;
  let publisher: EventPublisher;
  let client: Redis;
  let sends: Queue;
  let deliveries: Queue;
  const owner = { companyId: 8, userId: 80 };

  beforeAll(async () => {
    env = await resolveTestEnv();
    redis = await startPrivateRedisServer(undefined, { appendOnly: true });
    settings = isolatedSettings();
    push = await startTestPushService();
    // A 4 s coalescing window keeps the bursts' delivery jobs delayed long enough to see them all queued at once.
    notifier = await startNotifierUnderTest(env, settings, {
      REDIS_URL: redis.url,
      PUSH_COALESCE_MS: '4000',
    });
    publisher = await startPublisher(env);
    client = createRedisConnection(redis.url, { blocking: true });
    sends = new Queue(QUEUE_NAMES.sends, { connection: client, prefix: settings.prefix });
    deliveries = new Queue(QUEUE_NAMES.deliveries, { connection: client, prefix: settings.prefix });
  });

  afterAll(async () => {
    await notifier?.stop();
    await sends?.close();
    await deliveries?.close();
    if (client) await closeRedis(client);
    await publisher?.close();
    await push?.close();
    await redis?.dispose();
    if (env && settings) await cleanUp(env, settings);
    await env?.close();
  });

  const readyz = async () => {
    const res = await fetch(`${notifier.base}/readyz`);
    return { status: res.status, body: (await res.json()) as { unavailable: string[] } };
  };

  it('loses no waiting or delayed job, delivers all once Redis is back, and /readyz is 503 meanwhile', async () => {
    await waitFor(async () => (await readyz()).status === 200, { what: 'ready' });
    const res = await notifier.request(
      rep(owner.companyId, owner.userId),
      'POST',
      '/api/user/crm/v202506/push_subscriptions',
      push.device('tablet').subscription,
    );
    expect(res.status).toBe(201);

    // Waiting jobs: sends held back by pausing their queue.
    await sends.pause();
    await publisher.publish(
      settings.topics.smartlinks,
      ...[601, 602, 603].map((contact, i) => events.activity(owner, 9100 + i, 2, contact, `Item ${contact}`)),
    );
    await waitFor(
      async () =>
        Object.values(await sends.getJobCounts('waiting', 'paused')).reduce((a, b) => a + b, 0) === 3,
      {
        what: '3 waiting sends',
        timeoutMs: 10_000,
      },
    );
    // Delayed jobs: a reminder 12 s ahead and two bursts inside their coalescing window.
    const due = new Date(Date.now() + 12_000);
    await publisher.publish(
      settings.topics.tasks,
      events.taskCreated(owner, 901, due, 'Follow up after the outage'),
    );
    await publisher.publish(
      settings.topics.smartlinks,
      ...[604, 605].map((contact, i) => events.activity(owner, 9200 + i, 2, contact, `Item ${contact}`)),
    );
    await waitFor(async () => (await deliveries.getJobCounts('delayed')).delayed === 3, {
      what: '3 delayed deliveries',
      timeoutMs: 10_000,
      intervalMs: 20,
    });

    await redis.stop();
    const down = await waitFor(
      async () => {
        const answer = await readyz();
        return answer.status === 503 ? answer.body : undefined;
      },
      { what: 'readyz 503' },
    );
    expect(down.unavailable).toContain('redis');
    expect((await fetch(`${notifier.base}/healthz`)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(push.received).toHaveLength(0);

    await redis.start();
    await waitFor(async () => (await readyz()).status === 200, {
      what: 'readyz 200 after the restart',
      timeoutMs: 30_000,
    });
    await sends.resume();

    await waitFor(() => push.received.length >= 6, { what: 'all 6 pushes', timeoutMs: 30_000 });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const bodies = push.received.map((received) => received.payload.body).sort();
    expect(bodies).toEqual(
      [
        'Follow up after the outage',
        ...[601, 602, 603, 604, 605].map((contact) => `A contact viewed Item ${contact}`),
      ].sort(),
    );
    const reminder = push.received.find((received) => received.payload.kind === 'task_reminder');
    expect(reminder?.at).toBeGreaterThanOrEqual(due.getTime() - 1000);
  });
});
