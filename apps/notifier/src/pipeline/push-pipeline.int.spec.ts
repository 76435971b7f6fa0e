import { createRedisConnection, closeRedis, type Redis } from '@reps/redis';
import { resolveTestEnv, waitFor, type TestEnv } from '@reps/testing';
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('notifier pipeline: Kafka events → BullMQ → Web Push to a local push service', () => {
  let env: TestEnv;
  let settings: NotifierSettings;
  let notifier: NotifierUnderTest;
  let push: TestPushService;
  let publisher: EventPublisher;
  let redis: Redis;
  const owner = { companyId: 7, userId: 70 };

  beforeAll(async () => {
    env = await resolveTestEnv();
    settings = isolatedSettings();
    push = await startTestPushService();
    notifier = await startNotifierUnderTest(env, settings);
    publisher = await startPublisher(env);
    redis = createRedisConnection(env.redisUrl);
  });

  afterAll(async () => {
    await notifier?.stop();
    await publisher?.close();
    await push?.close();
    if (env && settings) await cleanUp(env, settings, redis);
    if (redis) await closeRedis(redis);
    await env?.close();
  });

  async function subscribe(userId: number, device: string): Promise<number> {
    const res = await notifier.request(
      rep(owner.companyId, userId),
      'POST',
      '/api/user/crm/v202506/push_subscriptions',
      {
        ...push.device(device).subscription,
        label: device,
      },
    );
    expect(res.status).toBe(201);
    return ((await res.json()) as { push_subscription: { id: number } }).push_subscription.id;
  }

  const pushesTo = (device: string) => push.received.filter((received) => received.device === device);

  it('pushes a SmartLink activity within 2 s, naming the contact and the item (decrypted, VAPID-signed)', async () => {
    await subscribe(70, 'phone-a');
    await publisher.publish(settings.topics.contacts, events.contactCreated(owner, 501, 'Jane', 'Smith'));
    await sleep(1500); // the contact-name projection catches up
    const sentAt = Date.now();
    await publisher.publish(
      settings.topics.smartlinks,
      events.activity(owner, 9001, 2, 501, 'Collagen Boost'),
    );
    const [received] = await waitFor(
      () => (pushesTo('phone-a').length > 0 ? pushesTo('phone-a') : undefined),
      { what: 'a push' },
    );
    expect(received!.at - sentAt).toBeLessThan(2000);
    expect(received!.payload).toMatchObject({
      title: 'SmartLink activity',
      body: 'Jane Smith viewed Collagen Boost',
      url: 'https://app.example.com/contacts/501',
      contact_id: 501,
      kind: 'smartlink_activity',
    });
    const vapid = (await (
      await notifier.request(
        rep(owner.companyId, 70),
        'GET',
        '/api/user/crm/v202506/push_subscriptions/vapid_public_key',
      )
    ).json()) as {
      vapid_public_key: string;
    };
    expect(received!.vapidPublicKey).toBe(vapid.vapid_public_key);
    expect(received!.jwt.aud).toBe(push.origin);
    expect(push.rejected).toEqual([]);
  });

  it('turns five activities for one contact within the window into one push that counts them; a replay from offset 0 pushes nothing new', async () => {
    await subscribe(71, 'phone-b');
    const me = { companyId: owner.companyId, userId: 71 };
    await publisher.publish(settings.topics.contacts, events.contactCreated(me, 502, 'John', 'Doe'));
    await sleep(1000);
    const items = ['Collagen Boost', 'Vitamin C', 'Omega 3', 'Protein Bar', 'Green Tea'];
    for (const [index, item] of items.entries())
      await publisher.publish(settings.topics.smartlinks, events.activity(me, 9002, index + 2, 502, item));
    await waitFor(() => pushesTo('phone-b').length > 0, { what: 'the burst push' });
    await sleep(2500); // longer than the window: a second push would have come by now
    expect(pushesTo('phone-b')).toHaveLength(1);
    expect(pushesTo('phone-b')[0]!.payload.body).toBe(`John Doe viewed 5 items: ${items.join(', ')}`);

    // Replay: the same notifier data, a new consumer group reading all topics from offset 0.
    await notifier.stop();
    const before = push.received.length;
    notifier = await startNotifierUnderTest(env, { ...settings, groupId: `${settings.groupId}-replay` });
    await sleep(5000);
    expect(push.received.length).toBe(before);
  });

  it('pushes a reminder at due_at (±1 s); none for a task completed before; one at the new time when rescheduled', async () => {
    await subscribe(72, 'phone-c');
    const me = { companyId: owner.companyId, userId: 72 };
    const due = new Date(Date.now() + 3000);
    const doneDue = new Date(Date.now() + 3000);
    const movedFrom = new Date(Date.now() + 3000);
    const movedTo = new Date(Date.now() + 5000);
    await publisher.publish(settings.topics.tasks, events.taskCreated(me, 801, due, 'Call Jane back'));
    await publisher.publish(
      settings.topics.tasks,
      events.taskCreated(me, 802, doneDue, 'Done early'),
      events.taskCompleted(me, 802, 2),
    );
    await publisher.publish(settings.topics.tasks, events.taskCreated(me, 803, movedFrom, 'Moved task'));
    await sleep(500);
    await publisher.publish(settings.topics.tasks, events.taskRescheduled(me, 803, 2, movedFrom, movedTo));

    await waitFor(() => pushesTo('phone-c').length >= 2, { what: 'two reminders', timeoutMs: 10_000 });
    await sleep(2000);
    const reminders = pushesTo('phone-c');
    expect(reminders.map((r) => r.payload.body)).toEqual(['Call Jane back', 'Moved task']);
    expect(Math.abs(reminders[0]!.at - due.getTime())).toBeLessThanOrEqual(1000);
    expect(Math.abs(reminders[1]!.at - movedTo.getTime())).toBeLessThanOrEqual(1000);
    expect(reminders.every((r) => r.payload.kind === 'task_reminder')).toBe(true);
  });

  it('retries 500, 500 with growing delays and delivers on the third try; a 410 deletes the subscription and nothing more goes to it', async () => {
    await subscribe(73, 'flaky');
    const me = { companyId: owner.companyId, userId: 73 };
    push.device('flaky').script.push(500, 500);
    await publisher.publish(settings.topics.smartlinks, events.opened(me, 9003, 2, 503));
    await waitFor(() => pushesTo('flaky').filter((r) => r.status === 201).length === 1, {
      what: 'third try',
      timeoutMs: 10_000,
    });
    const tries = pushesTo('flaky');
    expect(tries.map((r) => r.status)).toEqual([500, 500, 201]);
    const gaps = [tries[1]!.at - tries[0]!.at, tries[2]!.at - tries[1]!.at];
    expect(gaps[0]).toBeGreaterThanOrEqual(200);
    expect(gaps[1]).toBeGreaterThan(gaps[0]!);

    await subscribe(74, 'gone');
    const other = { companyId: owner.companyId, userId: 74 };
    push.device('gone').script.push(410);
    await publisher.publish(settings.topics.smartlinks, events.opened(other, 9004, 2, 504));
    await waitFor(
      async () => {
        const res = await notifier.request(
          rep(owner.companyId, 74),
          'GET',
          '/api/user/crm/v202506/push_subscriptions',
        );
        return ((await res.json()) as { push_subscriptions: unknown[] }).push_subscriptions.length === 0;
      },
      { what: 'the subscription to be deleted' },
    );
    await publisher.publish(settings.topics.smartlinks, events.opened(other, 9004, 3, 504));
    await sleep(2500);
    expect(pushesTo('gone').map((r) => r.status)).toEqual([410]);
  });
});
