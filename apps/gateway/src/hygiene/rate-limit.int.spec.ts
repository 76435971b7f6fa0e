import { closeRedis, createRedisConnection, type Redis } from '@reps/redis';
import { resolveTestEnv, uniqueName, waitFor, type TestEnv } from '@reps/testing';
import { redisWindowStore } from './rate-limit';
import { createSyncedWindowLimiter } from './synced-window';

describe('synced window limiter over real Redis', () => {
  let env: TestEnv;
  let redisA: Redis;
  let redisB: Redis;

  beforeAll(async () => {
    env = await resolveTestEnv();
    redisA = createRedisConnection(env.redisUrl, { connectionName: 'rl-test-a' });
    redisB = createRedisConnection(env.redisUrl, { connectionName: 'rl-test-b' });
    await waitFor(async () => redisA.status === 'ready' && redisB.status === 'ready');
  });

  afterAll(async () => {
    await closeRedis(redisA);
    await closeRedis(redisB);
    await env?.close();
  });

  it('two instances (two connections) share one window: counts, expiry and the budget bound', async () => {
    const prefix = uniqueName('rl-int');
    const limiter = (redis: Redis) =>
      createSyncedWindowLimiter({
        points: 100,
        windowMs: 30_000,
        localBudget: 5,
        store: redisWindowStore(redis, prefix),
      });
    const a = limiter(redisA);
    const b = limiter(redisB);

    for (let i = 0; i < 60; i++) expect((await a.consume('rep', 1)).allowed).toBe(true);
    await a.sync();
    expect(Number(await redisA.get(`${prefix}:rep`))).toBe(60);
    const ttl = await redisA.pttl(`${prefix}:rep`);
    expect(ttl).toBeGreaterThan(25_000);
    expect(ttl).toBeLessThanOrEqual(30_000);

    let admittedByB = 0;
    for (let i = 0; i < 60; i++) if ((await b.consume('rep', 1)).allowed) admittedByB++;
    expect(admittedByB).toBe(40);
    await b.sync();
    expect(Number(await redisA.get(`${prefix}:rep`))).toBe(100);
    // b adopted the window Redis holds (started by a), not one of its own.
    const refused = await b.consume('rep', 1);
    expect(refused.allowed).toBe(false);
    expect(refused.msBeforeReset).toBeLessThanOrEqual(ttl);

    // Interleaved without explicit syncs: together at most the limit plus each one's budget.
    let admitted = 0;
    for (let i = 0; i < 80; i++) {
      if ((await a.consume('company', 1)).allowed) admitted++;
      if ((await b.consume('company', 1)).allowed) admitted++;
    }
    await Promise.all([a.sync(), b.sync()]);
    expect(admitted).toBeGreaterThanOrEqual(100);
    expect(admitted).toBeLessThanOrEqual(110);
    expect(Number(await redisA.get(`${prefix}:company`))).toBe(admitted);
    await redisA.del(`${prefix}:rep`, `${prefix}:company`);
  });
});
