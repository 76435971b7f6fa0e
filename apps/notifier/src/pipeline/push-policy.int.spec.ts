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
const hhmm = (date: Date) => date.toISOString().slice(11, 16);

describe("notifier policies: the rep's settings, quiet hours and the per-rep rate limit", () => {
  let env: TestEnv;
  let settings: NotifierSettings;
  let notifier: NotifierUnderTest;
  let push: TestPushService;
  let publisher: EventPublisher;
  const companyId = 9;

  beforeAll(async () => {
    env = await resolveTestEnv();
    settings = isolatedSettings();
    push = await startTestPushService();
    notifier = await startNotifierUnderTest(env, settings, {
      PUSH_RATE_PER_MINUTE: '2',
      PUSH_RATE_WINDOW_MS: '4000',
      PUSH_COALESCE_MS: '300',
    });
    publisher = await startPublisher(env);
  });

  afterAll(async () => {
    await notifier?.stop();
    await publisher?.close();
    await push?.close();
    if (env && settings) await cleanUp(env, settings);
    await env?.close();
  });

  async function subscribe(userId: number, device: string): Promise<void> {
    const res = await notifier.request(
      rep(companyId, userId),
      'POST',
      '/api/user/crm/v202506/push_subscriptions',
      push.device(device).subscription,
    );
    expect(res.status).toBe(201);
  }
  const pushesTo = (device: string) => push.received.filter((received) => received.device === device);

  it('over the rate limit, coalesces the excess into one digest push instead of dropping it', async () => {
    await subscribe(91, 'busy');
    const me = { companyId, userId: 91 };
    const contacts = [701, 702, 703, 704, 705];
    for (const [i, contact] of contacts.entries()) {
      await publisher.publish(
        settings.topics.smartlinks,
        events.activity(me, 9300 + i, 2, contact, `Item ${contact}`),
      );
      await sleep(400); // separate bursts: one push each, were there no limit
    }
    await waitFor(() => pushesTo('busy').length === 3, {
      what: 'two pushes and a digest',
      timeoutMs: 15_000,
    });
    await sleep(1500);
    const pushes = pushesTo('busy');
    expect(pushes).toHaveLength(3);
    const [first, second, digest] = pushes.map((received) => received.payload);
    expect([first!.contact_id, second!.contact_id]).toEqual([701, 702]);
    expect(digest!.body).toMatch(/^3 contacts were active — /);
    for (const contact of [703, 704, 705]) expect(digest!.body).toContain(`Item ${contact}`);
    expect(digest!.url).toBe('https://app.example.com/activities');
  });

  it('pushes nothing about SmartLinks when the rep turned them off', async () => {
    await subscribe(92, 'muted');
    const put = await notifier.request(
      rep(companyId, 92),
      'PUT',
      '/api/user/crm/v202506/notification_settings',
      { smartlink_activity: false },
    );
    expect(put.status).toBe(200);
    await publisher.publish(
      settings.topics.smartlinks,
      events.activity({ companyId, userId: 92 }, 9400, 2, 706, 'Muted item'),
    );
    await sleep(2500);
    expect(pushesTo('muted')).toHaveLength(0);
  });

  it('holds pushes due in quiet hours until they end, then sends them as one', async () => {
    await subscribe(93, 'sleepy');
    // Quiet hours (UTC, minute precision) that end at the next minute boundary at least 5 s away.
    const end = new Date(Math.ceil((Date.now() + 5000) / 60_000) * 60_000);
    const start = new Date(end.getTime() - 3_600_000);
    const put = await notifier.request(
      rep(companyId, 93),
      'PUT',
      '/api/user/crm/v202506/notification_settings',
      {
        time_zone: 'UTC',
        quiet_hours: { start: hhmm(start), end: hhmm(end) },
      },
    );
    expect(put.status).toBe(200);
    const me = { companyId, userId: 93 };
    await publisher.publish(settings.topics.smartlinks, events.activity(me, 9500, 2, 707, 'Night item'));
    await sleep(1000);
    await publisher.publish(settings.topics.smartlinks, events.activity(me, 9500, 3, 707, 'Late item'));
    await sleep(Math.min(3000, end.getTime() - Date.now() - 500));
    expect(pushesTo('sleepy')).toHaveLength(0);
    await waitFor(() => pushesTo('sleepy').length > 0, {
      what: 'the held push',
      timeoutMs: end.getTime() - Date.now() + 5000,
    });
    await sleep(1500);
    const pushes = pushesTo('sleepy');
    expect(pushes).toHaveLength(1);
    expect(pushes[0]!.at).toBeGreaterThanOrEqual(end.getTime());
    expect(pushes[0]!.at - end.getTime()).toBeLessThan(2000);
    expect(pushes[0]!.payload.body).toBe('A contact viewed 2 items: Night item, Late item');
    // Quiet hours end on a minute boundary: up to ~70 s of waiting.
  }, 100_000);
});
