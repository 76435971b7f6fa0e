import { connectMongo, type MongoHandle } from '@reps/mongo';
import { resolveTestEnv, uniqueName, type TestEnv } from '@reps/testing';
import { createIdAllocator, type BlockClaimDoc, type CounterDoc } from './id-allocator';

describe('id allocator (real server)', () => {
  let env: TestEnv;
  let mongo: MongoHandle;

  beforeAll(async () => {
    env = await resolveTestEnv();
    mongo = await connectMongo({ url: env.mongoUrl, dbName: uniqueName('ids').replace(/-/g, '_'), appName: 'test' });
  });

  afterAll(async () => {
    await mongo?.db.dropDatabase().catch(() => undefined);
    await mongo?.close();
    await env?.close();
  });

  it('never hands out an id twice, across allocators sharing the counter and concurrent callers', async () => {
    const counters = mongo.db.collection<CounterDoc>('counters');
    const claims = mongo.db.collection<BlockClaimDoc>('id_block_claims');
    const a = createIdAllocator(counters, claims, 'contact');
    const b = createIdAllocator(counters, claims, 'contact');
    const ids = (
      await Promise.all([
        ...Array.from({ length: 50 }, () => a.next()),
        ...Array.from({ length: 50 }, () => b.next()),
        a.nextMany(25),
        b.nextMany(1000),
      ])
    ).flat();
    expect(ids).toHaveLength(1125);
    expect(new Set(ids).size).toBe(ids.length);
    expect(Math.min(...ids)).toBeGreaterThanOrEqual(1);
    expect(ids.every((id) => Number.isSafeInteger(id))).toBe(true);
  });
});
