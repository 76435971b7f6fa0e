import { sendBackoffMs } from '../pipeline/push-pipeline';
import { assertEndpointAllowed, isPublicAddress } from './endpoint-guard';
import { classifyStatus, parseRetryAfter } from './web-push-sender';

describe('endpoint guard', () => {
  it.each([
    ['127.0.0.1', false],
    ['10.0.0.8', false],
    ['172.16.4.4', false],
    ['192.168.1.1', false],
    ['169.254.169.254', false],
    ['100.64.0.1', false],
    ['0.0.0.0', false],
    ['::1', false],
    ['fe80::1', false],
    ['fd00:ec2::254', false],
    ['::ffff:127.0.0.1', false],
    ['8.8.8.8', true],
    ['2607:f8b0:4004:800::200e', true],
    ['::ffff:8.8.8.8', true],
  ])('%s is public: %s', (address, expected) => {
    expect(isPublicAddress(address)).toBe(expected);
  });

  it('wants https without credentials unless insecure endpoints are allowed', async () => {
    await expect(assertEndpointAllowed('http://8.8.8.8/push', false)).rejects.toThrow('https');
    await expect(assertEndpointAllowed('https://user:pw@8.8.8.8/push', false)).rejects.toThrow('credentials');
    await expect(assertEndpointAllowed('https://8.8.8.8/push', false)).resolves.toBeUndefined();
    await expect(assertEndpointAllowed('http://127.0.0.1:9/push', true)).resolves.toBeUndefined();
    await expect(assertEndpointAllowed('https://localhost/push', false)).rejects.toThrow('non-public');
  });
});

describe('push service answers', () => {
  it('are classified for the retry policy', () => {
    expect(classifyStatus(201, {})).toEqual({ kind: 'delivered', status: 201 });
    expect(classifyStatus(410, {})).toEqual({ kind: 'gone', status: 410 });
    expect(classifyStatus(404, {})).toEqual({ kind: 'gone', status: 404 });
    expect(classifyStatus(429, { 'retry-after': '30' })).toEqual({
      kind: 'retry',
      reason: 'http_429',
      status: 429,
      retryAfterMs: 30_000,
    });
    expect(classifyStatus(503, {})).toEqual({ kind: 'retry', reason: 'http_5xx', status: 503 });
    expect(classifyStatus(400, {})).toEqual({ kind: 'rejected', reason: 'http_4xx', status: 400 });
    expect(classifyStatus(413, {})).toMatchObject({ kind: 'rejected' });
  });

  it('Retry-After is seconds or an HTTP date', () => {
    const now = Date.parse('2026-01-10T08:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Sat, 10 Jan 2026 08:01:00 GMT', now)).toBe(60_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });

  it('backs off exponentially, and a longer Retry-After wins', () => {
    const noJitter = () => 0;
    expect([1, 2, 3, 4].map((attempt) => sendBackoffMs(attempt, 1000, undefined, noJitter))).toEqual([
      1000, 2000, 4000, 8000,
    ]);
    expect(sendBackoffMs(1, 1000, 30_000, noJitter)).toBe(30_000);
    expect(sendBackoffMs(4, 1000, 500, noJitter)).toBe(8000);
  });
});
