import { createServer, type Server } from 'node:net';
import type { Principal } from '@reps/auth';
import { freePort, resolveTestEnv, type TestEnv } from '@reps/testing';
import {
  startGatewayOverEchoes,
  startGatewayUnderTest,
  type EchoUpstream,
  type GatewayOverEchoes,
  type GatewayUnderTest,
} from '../testing/gateway.spec-helper';

const USERS = '/api/user/crm/v202506/contacts';
const COMPANY = '/api/company/crm/v202506/contacts';
const rep: Principal = { scope: 'user', userId: 42, companyId: 7 };
const company: Principal = { scope: 'company', companyId: 7 };

interface ErrorBody {
  error: { code: string; message: string };
  meta: { request_id: string };
}

describe('gateway forwarding to real upstream HTTP servers (real Redis)', () => {
  let env: TestEnv;
  let echoes: GatewayOverEchoes;
  let command: EchoUpstream;
  let query: EchoUpstream;
  let gw: GatewayUnderTest;

  beforeAll(async () => {
    env = await resolveTestEnv();
    echoes = await startGatewayOverEchoes(env, { UPSTREAM_TIMEOUT_MS: '600', UPSTREAM_RETRY_AFTER_S: '7' });
    ({ command, query, gw } = echoes);
  });

  afterAll(async () => {
    await echoes?.close();
    await env?.close();
  });

  beforeEach(() => echoes.reset());

  it('sends writes to contacts-command with the contract headers and the request id, and nothing else', async () => {
    command.respond = {
      status: 201,
      headers: {
        'content-type': 'application/json',
        etag: 'W/"1"',
        location: `${USERS}/9`,
        'x-consistency-token': 'tok-1',
        'idempotent-replayed': 'true',
        'set-cookie': 'session=leak',
        server: 'internal/1.0',
      },
      body: '{"contact":{"id":9}}',
    };
    const res = await gw.request(
      rep,
      'POST',
      `${USERS}?ignored=1`,
      { contact: { first_name: 'Jane' } },
      {
        'idempotency-key': 'key-1',
        'x-request-id': 'req-123',
        cookie: 'secret=1',
        'x-internal-admin': 'yes',
      },
    );
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ contact: { id: 9 } });
    expect(res.headers.get('etag')).toBe('W/"1"');
    expect(res.headers.get('location')).toBe(`${USERS}/9`);
    expect(res.headers.get('x-consistency-token')).toBe('tok-1');
    expect(res.headers.get('idempotent-replayed')).toBe('true');
    expect(res.headers.get('x-request-id')).toBe('req-123');
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(res.headers.get('server')).toBeNull();

    expect(command.requests).toHaveLength(1);
    const sent = command.requests[0]!;
    expect(sent.method).toBe('POST');
    expect(sent.url).toBe(USERS);
    expect(JSON.parse(sent.body)).toEqual({ contact: { first_name: 'Jane' } });
    expect(sent.headers['authorization']).toMatch(/^Bearer /);
    expect(sent.headers['idempotency-key']).toBe('key-1');
    expect(sent.headers['x-request-id']).toBe('req-123');
    expect(sent.headers['content-type']).toBe('application/json');
    expect(sent.headers['cookie']).toBeUndefined();
    expect(sent.headers['x-internal-admin']).toBeUndefined();
    expect(query.requests).toHaveLength(0);
  });

  it('passes If-Match on updates and deletes, and sends no body where the operation has none', async () => {
    await gw.request(company, 'PATCH', `${COMPANY}/5`, { city: 'Austin' }, { 'if-match': 'W/"3"' });
    await gw.request(company, 'DELETE', `${COMPANY}/5`, undefined, { 'if-match': 'W/"4"' });
    await gw.request(company, 'POST', `${COMPANY}/5/restore`, undefined, {
      'if-match': 'W/"5"',
      'idempotency-key': 'k',
    });
    expect(command.requests.map((r) => [r.method, r.url, r.headers['if-match'], r.body])).toEqual([
      ['PATCH', `${COMPANY}/5`, 'W/"3"', '{"city":"Austin"}'],
      ['DELETE', `${COMPANY}/5`, 'W/"4"', ''],
      ['POST', `${COMPANY}/5/restore`, 'W/"5"', ''],
    ]);
    expect(command.requests[2]!.headers['idempotency-key']).toBe('k');
  });

  it('sends reads to contacts-query with the query string and X-Consistency-Token, relaying X-Consistency', async () => {
    query.respond = {
      status: 200,
      headers: { 'content-type': 'application/json', 'x-consistency': 'stale' },
      body: '{"contacts":[]}',
    };
    const list = await gw.request(rep, 'GET', `${USERS}?limit=5&status=lead&sort=-updated_at`, undefined, {
      'x-consistency-token': 'c1',
    });
    expect(list.status).toBe(200);
    expect(list.headers.get('x-consistency')).toBe('stale');
    const one = await gw.request(rep, 'GET', `${USERS}/77`);
    expect(one.status).toBe(200);
    expect(query.requests.map((r) => [r.method, r.url])).toEqual([
      ['GET', `${USERS}?limit=5&status=lead&sort=-updated_at`],
      ['GET', `${USERS}/77`],
    ]);
    expect(query.requests[0]!.headers['x-consistency-token']).toBe('c1');
    expect(command.requests).toHaveLength(0);
  });

  it('relays upstream errors (status, envelope, Retry-After) as they are', async () => {
    command.respond = {
      status: 412,
      headers: { 'content-type': 'application/json' },
      body: '{"error":{"code":"precondition_failed","message":"stale"},"meta":{"request_id":"x"}}',
    };
    const stale = await gw.request(rep, 'PATCH', `${USERS}/5`, { city: 'X' }, { 'if-match': 'W/"1"' });
    expect(stale.status).toBe(412);
    expect(((await stale.json()) as ErrorBody).error.code).toBe('precondition_failed');
    command.respond = {
      status: 503,
      headers: { 'content-type': 'application/json', 'retry-after': '3' },
      body: '{"error":{"code":"service_unavailable","message":"mongo down"},"meta":{"request_id":"x"}}',
    };
    const down = await gw.request(rep, 'DELETE', `${USERS}/5`);
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('3');
  });

  it('answers 503 with Retry-After, in the envelope, when an upstream is too slow, and does not hang', async () => {
    query.respond = { ...query.respond, hang: true };
    const started = Date.now();
    const res = await gw.request(rep, 'GET', `${USERS}/1`, undefined, { 'x-request-id': 'slow-1' });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(await res.json()).toEqual({
      error: { code: 'service_unavailable', message: 'contacts-query is unavailable, try again later' },
      meta: { request_id: 'slow-1' },
    });
    // The configured 600 ms answer timeout, not a hang.
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('abandons the upstream call when the caller hangs up, before any timeout', async () => {
    query.respond = { ...query.respond, hang: true };
    const token = await gw.token(rep);
    const hangUp = new AbortController();
    const call = fetch(`${gw.base}${USERS}/1`, {
      headers: { authorization: `Bearer ${token}` },
      signal: hangUp.signal,
    });
    for (let i = 0; i < 100 && query.requests.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(query.requests).toHaveLength(1);
    hangUp.abort();
    await expect(call).rejects.toThrow();
    // Well within the 600 ms answer timeout: the gateway closed the upstream request itself.
    for (let i = 0; i < 30 && query.abandoned === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(query.abandoned).toBe(1);
  });

  it('answers 503 for an upstream 5xx that is not our JSON envelope', async () => {
    command.respond = { status: 502, headers: { 'content-type': 'text/html' }, body: '<h1>Bad gateway</h1>' };
    const res = await gw.request(rep, 'POST', USERS, { first_name: 'A' });
    expect(res.status).toBe(503);
    expect(((await res.json()) as ErrorBody).error.code).toBe('service_unavailable');
  });

  it('answers 503 fast when nothing listens on the upstream port, and when it accepts but never answers', async () => {
    const closedPort = await freePort();
    // A TCP listener that never speaks HTTP: connect succeeds, headers never come.
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((done) => silent.listen(0, '127.0.0.1', done));
    const silentPort = (silent.address() as { port: number }).port;
    const gwDown = await startGatewayUnderTest(env, {
      CONTACTS_COMMAND_URL: `http://127.0.0.1:${closedPort}`,
      CONTACTS_QUERY_URL: `http://127.0.0.1:${silentPort}`,
      UPSTREAM_TIMEOUT_MS: '500',
    });
    try {
      let started = Date.now();
      const refused = await gwDown.request(rep, 'POST', USERS, { first_name: 'A' });
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('5');
      expect(Date.now() - started).toBeLessThan(2_000);
      started = Date.now();
      const silentRead = await gwDown.request(rep, 'GET', USERS);
      expect(silentRead.status).toBe(503);
      expect(Date.now() - started).toBeLessThan(3_000);
      const ready = await fetch(`${gwDown.base}/readyz`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { unavailable: string[] }).unavailable.sort()).toEqual([
        'contacts-command',
        'contacts-query',
      ]);
    } finally {
      await gwDown.close();
      silent.close();
    }
  });
});
