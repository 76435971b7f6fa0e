import { createServer, type Server } from 'node:http';
import express from 'express';
import { ConflictError, RateLimitedError, ValidationError } from '@reps/errors';
import { createLogger, createMetricsRegistry } from '@reps/observability';
import { createHttpApp } from './create-http-app';
import { boundPort, closeServer, listen } from './lifecycle';

/** An error shaped like a driver's (libs/http recognises them by name, without depending on the drivers). */
function driverError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

describe('createHttpApp', () => {
  let server: Server;
  let base: string;
  let redisUp = true;

  beforeAll(async () => {
    const app = createHttpApp({
      service: 'test-service',
      logger: createLogger({ service: 'test-service', level: 'silent' }),
      metrics: createMetricsRegistry('test-service', { defaultMetrics: false }),
      readiness: [
        {
          name: 'redis',
          check: async () => {
            if (!redisUp) throw new Error('connection refused');
          },
        },
      ],
      jsonLimit: '1kb',
      beforeBody: (app) => {
        // A route with a larger limit of its own, and a guard that rejects before any body is read.
        app.use('/big', express.json({ limit: '8kb' }));
        app.use('/guarded', (_req, _res, next) => next(new RateLimitedError(3)));
      },
      routes: (app) => {
        app.post('/big', (req, res) => void res.json({ size: JSON.stringify(req.body).length }));
        app.post('/echo', (req, res) => void res.json({ body: req.body }));
        app.get('/conflict', () => {
          throw new ConflictError('already there', 'idempotency_key_reused');
        });
        app.get('/invalid', () => {
          throw new ValidationError([{ field: 'email', message: 'Invalid email' }]);
        });
        app.get('/limited', () => {
          throw new RateLimitedError(7);
        });
        app.get('/boom', () => {
          throw new Error('secret internals at /srv/app.ts:12');
        });
        // What the MongoDB driver throws while the database server restarts (npm run chaos found these as 500s).
        app.get('/db-down', () => {
          throw driverError('MongoServerSelectionError', 'connect ECONNREFUSED 127.0.0.1:27017');
        });
        app.get('/db-closed', async () => {
          throw new Error('load failed', { cause: driverError('MongoNetworkError', 'connection 11 closed') });
        });
        // insertMany cut off by the restart: the bulk error wraps the network error (npm run chaos smoke).
        app.get('/db-bulk-closed', () => {
          throw Object.assign(driverError('MongoBulkWriteError', 'connection 1 closed'), {
            errorResponse: driverError('MongoNetworkError', 'connection 1 closed'),
          });
        });
        app.get('/db-shutdown', () => {
          throw Object.assign(driverError('MongoServerError', 'interrupted at shutdown'), { code: 11600 });
        });
        app.get('/db-bug', () => {
          throw Object.assign(driverError('MongoServerError', 'unknown operator $foo'), { code: 2 });
        });
      },
    });
    server = await listen(createServer(app), 0, '127.0.0.1');
    base = `http://127.0.0.1:${boundPort(server)}`;
  });

  afterAll(() => closeServer(server));

  it('answers /healthz and echoes a well-formed request id', async () => {
    const res = await fetch(`${base}/healthz`, { headers: { 'X-Request-Id': 'abc-123' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('abc-123');
    expect(await res.json()).toEqual({ status: 'ok', service: 'test-service' });
  });

  it('replaces an unsafe request id with a generated one', async () => {
    const res = await fetch(`${base}/healthz`, { headers: { 'X-Request-Id': 'bad id\twith spaces' } });
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers /readyz 503 naming the dependency that is down, then 200 again', async () => {
    redisUp = false;
    const down = await fetch(`${base}/readyz`);
    expect(down.status).toBe(503);
    const body = (await down.json()) as { unavailable: string[]; checks: Record<string, string> };
    expect(body.unavailable).toEqual(['redis']);
    expect(body.checks['redis']).toMatch(/connection refused/);
    redisUp = true;
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  });

  it('serves Prometheus metrics', async () => {
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/http_request_duration_seconds/);
  });

  it('maps malformed JSON to 400 and oversized bodies to 413 in the envelope', async () => {
    const malformed = await fetch(`${base}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":',
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { code: string } }).error.code).toBe('malformed_json');
    const large = await fetch(`${base}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ a: 'x'.repeat(2048) }),
    });
    expect(large.status).toBe(413);
  });

  it('runs beforeBody middleware before the shared JSON parser', async () => {
    const body = JSON.stringify({ a: 'x'.repeat(4096) });
    const big = await fetch(`${base}/big`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(big.status).toBe(200);
    const guarded = await fetch(`${base}/guarded`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{',
    });
    expect(guarded.status).toBe(429);
  });

  it('renders AppErrors with their code, details and Retry-After', async () => {
    const conflict = await fetch(`${base}/conflict`, { headers: { 'X-Request-Id': 'r1' } });
    expect(conflict.status).toBe(409);
    expect(await conflict.json()).toEqual({
      error: { code: 'idempotency_key_reused', message: 'already there' },
      meta: { request_id: 'r1' },
    });
    const invalid = await fetch(`${base}/invalid`);
    expect(invalid.status).toBe(422);
    expect(((await invalid.json()) as { error: { details: unknown } }).error.details).toEqual([
      { field: 'email', message: 'Invalid email' },
    ]);
    const limited = await fetch(`${base}/limited`);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
  });

  it('puts no ETag of its own on answers: an ETag is a resource version a route sets', async () => {
    // A 412 or 404 carrying express's body hash would look like a version to send back as If-Match.
    for (const path of ['/conflict', '/nope', '/healthz'])
      expect([path, (await fetch(`${base}${path}`)).headers.get('etag')]).toEqual([path, null]);
    const echo = await fetch(`${base}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    expect(echo.headers.get('etag')).toBeNull();
  });

  it('never leaks internals on an unexpected error', async () => {
    const res = await fetch(`${base}/boom`);
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toMatch(/secret|srv|\.ts/);
    expect(JSON.parse(text).error.code).toBe('internal_error');
  });

  it('answers 503 with Retry-After, not 500, while a dependency cannot be reached', async () => {
    for (const path of ['/db-down', '/db-closed', '/db-bulk-closed', '/db-shutdown']) {
      const res = await fetch(`${base}${path}`);
      expect([path, res.status, res.headers.get('retry-after')]).toEqual([path, 503, '5']);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('service_unavailable');
    }
    // Any other server error is still a bug: a 500.
    expect((await fetch(`${base}/db-bug`)).status).toBe(500);
  });

  it('answers unknown routes with a 404 envelope', async () => {
    const res = await fetch(`${base}/nope`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });
});

/** An app with `routes` on an ephemeral port whose log lines are kept in `lines`. */
async function serveLogging(
  routes: (app: express.Express) => void,
): Promise<{ lines: string[]; server: Server }> {
  const lines: string[] = [];
  const app = createHttpApp({
    service: 'test-service',
    logger: createLogger({
      service: 'test-service',
      destination: { write: (line: string) => void lines.push(line) },
    }),
    metrics: createMetricsRegistry('test-service', { defaultMetrics: false }),
    readiness: [],
    routes,
  });
  return { lines, server: await listen(createServer(app), 0, '127.0.0.1') };
}

describe('request logs', () => {
  it('never show a SmartLink token (the public paths are capabilities)', async () => {
    const { lines, server } = await serveLogging((app) => {
      app.get('/l/:token', (_req, res) => void res.redirect(302, 'https://example.com/'));
    });
    try {
      const token = 'CapabilityToken0123456789abcdefX';
      await fetch(`http://127.0.0.1:${boundPort(server)}/l/${token}`, { redirect: 'manual' });
      await fetch(`http://127.0.0.1:${boundPort(server)}/api/public/smartlinks/${token}/activities`, {
        method: 'POST',
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(lines.join('\n')).toContain('/l/[token]');
      expect(lines.join('\n')).toContain('/api/public/smartlinks/[token]/activities');
      expect(lines.join('\n')).not.toContain(token);
    } finally {
      await closeServer(server);
    }
  });
});

describe('access lines', () => {
  it('one per request (none for health, readiness, metrics): id, method, url, status, time; 5xx at level error', async () => {
    const { lines, server } = await serveLogging((app) => {
      app.get('/boom', () => {
        throw new Error('kaput');
      });
    });
    const base = `http://127.0.0.1:${boundPort(server)}`;
    try {
      await fetch(`${base}/healthz`);
      const missing = await fetch(`${base}/nothing?x=1`, {
        headers: { authorization: 'Bearer secret', 'x-request-id': 'req-1' },
      });
      await fetch(`${base}/boom`);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const access = lines
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((entry) => entry['msg'] !== 'unhandled error');
      expect(access).toHaveLength(2);
      expect(missing.headers.get('x-request-id')).toBe('req-1');
      expect(access[0]).toMatchObject({
        level: 'info',
        service: 'test-service',
        req: { id: 'req-1', method: 'GET', url: '/nothing?x=1', remoteAddress: '127.0.0.1' },
        res: { statusCode: 404 },
        responseTime: expect.any(Number),
        msg: 'request completed',
      });
      expect(JSON.stringify(access[0])).not.toContain('secret');
      expect(access[1]).toMatchObject({ level: 'error', res: { statusCode: 500 }, msg: 'request errored' });
    } finally {
      await closeServer(server);
    }
  });
});
