import type { Principal } from '@reps/auth';
import { SmartlinkEvent } from '@reps/contracts';
import { resolveTestEnv, uniqueName, type TestEnv } from '@reps/testing';
import {
  readTopicAs,
  startCommandUnderTest,
  type CommandUnderTest,
} from '../testing/command-service.spec-helper';

const SMARTLINKS = '/api/user/crm/v202506/smartlinks';
const SETTINGS = '/api/company/crm/v202506/smartlink_settings';
const beacon = (token: string) => `/api/public/smartlinks/${token}/activities`;

const repA: Principal = { scope: 'user', userId: 42, companyId: 7 };
const repB: Principal = { scope: 'user', userId: 43, companyId: 7 };
const companyC: Principal = { scope: 'company', companyId: 7 };
const BROWSER =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 Version/17.0 Safari/605.1.15';

interface SmartlinkBody {
  smartlink: {
    id: number;
    token: string;
    share_url: string;
    url: string;
    contact_id: number;
    revoked_at: string | null;
  };
}
interface ErrorBody {
  error: { code: string; details?: { field: string; message: string }[] };
}

describe('contacts-command SmartLinks and public tracking (real MongoDB-compatible server and Kafka)', () => {
  let env: TestEnv;
  let svc: CommandUnderTest;
  const topic = uniqueName('crm.smartlinks.test');

  beforeAll(async () => {
    env = await resolveTestEnv();
    svc = await startCommandUnderTest(env, {
      SMARTLINKS_TOPIC: topic,
      SMARTLINKS_TOPIC_PARTITIONS: '2',
      SMARTLINK_DEFAULT_ALLOWED_HOSTS: 'shop.example.com',
      PUBLIC_BASE_URL: 'https://links.example.com',
    });
  });

  afterAll(async () => {
    if (svc) {
      const admin = await svc.bus.admin();
      await admin.deleteTopics([topic]).catch(() => undefined);
      await admin.close();
    }
    await svc?.close();
    await env?.close();
  });

  const json = async <T>(res: Response) => (await res.json()) as T;
  const open = (token: string, headers: Record<string, string> = {}, method = 'GET') =>
    fetch(`${svc.base}/l/${token}`, {
      method,
      redirect: 'manual',
      headers: { 'user-agent': BROWSER, ...headers },
    });
  const post = (token: string, body: unknown) =>
    fetch(`${svc.base}${beacon(token)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const commits = () => svc.mongo.db.collection('smartlink_commits').countDocuments();
  const events = (atLeast: number, until?: (events: SmartlinkEvent[]) => boolean) =>
    readTopicAs((value) => SmartlinkEvent.parse(value), svc.bus, topic, atLeast, until);

  const contact = (principal: Principal, body: Record<string, unknown> = { first_name: 'Ada' }) =>
    svc.createContact(principal, body);

  async function smartlink(contactId: number, url = 'https://shop.example.com/p/collagen') {
    const res = await svc.request(repA, 'POST', SMARTLINKS, {
      smartlink: {
        contact_id: contactId,
        shareable_type: 'product',
        shareable_id: 'sku-1',
        shareable_name: 'Collagen Boost',
        url,
      },
    });
    expect(res.status).toBe(201);
    return (await json<SmartlinkBody>(res)).smartlink;
  }

  it('creates a link with an unguessable token and a share URL, and never puts the token on the topic', async () => {
    const contactId = await contact(repA);
    const res = await svc.request(repA, 'POST', SMARTLINKS, {
      contact_id: contactId,
      shareable_type: 'product',
      shareable_id: 'sku-1',
      shareable_name: 'Collagen Boost',
      url: 'https://shop.example.com/p/collagen?ref=1',
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('etag')).toBe('W/"1"');
    expect(res.headers.get('x-consistency-token')).toBeTruthy();
    const { smartlink: link } = await json<SmartlinkBody>(res);
    expect(link.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(link.share_url).toBe(`https://links.example.com/l/${link.token}`);
    expect(link).toMatchObject({
      contact_id: contactId,
      url: 'https://shop.example.com/p/collagen?ref=1',
      revoked_at: null,
    });

    const published = await events(1, (all) => all.some((e) => e.aggregate_id === link.id));
    const created = published.find((e) => e.aggregate_id === link.id)!;
    expect(created).toMatchObject({
      type: 'smartlink.created',
      aggregate_version: 1,
      company_id: 7,
      user_id: 42,
      company_visible: false,
      data: { contact_id: contactId, shareable_name: 'Collagen Boost' },
    });
    expect(JSON.stringify(published)).not.toContain(link.token);
    // Only a hash of the token is stored.
    const stored = JSON.stringify(await svc.mongo.db.collection('smartlink_tokens').find().toArray());
    expect(stored).not.toContain(link.token);
  });

  it('refuses bad input with 422 (or 403 for a company) and writes nothing', async () => {
    const mine = await contact(repA);
    const theirs = await contact(repB);
    const before = await commits();
    const body = {
      contact_id: mine,
      shareable_type: 'product',
      shareable_id: 'x',
      url: 'https://shop.example.com/',
    };
    const cases: [Principal, Record<string, unknown>, number, string][] = [
      [repA, { ...body, contact_id: theirs }, 422, 'contact_id'],
      [repA, { ...body, contact_id: 999_999 }, 422, 'contact_id'],
      [repA, { ...body, url: 'javascript:alert(1)' }, 422, 'url'],
      [repA, { ...body, url: 'data:text/html,<script>alert(1)</script>' }, 422, 'url'],
      [repA, { ...body, url: 'ftp://shop.example.com/' }, 422, 'url'],
      [repA, { ...body, url: 'https://user:secret@shop.example.com/' }, 422, 'url'],
      [repA, { ...body, url: 'https://evil.example.net/' }, 422, 'url'],
      [repA, { ...body, url: 'https://shop.example.com.evil.net/' }, 422, 'url'],
      [repA, { ...body, shareable_type: 'car' }, 422, 'shareable_type'],
      [repA, { ...body, shareable_id: 'x'.repeat(101) }, 422, 'shareable_id'],
      [repA, { ...body, token: 'mine' }, 422, 'token'],
      [repA, { ...body, surprise: 1 }, 422, 'surprise'],
    ];
    for (const [principal, payload, status, field] of cases) {
      const res = await svc.request(principal, 'POST', SMARTLINKS, payload);
      expect([payload, res.status]).toEqual([payload, status]);
      const error = await json<ErrorBody>(res);
      expect(error.error.details?.map((d) => d.field)).toContain(field);
    }
    expect((await svc.request(companyC, 'POST', SMARTLINKS, body)).status).toBe(403);
    expect(await commits()).toBe(before);
  });

  it('redirects an open (302, no-store, no-referrer) and records it; HEAD, prefetches and preview bots are not counted', async () => {
    const link = await smartlink(await contact(repA));
    const res = await open(link.token);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(link.url);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');

    for (const [headers, method] of [
      [{}, 'HEAD'],
      [{ purpose: 'prefetch' }, 'GET'],
      [{ 'sec-purpose': 'prefetch;prerender' }, 'GET'],
      [{ 'user-agent': 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)' }, 'GET'],
      [{ 'user-agent': 'facebookexternalhit/1.1' }, 'GET'],
    ] as [Record<string, string>, string][]) {
      const uncounted = await open(link.token, headers, method);
      expect([headers, uncounted.status, uncounted.headers.get('location')]).toEqual([
        headers,
        302,
        link.url,
      ]);
    }
    expect((await open(link.token)).status).toBe(302);

    const mine = (await events(1, (all) => all.filter((e) => e.aggregate_id === link.id).length >= 3)).filter(
      (e) => e.aggregate_id === link.id,
    );
    expect(mine.map((e) => e.type)).toEqual(['smartlink.created', 'smartlink.opened', 'smartlink.opened']);
    const opened = mine[1]!;
    expect(opened).toMatchObject({
      user_id: 42,
      actor: { scope: 'company', company_id: 7 },
      data: { user_agent: BROWSER, shareable_name: 'Collagen Boost' },
    });
    expect(JSON.stringify(opened)).not.toMatch(/127\.0\.0\.1|::1/);
  });

  it('records beacon activities (202) and refuses an unknown type or 20 KB of properties with 422 and no event', async () => {
    const link = await smartlink(await contact(repA));
    const accepted = await post(link.token, {
      type: 'added_to_cart',
      item: { type: 'product', id: 'sku-1', name: 'Collagen Boost' },
      properties: { quantity: 2 },
    });
    expect(accepted.status).toBe(202);
    const before = await commits();
    for (const body of [
      { type: 'hacked' },
      { type: 'viewed', properties: { blob: 'x'.repeat(20 * 1024) } },
      { type: 'viewed', occurred_at: 'yesterday' },
      { type: 'viewed', occurred_at: new Date(Date.now() + 3_600_000).toISOString() },
      { type: 'viewed', extra: true },
    ]) {
      const res = await post(link.token, body);
      expect([body.type, res.status]).toEqual([body.type, 422]);
    }
    // A bad body is a 422 whatever the token: it tells nothing about the token.
    expect((await post('unknown-token', { type: 'hacked' })).status).toBe(422);
    expect(await commits()).toBe(before);
    const mine = (await events(1, (all) => all.filter((e) => e.aggregate_id === link.id).length >= 2)).filter(
      (e) => e.aggregate_id === link.id,
    );
    expect(mine.map((e) => e.type)).toEqual(['smartlink.created', 'smartlink.activity_recorded']);
    expect(mine[1]).toMatchObject({
      data: { type: 'added_to_cart', item: { name: 'Collagen Boost' }, properties: { quantity: 2 } },
    });
  });

  it('answers unknown and revoked tokens with the same 404, and only the owner revokes', async () => {
    const link = await smartlink(await contact(repA));
    expect((await svc.request(repB, 'DELETE', `${SMARTLINKS}/${link.id}`)).status).toBe(404);
    expect((await svc.request(companyC, 'DELETE', `${SMARTLINKS}/${link.id}`)).status).toBe(403);
    const revoke = await svc.request(repA, 'DELETE', `${SMARTLINKS}/${link.id}`);
    expect(revoke.status).toBe(204);
    expect((await svc.request(repA, 'DELETE', `${SMARTLINKS}/${link.id}`)).status).toBe(204);

    const unknown = await open('A'.repeat(32));
    const revoked = await open(link.token);
    expect([unknown.status, revoked.status]).toEqual([404, 404]);
    const strip = (body: string) => body.replace(/"request_id":"[^"]*"/, '');
    expect(strip(await revoked.text())).toBe(strip(await unknown.text()));
    expect(revoked.headers.get('cache-control')).toBe('no-store');
    expect((await post(link.token, { type: 'viewed' })).status).toBe(404);
    expect((await post('A'.repeat(32), { type: 'viewed' })).status).toBe(404);
  });

  it('takes the company’s allowed hosts at creation and again at every redirect', async () => {
    const company: Principal = { scope: 'company', companyId: 8 };
    const rep: Principal = { scope: 'user', userId: 1, companyId: 8 };
    expect(await json(await svc.request(company, 'GET', SETTINGS))).toEqual({
      smartlink_settings: { allowed_hosts: ['shop.example.com'], updated_at: null },
    });
    expect((await svc.request(rep, 'GET', SETTINGS)).status).toBe(403);
    expect((await svc.request(company, 'PUT', SETTINGS, { allowed_hosts: ['https://x.com/'] })).status).toBe(
      422,
    );
    const put = await svc.request(company, 'PUT', SETTINGS, { allowed_hosts: ['Store.Example.org'] });
    expect(put.status).toBe(200);
    expect(
      (await json<{ smartlink_settings: { allowed_hosts: string[] } }>(put)).smartlink_settings.allowed_hosts,
    ).toEqual(['store.example.org']);
    const contactId = await contact(rep);
    const body = {
      contact_id: contactId,
      shareable_type: 'post',
      shareable_id: 'p1',
      url: 'https://blog.store.example.org/p1',
    };
    expect(
      (await svc.request(rep, 'POST', SMARTLINKS, { ...body, url: 'https://shop.example.com/' })).status,
    ).toBe(422);
    const created = await svc.request(rep, 'POST', SMARTLINKS, body);
    expect(created.status).toBe(201);
    const { token } = (await json<SmartlinkBody>(created)).smartlink;
    expect((await open(token)).status).toBe(302);
    // The company withdraws the host: the link stops redirecting at once (never an open redirect).
    await svc.request(company, 'PUT', SETTINGS, { allowed_hosts: ['other.example.org'] });
    expect((await open(token)).status).toBe(404);
  });

  it('records every one of a burst of opens of one link (they serialise on its stream)', async () => {
    const link = await smartlink(await contact(repA));
    const answers = await Promise.all(Array.from({ length: 12 }, () => open(link.token)));
    expect(answers.map((r) => r.status)).toEqual(Array(12).fill(302));
    const mine = (
      await events(
        1,
        (all) =>
          new Set(all.filter((e) => e.aggregate_id === link.id).map((e) => e.aggregate_version)).size >= 13,
      )
    ).filter((e) => e.aggregate_id === link.id);
    // Delivery is at least once: on a loaded machine the relay may republish a commit whose
    // outbox entry was not yet cleared. A copy carries the same event id; what must never happen
    // is two different events for one version, or a missing version.
    const idByVersion = new Map<number, Set<string>>();
    for (const e of mine)
      idByVersion.set(e.aggregate_version, (idByVersion.get(e.aggregate_version) ?? new Set()).add(e.id));
    expect([...idByVersion.keys()].sort((a, b) => a - b)).toEqual(
      Array.from({ length: 13 }, (_, i) => i + 1),
    );
    expect([...idByVersion.values()].every((ids) => ids.size === 1)).toBe(true);
  });
});
