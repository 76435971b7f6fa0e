import { SignJWT } from 'jose';
import { mintToken, type Principal } from '@reps/auth';
import { resolveTestEnv, startPrivateRedisServer, uniqueName, type TestEnv } from '@reps/testing';
import {
  startEchoUpstream,
  startGatewayOverEchoes,
  startGatewayUnderTest,
  TEST_SECRET,
  type EchoUpstream,
  type GatewayOverEchoes,
  type GatewayUnderTest,
} from '../testing/gateway.spec-helper';

const USERS = '/api/user/crm/v202506/contacts';
const COMPANY = '/api/company/crm/v202506/contacts';
const rep: Principal = { scope: 'user', userId: 42, companyId: 7 };
const company: Principal = { scope: 'company', companyId: 7 };

interface ErrorBody {
  error: { code: string; message: string; details?: { field: string; message: string }[] };
  meta: { request_id: string };
}
const errorOf = async (res: Response) => (await res.json()) as ErrorBody;

describe('gateway request hygiene (real Redis, real upstream HTTP servers)', () => {
  let env: TestEnv;
  let echoes: GatewayOverEchoes;
  let command: EchoUpstream;
  let query: EchoUpstream;
  let gw: GatewayUnderTest;

  beforeAll(async () => {
    env = await resolveTestEnv();
    echoes = await startGatewayOverEchoes(env, { CORS_ORIGINS: 'https://app.example.com,https://admin.example.com' });
    ({ command, query, gw } = echoes);
  });

  afterAll(async () => {
    await echoes?.close();
    await env?.close();
  });

  beforeEach(() => echoes.reset());

  describe('authentication before anything is forwarded', () => {
    it('401 without, with a malformed, a foreign or an expired token', async () => {
      const expired = await mintToken(TEST_SECRET, rep, { expiresIn: Math.floor(Date.now() / 1000) - 5 });
      const foreign = await mintToken('another-secret-of-at-least-32-characters!', rep);
      const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"scope":"user","company_id":7,"sub":"42","exp":9999999999}').toString('base64url')}.`;
      for (const authorization of [
        undefined,
        'Basic abc',
        'Bearer nope',
        `Bearer ${foreign}`,
        `Bearer ${expired}`,
        `Bearer ${unsigned}`,
      ]) {
        const res = await fetch(`${gw.base}${USERS}`, { headers: authorization ? { authorization } : {} });
        expect(res.status).toBe(401);
        expect((await errorOf(res)).error.code).toBe('unauthorized');
      }
      expect(
        (
          await errorOf(
            await fetch(`${gw.base}${USERS}`, { headers: { authorization: `Bearer ${expired}` } }),
          )
        ).error.message,
      ).toMatch(/expired/);
      const noSub = await new SignJWT({ scope: 'user', company_id: 7 })
        .setProtectedHeader({ alg: 'HS256' })
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode(TEST_SECRET));
      expect(
        (await fetch(`${gw.base}${USERS}`, { headers: { authorization: `Bearer ${noSub}` } })).status,
      ).toBe(401);
      expect(query.requests).toHaveLength(0);
    });

    it('403 for a token of the other scope, on every route of that scope', async () => {
      for (const [principal, path, method] of [
        [company, USERS, 'GET'],
        [company, `${USERS}/bulk`, 'POST'],
        [company, `${USERS}/1`, 'PATCH'],
        [rep, COMPANY, 'POST'],
        [rep, `${COMPANY}/1`, 'GET'],
        [rep, `${COMPANY}/1/restore`, 'POST'],
      ] as const) {
        const res = await gw.request(
          principal,
          method,
          path,
          method === 'GET' ? undefined : { first_name: 'x' },
        );
        expect(res.status).toBe(403);
        expect((await errorOf(res)).error.code).toBe('forbidden');
      }
      expect(command.requests).toHaveLength(0);
      expect(query.requests).toHaveLength(0);
    });
  });

  describe('request ids', () => {
    it('keeps a well-formed X-Request-Id, replaces a bad one, and uses it in error envelopes', async () => {
      const kept = await gw.request(undefined, 'GET', USERS, undefined, { 'x-request-id': 'client-id-1' });
      expect(kept.headers.get('x-request-id')).toBe('client-id-1');
      expect((await errorOf(kept)).meta.request_id).toBe('client-id-1');
      const replaced = await gw.request(rep, 'GET', USERS, undefined, {
        'x-request-id': 'bad id with spaces',
      });
      expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      expect(query.requests[0]!.headers['x-request-id']).toBe(replaced.headers.get('x-request-id'));
    });
  });

  describe('bodies', () => {
    it('400 for malformed JSON, without forwarding', async () => {
      const res = await gw.request(rep, 'POST', USERS, '{"first_name": "A",');
      expect(res.status).toBe(400);
      expect((await errorOf(res)).error.code).toBe('malformed_json');
      expect(command.requests).toHaveLength(0);
    });

    it('413 for a body over 1 MB (2 MB tried) on single-contact routes', async () => {
      const big = { first_name: 'A', metadata: { blob: 'x'.repeat(2 * 1024 * 1024) } };
      for (const [method, path] of [
        ['POST', USERS],
        ['PATCH', `${USERS}/1`],
        ['POST', COMPANY],
      ] as const) {
        const res = await gw.request(path.includes('company') ? company : rep, method, path, big);
        expect(res.status).toBe(413);
        expect((await errorOf(res)).error.code).toBe('payload_too_large');
      }
      expect(command.requests).toHaveLength(0);
    });

    it('takes a bulk body up to 10 MB, and answers 413 above it or above 1000 items', async () => {
      const item = { first_name: 'Bulk', metadata: { pad: 'x'.repeat(1900) } };
      const twoMb = { contacts: Array.from({ length: 1000 }, () => item) };
      command.respond = {
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: '{"results":[],"meta":{"created":0,"failed":0}}',
      };
      const accepted = await gw.request(rep, 'POST', `${USERS}/bulk`, twoMb);
      expect(accepted.status).toBe(200);
      expect(command.requests).toHaveLength(1);
      expect(JSON.parse(command.requests[0]!.body).contacts).toHaveLength(1000);

      const tooMany = await gw.request(rep, 'POST', `${USERS}/bulk`, {
        contacts: Array.from({ length: 1001 }, () => ({ first_name: 'x' })),
      });
      expect(tooMany.status).toBe(413);
      const tooBig = await gw.request(rep, 'POST', `${USERS}/bulk`, {
        contacts: [{ first_name: 'x', metadata: { blob: 'y'.repeat(11 * 1024 * 1024) } }],
      });
      expect(tooBig.status).toBe(413);
      expect(command.requests).toHaveLength(1);
    });

    it('415 for a charset JSON cannot be in', async () => {
      const res = await fetch(`${gw.base}${USERS}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${await gw.token(rep)}`,
          'content-type': 'application/json; charset=latin-9',
        },
        body: '{"first_name":"A"}',
      });
      expect(res.status).toBe(415);
    });

    it('422 for mass assignment and unknown fields at the edge, naming each field, without forwarding', async () => {
      const res = await gw.request(rep, 'POST', USERS, {
        contact: { first_name: 'A', id: 1, token: 't', user_id: 9, origin: 'company_api', nickname: 'x' },
      });
      expect(res.status).toBe(422);
      const body = await errorOf(res);
      expect(body.error.code).toBe('validation_failed');
      expect(body.error.details!.map((d) => d.field).sort()).toEqual([
        'id',
        'nickname',
        'origin',
        'token',
        'user_id',
      ]);
      expect(command.requests).toHaveLength(0);
    });
  });

  describe('list parameters', () => {
    it.each([
      ['limit=101', 'limit'],
      ['limit=0', 'limit'],
      ['limit=abc', 'limit'],
      ['limit=5&limit=6', 'limit'],
      ['status=gone', 'status'],
      ['sort=name', 'sort'],
      ['discarded=maybe', 'discarded'],
      ['updated_since=yesterday', 'updated_since'],
      ['page=2', 'page'],
    ])('400 for %s, naming %s, without forwarding', async (query_, field) => {
      const res = await gw.request(rep, 'GET', `${USERS}?${query_}`);
      expect(res.status).toBe(400);
      expect((await errorOf(res)).error.details).toEqual([expect.objectContaining({ field })]);
      expect(query.requests).toHaveLength(0);
    });

    it('forwards valid parameters, 100 included', async () => {
      const res = await gw.request(
        company,
        'GET',
        `${COMPANY}?limit=100&q=jane&discarded=include&updated_since=2025-01-01T00:00:00Z`,
      );
      expect(res.status).toBe(200);
      expect(query.requests).toHaveLength(1);
    });

    it('405 with Allow for a known path and another method', async () => {
      const res = await gw.request(rep, 'PUT', `${USERS}/5`, { first_name: 'x' });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('GET, PATCH, DELETE, OPTIONS');
      expect((await errorOf(res)).error.code).toBe('method_not_allowed');
      expect((await gw.request(company, 'DELETE', COMPANY)).headers.get('allow')).toBe('GET, POST, OPTIONS');
      expect(command.requests).toHaveLength(0);
    });

    it('404 at the edge for ids that cannot exist', async () => {
      for (const id of ['abc', '0', '-1', '1.5', '99999999999999999']) {
        expect((await gw.request(rep, 'GET', `${USERS}/${id}`)).status).toBe(404);
      }
      expect(query.requests).toHaveLength(0);
    });
  });

  describe('CORS and security headers', () => {
    it('answers a preflight from an allowed origin without a token, and nothing for another origin', async () => {
      const pre = await fetch(`${gw.base}${USERS}`, {
        method: 'OPTIONS',
        headers: {
          origin: 'https://app.example.com',
          'access-control-request-method': 'PATCH',
          'access-control-request-headers': 'authorization,if-match',
        },
      });
      expect(pre.status).toBe(204);
      expect(pre.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
      expect(pre.headers.get('access-control-allow-methods')).toContain('PATCH');
      expect(pre.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('if-match');
      const other = await fetch(`${gw.base}${USERS}`, { headers: { origin: 'https://evil.example.org' } });
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
      const allowed = await gw.request(rep, 'GET', USERS, undefined, { origin: 'https://admin.example.com' });
      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://admin.example.com');
      expect(allowed.headers.get('access-control-expose-headers')).toMatch(/ETag.*X-Consistency-Token/);
    });

    it('sets security headers on API answers, errors included', async () => {
      for (const res of [await gw.request(rep, 'GET', USERS), await gw.request(undefined, 'GET', USERS)]) {
        expect(res.headers.get('x-content-type-options')).toBe('nosniff');
        expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
        expect(res.headers.get('strict-transport-security')).toMatch(/max-age=/);
        expect(res.headers.get('x-powered-by')).toBeNull();
      }
    });
  });

  describe('docs', () => {
    it('serves the OpenAPI document and the docs page with its assets, no token needed', async () => {
      const doc = await fetch(`${gw.base}/openapi.json`);
      expect(doc.status).toBe(200);
      expect(((await doc.json()) as { openapi: string }).openapi).toBe('3.1.0');
      const page = await fetch(`${gw.base}/docs`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
      const html = await page.text();
      expect(html).toContain('/docs/assets/swagger-ui-bundle.js');
      expect(html).not.toMatch(/https?:\/\//);
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
      const bundle = await fetch(`${gw.base}/docs/assets/swagger-ui-bundle.js`);
      expect(bundle.status).toBe(200);
      expect((await bundle.arrayBuffer()).byteLength).toBeGreaterThan(500_000);
      expect((await fetch(`${gw.base}/docs/init.js`)).status).toBe(200);
      expect((await fetch(`${gw.base}/docs/assets/index.html`)).status).toBe(404);
    });
  });
});

describe('gateway rate limits (real Redis)', () => {
  let env: TestEnv;
  let upstream: EchoUpstream;

  beforeAll(async () => {
    env = await resolveTestEnv();
    upstream = await startEchoUpstream();
  });

  afterAll(async () => {
    await upstream?.close();
    await env?.close();
  });

  it('429 with Retry-After and RateLimit-* headers past the limit, per principal, shared by gateway instances', async () => {
    const settings = {
      CONTACTS_COMMAND_URL: upstream.url,
      CONTACTS_QUERY_URL: upstream.url,
      RATE_LIMIT_POINTS: '5',
      RATE_LIMIT_WINDOW_S: '30',
    };
    const one = await startGatewayUnderTest(env, settings);
    try {
      const first = await one.request(rep, 'GET', USERS);
      expect(first.status).toBe(200);
      expect(first.headers.get('ratelimit-limit')).toBe('5');
      expect(first.headers.get('ratelimit-remaining')).toBe('4');
      expect(first.headers.get('ratelimit-policy')).toBe('5;w=30');
      expect(Number(first.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
      for (let i = 0; i < 4; i++) expect((await one.request(rep, 'GET', USERS)).status).toBe(200);
      const limited = await one.request(rep, 'POST', USERS, { first_name: 'A' });
      expect(limited.status).toBe(429);
      expect((await errorOf(limited)).error.code).toBe('rate_limited');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(30);
      expect(limited.headers.get('ratelimit-remaining')).toBe('0');
      // Another rep of the same company has a bucket of their own.
      expect((await one.request({ scope: 'user', userId: 43, companyId: 7 }, 'GET', USERS)).status).toBe(200);
      // Bulk costs 10 points: more than a fresh 5-point bucket holds.
      expect(
        (
          await one.request({ scope: 'user', userId: 44, companyId: 7 }, 'POST', `${USERS}/bulk`, {
            contacts: [{ first_name: 'x' }],
          })
        ).status,
      ).toBe(429);
    } finally {
      await one.close();
    }
  });

  it('two gateway instances share one limit through Redis', async () => {
    const settings = {
      CONTACTS_COMMAND_URL: upstream.url,
      CONTACTS_QUERY_URL: upstream.url,
      RATE_LIMIT_POINTS: '20',
      RATE_LIMIT_WINDOW_S: '60',
      RATE_LIMIT_SYNC_MS: '50',
    };
    const rateLimitKeyPrefix = uniqueName('gw-rl-shared');
    const one = await startGatewayUnderTest(env, settings, { rateLimitKeyPrefix });
    const two = await startGatewayUnderTest(env, settings, { rateLimitKeyPrefix });
    try {
      for (let i = 0; i < 12; i++) expect((await one.request(rep, 'GET', USERS)).status).toBe(200);
      // After one sync interval the second instance counts the first one's requests.
      await new Promise((resolve) => setTimeout(resolve, 200));
      const statuses: number[] = [];
      for (let i = 0; i < 9; i++) statuses.push((await two.request(rep, 'GET', USERS)).status);
      expect(statuses).toEqual([...Array<number>(8).fill(200), 429]);
      // The first instance last saw 12: it may admit up to its local budget (5 % of the limit,
      // at least 1 point) on that view; the request after that waits for Redis and is refused.
      expect((await one.request(rep, 'GET', USERS)).status).toBe(200);
      const limited = await one.request(rep, 'GET', USERS);
      expect(limited.status).toBe(429);
      expect(limited.headers.get('ratelimit-remaining')).toBe('0');
    } finally {
      await one.close();
      await two.close();
    }
  });

  it('keeps limiting in memory while Redis is down, and serves', async () => {
    const redis = await startPrivateRedisServer();
    const gw = await startGatewayUnderTest(
      { ...env, redisUrl: redis.url },
      {
        CONTACTS_COMMAND_URL: upstream.url,
        CONTACTS_QUERY_URL: upstream.url,
        RATE_LIMIT_POINTS: '3',
      },
    );
    try {
      expect((await gw.request(rep, 'GET', USERS)).status).toBe(200);
      await redis.stop();
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await gw.request(company, 'GET', COMPANY)).status);
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
    } finally {
      await gw.close();
      await redis.dispose();
    }
  });
});
