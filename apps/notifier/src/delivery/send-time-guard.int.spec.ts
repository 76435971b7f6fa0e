import { Queue } from 'bullmq';
import { connectMongo } from '@reps/mongo';
import { closeRedis, createRedisConnection, type Redis } from '@reps/redis';
import { resolveTestEnv, waitFor, type TestEnv } from '@reps/testing';
import { QUEUE_NAMES } from '../pipeline/push-pipeline';
import {
  cleanUp,
  events,
  isolatedSettings,
  startNotifierUnderTest,
  startPublisher,
  type EventPublisher,
  type NotifierSettings,
  type NotifierUnderTest,
} from '../testing/notifier.spec-helper';
import { startTestPushService, type TestPushService } from '../testing/push-service.spec-helper';

describe('SSRF guard at send time (DNS rebinding)', () => {
  let env: TestEnv;
  let settings: NotifierSettings;
  let notifier: NotifierUnderTest;
  let push: TestPushService;
  let publisher: EventPublisher;
  let redis: Redis;

  beforeAll(async () => {
    env = await resolveTestEnv();
    settings = isolatedSettings();
    push = await startTestPushService();
    notifier = await startNotifierUnderTest(env, settings, {
      PUSH_ALLOW_INSECURE_ENDPOINTS: 'false',
      PUSH_COALESCE_MS: '200',
    });
    publisher = await startPublisher(env);
    redis = createRedisConnection(env.redisUrl, { blocking: true });
  });

  afterAll(async () => {
    await notifier?.stop();
    await publisher?.close();
    await push?.close();
    if (env && settings) await cleanUp(env, settings, redis);
    if (redis) await closeRedis(redis);
    await env?.close();
  });

  it('refuses a stored endpoint whose host now resolves to a loopback address: the send fails at once, kept, and nothing is sent', async () => {
    // As if the endpoint's DNS answer changed after the subscribe-time check: a stored subscription
    // whose host (localhost) resolves to 127.0.0.1, where the test push service listens.
    const device = push.device('rebound');
    const port = new URL(push.origin).port;
    const mongo = await connectMongo({
      url: env.mongoUrl,
      dbName: settings.dbName,
      appName: 'notifier-test',
    });
    await mongo.db.collection<{ _id: string }>('push_subscriptions').insertOne({
      _id: '12:121',
      company_id: 12,
      user_id: 121,
      next_id: 2,
      version: 1,
      subscriptions: [
        {
          id: 1,
          endpoint: `https://localhost:${port}/push/rebound`,
          p256dh: device.subscription.keys.p256dh,
          auth: device.subscription.keys.auth,
          label: null,
          expiration_time: null,
          created_at: new Date().toISOString(),
        },
      ],
    } as never);
    await mongo.close();

    await publisher.publish(
      settings.topics.smartlinks,
      events.opened({ companyId: 12, userId: 121 }, 9700, 2, 801),
    );
    const sends = new Queue(QUEUE_NAMES.sends, { connection: redis, prefix: settings.prefix });
    try {
      const [failed] = await waitFor(
        async () => {
          const jobs = await sends.getFailed();
          return jobs.length > 0 ? jobs : undefined;
        },
        { what: 'the refused send' },
      );
      expect(failed!.failedReason).toBe('push refused: blocked_endpoint');
      // Not retried: one attempt, and the job stays for inspection.
      expect(failed!.attemptsMade).toBe(1);
    } finally {
      await sends.close();
    }
    expect(push.received).toHaveLength(0);
    const metrics = await (await fetch(`${notifier.base}/metrics`)).text();
    expect(metrics).toMatch(/push_failures_total\{[^}]*reason="blocked_endpoint"[^}]*\} 1/);
  });
});
