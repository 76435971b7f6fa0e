import { connectMongo, type MongoHandle } from '@reps/mongo';
import { resolveTestEnv, uniqueName, type TestEnv } from '@reps/testing';
import { createIdempotencyStore, hashRequest, type IdempotencyDoc, type IdempotencyStore } from './idempotency-store';

describe('idempotency store (real server)', () => {
  let env: TestEnv;
  let mongo: MongoHandle;
  let store: IdempotencyStore;
  const t0 = new Date('2026-01-01T00:00:00Z');
  const at = (ms: number) => new Date(t0.getTime() + ms);

  beforeAll(async () => {
    env = await resolveTestEnv();
    mongo = await connectMongo({ url: env.mongoUrl, dbName: uniqueName('idem').replace(/-/g, '_'), appName: 'test' });
    store = createIdempotencyStore(mongo.db.collection<IdempotencyDoc>('idempotency'));
  });

  afterAll(async () => {
    await mongo?.db.dropDatabase().catch(() => undefined);
    await mongo?.close();
    await env?.close();
  });

  it('claims once, replays the completed response, and refuses another body', async () => {
    const key = uniqueName('key');
    const body = { first_name: 'Jane', email: 'j@example.com' };
    const first = await store.claim('user:7:42', key, body, t0);
    expect(first.kind).toBe('claimed');
    expect(await store.claim('user:7:42', key, body, at(10))).toEqual({ kind: 'in_progress' });
    if (first.kind !== 'claimed') throw new Error('unreachable');
    await store.complete(first.id, { status: 201, body: { contact: { id: 1 } }, headers: { etag: 'W/"1"' } });
    // Key order does not make a different body.
    expect(await store.claim('user:7:42', key, { email: 'j@example.com', first_name: 'Jane' }, at(20))).toEqual({
      kind: 'replay',
      response: { status: 201, body: { contact: { id: 1 } }, headers: { etag: 'W/"1"' } },
    });
    expect(await store.claim('user:7:42', key, { first_name: 'Other' }, at(30))).toEqual({ kind: 'mismatch' });
    // Keys are per principal: another caller's identical key is unrelated.
    expect((await store.claim('user:7:43', key, body, at(40))).kind).toBe('claimed');
  });

  it('lets a retry take over an abandoned claim together with the ids it reserved', async () => {
    const key = uniqueName('key');
    const first = await store.claim('company:7', key, { a: 1 }, t0);
    if (first.kind !== 'claimed') throw new Error('expected a claim');
    await store.reserve(first.id, [100, 101]);
    expect(await store.claim('company:7', key, { a: 1 }, at(5_000))).toEqual({ kind: 'in_progress' });
    expect(await store.claim('company:7', key, { a: 1 }, at(60_000))).toEqual({
      kind: 'claimed',
      id: first.id,
      reservedIds: [100, 101],
    });
  });

  it('lets a retry take over at once the claim of a request that failed, with the ids it reserved', async () => {
    // The failure may have come after the write (a lost reply): new ids would create it twice.
    const key = uniqueName('key');
    const first = await store.claim('company:9', key, { a: 1 }, t0);
    if (first.kind !== 'claimed') throw new Error('expected a claim');
    await store.reserve(first.id, [200]);
    await store.release(first.id);
    expect(await store.claim('company:9', key, { a: 1 }, at(10))).toEqual({ kind: 'claimed', id: first.id, reservedIds: [200] });
    // Taken over: pending again, so a concurrent retry waits.
    expect(await store.claim('company:9', key, { a: 1 }, at(20))).toEqual({ kind: 'in_progress' });

    // A request that failed before reserving anything wrote nothing: its claim is simply gone.
    const other = uniqueName('key');
    const claim = await store.claim('company:9', other, { b: 1 }, t0);
    if (claim.kind !== 'claimed') throw new Error('expected a claim');
    await store.release(claim.id);
    expect(await store.claim('company:9', other, { b: 1 }, at(10))).toEqual({ kind: 'claimed', id: claim.id, reservedIds: undefined });
  });

  it('expires keys after 24 h (swept, and ignored before the sweep)', async () => {
    const key = uniqueName('key');
    const claim = await store.claim('company:8', key, { a: 1 }, t0);
    if (claim.kind !== 'claimed') throw new Error('expected a claim');
    await store.complete(claim.id, { status: 201, body: {}, headers: {} });
    const dayLater = at(24 * 60 * 60 * 1000 + 1);
    expect((await store.claim('company:8', key, { b: 2 }, dayLater)).kind).toBe('claimed');
    expect(await store.sweepExpired(at(3 * 24 * 60 * 60 * 1000))).toBeGreaterThanOrEqual(1);
  });

  it('hashes bodies independently of key order', () => {
    expect(hashRequest({ a: 1, b: [{ c: 1, d: 2 }] })).toBe(hashRequest({ b: [{ d: 2, c: 1 }], a: 1 }));
    expect(hashRequest({ a: 1 })).not.toBe(hashRequest({ a: 2 }));
  });
});
