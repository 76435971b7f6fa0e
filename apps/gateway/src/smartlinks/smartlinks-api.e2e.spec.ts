import type { Principal } from '@reps/auth';
import { createKafkaEventBus } from '@reps/kafka';
import { resolveTestEnv, uniqueName, waitFor, type TestEnv } from '@reps/testing';
import {
  startGatewayOverStack,
  startGatewayUnderTest,
  type GatewayOverStack,
  type GatewayUnderTest,
  type StackUnderTest,
} from '../testing/gateway.spec-helper';

const USER = '/api/user/crm/v202506';
const COMPANY = '/api/company/crm/v202506';
const beacon = (token: string) => `/api/public/smartlinks/${token}/activities`;

const repA: Principal = { scope: 'user', userId: 42, companyId: 7 };
const repB: Principal = { scope: 'user', userId: 43, companyId: 7 };
const companyC: Principal = { scope: 'company', companyId: 7 };
const BROWSER =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1';

interface SmartlinkJson {
  id: number;
  token: string;
  share_url: string;
  url: string;
  contact_id: number;
  opens_count: number;
  activities_count: number;
  last_opened_at: string | null;
  revoked_at: string | null;
}
interface ActivityJson {
  id: string;
  contact_id: number;
  type: string;
  occurred_at: string;
  summary: string;
  data: Record<string, unknown>;
}
interface ErrorBody {
  error: { code: string; details?: { field: string; message: string }[] };
}
const json = async <T>(res: Response) => (await res.json()) as T;

/**
 * SmartLinks and the activity timeline end to end (issue 11): the gateway in this process in front
 * of contacts-command, contacts-projection and contacts-query as processes, on the real Kafka,
 * MongoDB-compatible server and Redis.
 */
describe('SmartLinks and activities through the gateway (running stack)', () => {
  let env: TestEnv;
  let running: GatewayOverStack;
  let stack: StackUnderTest;
  let gw: GatewayUnderTest;

  beforeAll(async () => {
    env = await resolveTestEnv();
    running = await startGatewayOverStack(env);
    stack = running.stack;
    gw = running.gw;
  }, 120_000);

  afterAll(async () => {
    await running?.close();
    await env?.close();
  });

  /** How many events the stack's SmartLinks topic holds (its partitions' end offsets). */
  async function smartlinkEventCount(): Promise<number> {
    const bus = createKafkaEventBus({ brokers: env.kafkaBrokers, clientId: uniqueName('e2e-smartlinks') });
    const admin = await bus.admin();
    try {
      return (await admin.groupLag(uniqueName('nobody'), stack.smartlinksTopic)).reduce(
        (sum, p) => sum + p.end,
        0,
      );
    } finally {
      await admin.close();
      await bus.close();
    }
  }

  const open = (token: string, headers: Record<string, string> = {}, method = 'GET') =>
    fetch(`${gw.base}/l/${token}`, {
      method,
      redirect: 'manual',
      headers: { 'user-agent': BROWSER, ...headers },
    });
  const report = (token: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${gw.base}${beacon(token)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://shop.example.com', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  async function contact(principal: Principal, body: Record<string, unknown> = { first_name: 'Ada' }) {
    const res = await gw.request(
      principal,
      'POST',
      `${principal.scope === 'user' ? USER : COMPANY}/contacts`,
      body,
    );
    expect(res.status).toBe(201);
    return (await json<{ contact: { id: number } }>(res)).contact.id;
  }

  async function smartlink(principal: Principal, contactId: number, extra: Record<string, unknown> = {}) {
    const res = await gw.request(principal, 'POST', `${USER}/smartlinks`, {
      smartlink: {
        contact_id: contactId,
        shareable_type: 'product',
        shareable_id: 'sku-42',
        shareable_name: 'Collagen Boost',
        url: 'https://shop.example.com/p/collagen-boost',
        ...extra,
      },
    });
    expect(res.status).toBe(201);
    return (await json<{ smartlink: SmartlinkJson }>(res)).smartlink;
  }

  async function activitiesOf(
    principal: Principal,
    path: string,
    until: (entries: ActivityJson[]) => boolean,
  ) {
    let entries: ActivityJson[] = [];
    await waitFor(
      async () => {
        const res = await gw.request(principal, 'GET', path);
        if (res.status !== 200) return false;
        entries = (await json<{ activities: ActivityJson[] }>(res)).activities;
        return until(entries);
      },
      { what: `activities at ${path}`, timeoutMs: 30_000 },
    );
    return entries;
  }

  it('the issue’s flow: contact, group, membership, SmartLink, open, beacon, timeline, feed, revoke', async () => {
    const contactId = await contact(repA, { first_name: 'Grace', last_name: 'Hopper' });
    const groupRes = await gw.request(repA, 'POST', `${USER}/groups`, { group: { name: 'Wellness' } });
    expect(groupRes.status).toBe(201);
    const groupId = (await json<{ group: { id: number } }>(groupRes)).group.id;
    const added = await gw.request(repA, 'POST', `${USER}/groups/${groupId}/contacts`, {
      contact_ids: [contactId],
    });
    expect(added.status).toBe(200);
    const consistency = added.headers.get('x-consistency-token')!;
    const read = await gw.request(repA, 'GET', `${USER}/contacts/${contactId}`, undefined, {
      'x-consistency-token': consistency,
    });
    expect((await json<{ contact: { group_ids: number[] } }>(read)).contact.group_ids).toEqual([groupId]);
    const filtered = await gw.request(repA, 'GET', `${USER}/contacts?group_id=${groupId}`);
    expect((await json<{ contacts: { id: number }[] }>(filtered)).contacts.map((c) => c.id)).toEqual([
      contactId,
    ]);

    const link = await smartlink(repA, contactId);
    expect(link.share_url).toBe(`${stack.publicBaseUrl}/l/${link.token}`);
    const opened = await open(link.token);
    expect(opened.status).toBe(302);
    expect(opened.headers.get('location')).toBe('https://shop.example.com/p/collagen-boost');
    expect(opened.headers.get('cache-control')).toBe('no-store');
    expect(opened.headers.get('referrer-policy')).toBe('no-referrer');

    // The activity beacon follows, from the company site.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const accepted = await report(link.token, {
      type: 'added_to_cart',
      item: { type: 'product', id: 'sku-42', name: 'Collagen Boost' },
      properties: { quantity: 1 },
    });
    expect(accepted.status).toBe(202);
    expect(accepted.headers.get('access-control-allow-origin')).toBe('*');

    const timeline = await activitiesOf(repA, `${USER}/contacts/${contactId}/activities`, (entries) =>
      entries.some((e) => e.type === 'smartlink.activity_recorded'),
    );
    const tracked = timeline.filter(
      (e) => e.type === 'smartlink.opened' || e.type === 'smartlink.activity_recorded',
    );
    expect(tracked.map((e) => e.summary)).toEqual([
      'Added to cart: Collagen Boost',
      'Opened the link to Collagen Boost',
    ]);
    const times = timeline.map((e) => Date.parse(e.occurred_at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(timeline.map((e) => e.type)).toEqual(
      expect.arrayContaining(['contact.created', 'group.contacts_added', 'smartlink.created']),
    );

    // Pages of two follow the same order (the cursor is the contact card's too).
    type Page = { activities: ActivityJson[]; meta: { pagination: { next_cursor: string | null } } };
    const first = await json<Page>(
      await gw.request(repA, 'GET', `${USER}/contacts/${contactId}/activities?limit=2`),
    );
    const cursor = encodeURIComponent(first.meta.pagination.next_cursor!);
    const second = await json<Page>(
      await gw.request(repA, 'GET', `${USER}/contacts/${contactId}/activities?limit=2&cursor=${cursor}`),
    );
    expect([...first.activities, ...second.activities].map((e) => e.id)).toEqual(
      timeline.slice(0, 4).map((e) => e.id),
    );

    const feed = await activitiesOf(repA, `${USER}/activities?contact_id=${contactId}`, (entries) =>
      entries.some((e) => e.type === 'smartlink.activity_recorded'),
    );
    expect(feed.map((e) => e.id)).toEqual(timeline.map((e) => e.id));
    const opensOnly = await gw.request(repA, 'GET', `${USER}/activities?type=smartlink.opened`);
    expect(
      (await json<{ activities: ActivityJson[] }>(opensOnly)).activities.map((e) => e.contact_id),
    ).toContain(contactId);

    let counted: SmartlinkJson | undefined;
    await waitFor(
      async () => {
        counted = (
          await json<{ smartlink: SmartlinkJson }>(
            await gw.request(repA, 'GET', `${USER}/smartlinks/${link.id}`),
          )
        ).smartlink;
        return counted.opens_count === 1 && counted.activities_count === 1;
      },
      { what: 'the SmartLink counts', timeoutMs: 20_000 },
    );
    expect(counted).toMatchObject({ token: link.token, share_url: link.share_url, revoked_at: null });
    const listed = await gw.request(repA, 'GET', `${USER}/smartlinks?contact_id=${contactId}`);
    expect((await json<{ smartlinks: SmartlinkJson[] }>(listed)).smartlinks.map((l) => l.id)).toEqual([
      link.id,
    ]);

    expect((await gw.request(repA, 'DELETE', `${USER}/smartlinks/${link.id}`)).status).toBe(204);
    const gone = await open(link.token);
    expect(gone.status).toBe(404);
    const unknown = await open('x'.repeat(32));
    const strip = (body: string) => body.replace(/"request_id":"[^"]*"/, '');
    expect(strip(await gone.text())).toBe(strip(await unknown.text()));
    expect((await report(link.token, { type: 'viewed' })).status).toBe(404);
  });

  it('authorization: rep B and company C get 404 on A’s SmartLinks and activities; a company token on SmartLink routes is 403', async () => {
    const privateContact = await contact(repA);
    const link = await smartlink(repA, privateContact);
    const bContact = await contact(repB);
    const forbidden: [Principal, string, string, unknown?][] = [
      [repB, 'GET', `${USER}/smartlinks/${link.id}`],
      [repB, 'DELETE', `${USER}/smartlinks/${link.id}`],
      [repB, 'GET', `${USER}/contacts/${privateContact}/activities`],
      [companyC, 'GET', `${COMPANY}/contacts/${privateContact}/activities`],
    ];
    for (const [principal, method, path] of forbidden) {
      const res = await gw.request(principal, method, path);
      expect([principal.scope, method, path, res.status]).toEqual([principal.scope, method, path, 404]);
    }
    // Rep B cannot share a link to A's contact either (nothing written).
    expect(
      (
        await gw.request(repB, 'POST', `${USER}/smartlinks`, {
          contact_id: privateContact,
          shareable_type: 'post',
          shareable_id: 'p',
          url: 'https://shop.example.com/',
        })
      ).status,
    ).toBe(422);
    expect(
      (await json<{ smartlinks: SmartlinkJson[] }>(await gw.request(repB, 'GET', `${USER}/smartlinks`)))
        .smartlinks,
    ).toEqual([]);
    const bFeed = await json<{ activities: ActivityJson[] }>(
      await gw.request(repB, 'GET', `${USER}/activities`),
    );
    expect(bFeed.activities.every((e) => e.contact_id === bContact)).toBe(true);

    for (const [method, path, body] of [
      ['GET', `${USER}/smartlinks`],
      [
        'POST',
        `${USER}/smartlinks`,
        {
          contact_id: privateContact,
          shareable_type: 'post',
          shareable_id: 'p',
          url: 'https://shop.example.com/',
        },
      ],
      ['GET', `${USER}/smartlinks/${link.id}`],
      ['DELETE', `${USER}/smartlinks/${link.id}`],
      ['GET', `${USER}/activities`],
    ] as [string, string, unknown?][]) {
      expect([method, path, (await gw.request(companyC, method, path, body)).status]).toEqual([
        method,
        path,
        403,
      ]);
    }
    expect((await gw.request(repA, 'GET', `${COMPANY}/smartlink_settings`)).status).toBe(403);

    // A company reads the timeline of its company-visible contacts only, without the rep's groups.
    const visible = await contact(companyC, { first_name: 'Web', last_name: 'Lead', user_id: 42 });
    const group = await gw.request(repA, 'POST', `${USER}/groups`, { name: 'Leads' });
    const groupId = (await json<{ group: { id: number } }>(group)).group.id;
    await gw.request(repA, 'POST', `${USER}/groups/${groupId}/contacts`, { contact_ids: [visible] });
    await smartlink(repA, visible);
    const repView = await activitiesOf(
      repA,
      `${USER}/contacts/${visible}/activities`,
      (entries) =>
        entries.some((e) => e.type === 'group.contacts_added') &&
        entries.some((e) => e.type === 'smartlink.created'),
    );
    const companyView = await activitiesOf(companyC, `${COMPANY}/contacts/${visible}/activities`, (entries) =>
      entries.some((e) => e.type === 'smartlink.created'),
    );
    expect(companyView.map((e) => e.type)).not.toContain('group.contacts_added');
    expect(companyView.map((e) => e.id)).toEqual(
      repView.filter((e) => !e.type.startsWith('group.')).map((e) => e.id),
    );
    expect(
      (
        await gw.request(
          { scope: 'company', companyId: 8 },
          'GET',
          `${COMPANY}/contacts/${visible}/activities`,
        )
      ).status,
    ).toBe(404);
  });

  it('bad input: disallowed targets and bad activities are 422 (or 400 for unknown parameters) and put no event on the topic', async () => {
    const contactId = await contact(repA);
    const link = await smartlink(repA, contactId);
    await waitFor(async () => (await smartlinkEventCount()) > 0, {
      what: 'the created event',
      timeoutMs: 20_000,
    });
    const before = await smartlinkEventCount();
    const body = {
      contact_id: contactId,
      shareable_type: 'product',
      shareable_id: 'x',
      url: 'https://shop.example.com/',
    };
    for (const url of [
      'https://not-allowed.example.org/p',
      'javascript:alert(document.cookie)',
      'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
      'https://rep:secret@shop.example.com/p',
      'http://shop.example.com/p',
      'ftp://shop.example.com/p',
    ]) {
      const res = await gw.request(repA, 'POST', `${USER}/smartlinks`, { ...body, url });
      expect([url, res.status]).toEqual([url, 422]);
      expect((await json<ErrorBody>(res)).error.details?.map((d) => d.field)).toEqual(['url']);
    }
    for (const activity of [
      { type: 'hacked' },
      { type: 'viewed', properties: { blob: 'x'.repeat(20 * 1024) } },
      { type: 'viewed', surprise: true },
    ]) {
      const res = await report(link.token, activity);
      expect([activity.type, res.status]).toEqual([activity.type, 422]);
    }
    expect((await report(link.token, '{not json')).status).toBe(400);
    for (const path of [
      `${USER}/activities?bogus=1`,
      `${USER}/contacts/${contactId}/activities?contact_id=1`,
      `${USER}/activities?since=yesterday`,
      `${USER}/smartlinks?sort=asc`,
    ]) {
      expect([path, (await gw.request(repA, 'GET', path)).status]).toEqual([path, 400]);
    }
    // Not counted, so not written either: HEAD, prefetch, a link-preview bot.
    expect((await open(link.token, {}, 'HEAD')).status).toBe(302);
    expect((await open(link.token, { 'sec-purpose': 'prefetch' })).status).toBe(302);
    expect((await open(link.token, { 'user-agent': 'WhatsApp/2.23.20.0' })).status).toBe(302);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await smartlinkEventCount()).toBe(before);
  });

  it('the beacon answers CORS preflights from any origin; the API does not', async () => {
    const preflight = await fetch(`${gw.base}${beacon('anything')}`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://shop.example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    const api = await fetch(`${gw.base}${USER}/smartlinks`, {
      method: 'OPTIONS',
      headers: { origin: 'https://shop.example.com', 'access-control-request-method': 'POST' },
    });
    expect(api.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('rate limits the public routes per token and per IP (429 + Retry-After)', async () => {
    const link = await smartlink(repA, await contact(repA));
    const strict = await startGatewayUnderTest(env, {
      CONTACTS_COMMAND_URL: stack.commandUrl,
      CONTACTS_QUERY_URL: stack.queryUrl,
      PUBLIC_RATE_LIMIT_TOKEN_POINTS: '3',
      PUBLIC_RATE_LIMIT_IP_POINTS: '5',
    });
    try {
      const hit = (token: string) =>
        fetch(`${strict.base}/l/${token}`, { method: 'HEAD', redirect: 'manual' });
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await hit(link.token)).status);
      expect(statuses).toEqual([302, 302, 302, 429]);
      const limited = await fetch(`${strict.base}/l/${link.token}`, { redirect: 'manual' });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      // Other tokens from the same IP: the per-IP limit (5) ends them too.
      expect((await hit('y'.repeat(32))).status).toBe(429);
    } finally {
      await strict.close();
    }
  });
});
