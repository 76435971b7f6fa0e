import { randomUUID } from 'node:crypto';
import { connectMongo, ensureIndexes, serverTraits, type MongoHandle } from '@reps/mongo';
import { createLogger, createMetricsRegistry } from '@reps/observability';
import { resolveTestEnv, uniqueName, type TestEnv } from '@reps/testing';
import {
  createMongoEventStore,
  eventStoreIndexes,
  storedEvents,
  StreamVersionConflict,
  type CommitDoc,
  type EventStore,
  type OutboxDoc,
} from './mongo-event-store';
import { createCommitBatcher } from './commit-batcher';
import { createOutboxRelay } from './outbox-relay';

interface TestEvent {
  id: string;
  aggregate_id: string;
  aggregate_version: number;
}

const event = (stream: string, version: number): TestEvent => ({ id: randomUUID(), aggregate_id: stream, aggregate_version: version });

describe('mongo event store and outbox relay (real server)', () => {
  let env: TestEnv;
  let mongo: MongoHandle;
  let store: EventStore<TestEvent>;

  beforeAll(async () => {
    env = await resolveTestEnv();
    mongo = await connectMongo({ url: env.mongoUrl, dbName: uniqueName('es').replace(/-/g, '_'), appName: 'test' });
    const commits = mongo.db.collection<CommitDoc<TestEvent>>('commits');
    await ensureIndexes(commits, eventStoreIndexes, await serverTraits(mongo.db));
    store = createMongoEventStore(commits, mongo.db.collection<OutboxDoc>('outbox'));
  });

  afterAll(async () => {
    await mongo?.db.dropDatabase().catch(() => undefined);
    await mongo?.close();
    await env?.close();
  });

  it('appends commits and reads the stream back in order', async () => {
    const stream = uniqueName('contact');
    const first = await store.append({ stream, expectedVersion: 0, previous: null, events: [event(stream, 1)] }, new Date());
    await store.append({ stream, expectedVersion: 1, previous: first._id, events: [event(stream, 2), event(stream, 3)] }, new Date());
    const read = await store.readStream(stream);
    expect(read.version).toBe(3);
    expect(read.events.map((e) => e.aggregate_version)).toEqual([1, 2, 3]);
    expect(read.lastCommitId).toBe(`${stream}@2`);
    expect(read.lastOutboxKey).toBeDefined();
    expect(await store.isPending(read.lastOutboxKey!)).toBe(true);
    expect(await store.outboxKeyOf(`${stream}@2`)).toBe(read.lastOutboxKey);
  });

  it('stores a flush as one outbox document listing its commits; a conflict refuses only its own request', async () => {
    const [a, b] = [uniqueName('contact'), uniqueName('contact')];
    const flush = await store.appendFlush(
      [
        { stream: a, expectedVersion: 0, previous: null, previousOutboxKey: null, events: [event(a, 1)] },
        { stream: b, expectedVersion: 0, previous: null, previousOutboxKey: null, events: [event(b, 1)] },
        { stream: a, expectedVersion: 0, previous: null, previousOutboxKey: null, events: [event(a, 1)] },
      ],
      new Date(),
    );
    expect(flush.results[0]).not.toBeInstanceOf(StreamVersionConflict);
    expect(flush.results[1]).not.toBeInstanceOf(StreamVersionConflict);
    expect(flush.results[2]).toBeInstanceOf(StreamVersionConflict);
    const doc = (await store.pendingOutbox(1000, new Date(Date.now() + 60_000))).find((entry) => entry._id === flush.id);
    expect(doc && 'commits' in doc ? doc.commits.map((c) => c._id) : null).toEqual([`${a}@1`, `${b}@1`, `${a}@1`]);
    // Stored compactly (FerretDB's cost is per field): the list and the events as JSON text.
    const raw = await mongo.db.collection('outbox').findOne({ _id: flush.id as never });
    expect(typeof raw?.['commits_json']).toBe('string');
    const commit = await mongo.db.collection('commits').findOne({ _id: `${b}@1` as never });
    expect([typeof commit?.['events_json'], commit?.['events']]).toEqual(['string', undefined]);
    expect(storedEvents(commit as { events_json?: string })).toEqual([expect.objectContaining({ aggregate_id: b, aggregate_version: 1 })]);
    expect(await store.outboxKeyOf(`${b}@1`)).toBe(flush.id);
  });

  it('lets exactly one of many concurrent writers at one version win', async () => {
    const stream = uniqueName('contact');
    const first = await store.append({ stream, expectedVersion: 0, previous: null, events: [event(stream, 1)] }, new Date());
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () =>
        store.append({ stream, expectedVersion: 1, previous: first._id, events: [event(stream, 2)] }, new Date()),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(rejected).toHaveLength(19);
    for (const r of rejected) expect(r.reason).toBeInstanceOf(StreamVersionConflict);
    expect((await store.readStream(stream)).version).toBe(2);
  });

  it('appendMany reports a conflict per request and stores the rest', async () => {
    const taken = uniqueName('contact');
    await store.append({ stream: taken, expectedVersion: 0, previous: null, events: [event(taken, 1)] }, new Date());
    const fresh = [uniqueName('contact'), uniqueName('contact')];
    const results = await store.appendMany(
      [
        { stream: fresh[0]!, expectedVersion: 0, previous: null, events: [event(fresh[0]!, 1)] },
        { stream: taken, expectedVersion: 0, previous: null, events: [event(taken, 1)] },
        { stream: fresh[1]!, expectedVersion: 0, previous: null, events: [event(fresh[1]!, 1)] },
      ],
      new Date(),
    );
    expect(results[0]).not.toBeInstanceOf(StreamVersionConflict);
    expect(results[1]).toBeInstanceOf(StreamVersionConflict);
    expect(results[2]).not.toBeInstanceOf(StreamVersionConflict);
  });

  it('relays unpublished commits in per-stream version order, once each, then marks them', async () => {
    const streams = [uniqueName('contact'), uniqueName('contact')];
    for (const stream of streams) {
      const first = await store.append({ stream, expectedVersion: 0, previous: null, events: [event(stream, 1)] }, new Date());
      await store.append({ stream, expectedVersion: 1, previous: first._id, events: [event(stream, 2)] }, new Date());
    }
    const sent: TestEvent[] = [];
    const relay = createOutboxRelay({
      store,
      publish: async (events) => void sent.push(...events),
      logger: createLogger({ service: 'test', level: 'silent' }),
      metrics: createMetricsRegistry('test', { defaultMetrics: false }),
    });
    await relay.drain();
    for (const stream of streams) {
      expect(sent.filter((e) => e.aggregate_id === stream).map((e) => e.aggregate_version)).toEqual([1, 2]);
      expect(await store.isPending((await store.outboxKeyOf(`${stream}@1`))!)).toBe(false);
      expect(await store.isPending((await store.outboxKeyOf(`${stream}@2`))!)).toBe(false);
    }
    const before = sent.length;
    await relay.drain();
    expect(sent.length).toBe(before);
  });

  it('removes an orphaned outbox entry (the writer died before its commit) after the grace period', async () => {
    const outbox = mongo.db.collection<OutboxDoc>('outbox');
    const stream = uniqueName('contact');
    await outbox.insertOne({ _id: `${stream}@1`, stream, version: 1, previous: null, created_at: new Date(Date.now() - 60_000) });
    const relay = createOutboxRelay({
      store,
      publish: async () => undefined,
      logger: createLogger({ service: 'test', level: 'silent' }),
      metrics: createMetricsRegistry('test', { defaultMetrics: false }),
    });
    await relay.drain();
    expect(await store.isPending(`${stream}@1`)).toBe(false);
  });

  it('keeps a commit pending when publishing fails, and sends it on the next round', async () => {
    const stream = uniqueName('contact');
    const commit = await store.append({ stream, expectedVersion: 0, previous: null, events: [event(stream, 1)] }, new Date());
    let brokerUp = false;
    const sent: TestEvent[] = [];
    const relay = createOutboxRelay({
      store,
      publish: async (events) => {
        if (!brokerUp) throw new Error('broker down');
        sent.push(...events);
      },
      logger: createLogger({ service: 'test', level: 'silent' }),
      metrics: createMetricsRegistry('test', { defaultMetrics: false }),
    });
    await relay.publishFlush(commit.flush!, [{ commit, previousKey: null }]);
    expect(await store.isPending(commit.flush!)).toBe(true);
    await relay.drain();
    expect(sent.some((e) => e.aggregate_id === stream)).toBe(false);
    brokerUp = true;
    await relay.drain();
    expect(sent.filter((e) => e.aggregate_id === stream)).toHaveLength(1);
  });

  const quietRelay = (publish: (events: TestEvent[]) => Promise<void>, extra: { orphanAfterMs?: number } = {}) =>
    createOutboxRelay({
      store,
      publish,
      logger: createLogger({ service: 'test', level: 'silent' }),
      metrics: createMetricsRegistry('test', { defaultMetrics: false }),
      ...extra,
    });

  it('still publishes a per-commit outbox entry written before group commit (an upgrade with a backlog)', async () => {
    const stream = uniqueName('contact');
    const old = { _id: `${stream}@1`, stream, version: 1, last_version: 1, previous: null, events: [event(stream, 1)], recorded_at: new Date() };
    await mongo.db.collection<OutboxDoc>('outbox').insertOne({ _id: old._id, stream, version: 1, previous: null, created_at: new Date() });
    await mongo.db.collection<CommitDoc<TestEvent>>('commits').insertOne(old);
    const read = await store.readStream(stream);
    expect(read.lastOutboxKey).toBe(old._id);
    const next = await store.append(
      { stream, expectedVersion: 1, previous: read.lastCommitId, previousOutboxKey: read.lastOutboxKey!, events: [event(stream, 2)] },
      new Date(),
    );
    const sent: TestEvent[] = [];
    const relay = quietRelay(async (events) => void sent.push(...events));
    // The new commit waits for the old one: sending it first would overtake it.
    await relay.publishFlush(next.flush!, [{ commit: next, previousKey: old._id }]);
    expect(sent.filter((e) => e.aggregate_id === stream)).toHaveLength(0);
    await relay.drain();
    expect(sent.filter((e) => e.aggregate_id === stream).map((e) => e.aggregate_version)).toEqual([1, 2]);
    expect(await store.isPending(old._id)).toBe(false);
    expect(await store.isPending(next.flush!)).toBe(false);
  });

  it('publishes the stored commits of a flush once, and drops the flush once a listed commit that never came is past the grace period', async () => {
    const [a, missing] = [uniqueName('contact'), uniqueName('contact')];
    const stored = await store.append({ stream: a, expectedVersion: 0, previous: null, events: [event(a, 1)] }, new Date());
    const outbox = mongo.db.collection<{ _id: string; commits_json: string }>('outbox');
    // As if the writer died between the outbox document and the commit of `missing`.
    const listed = JSON.parse((await outbox.findOne({ _id: stored.flush! }))!.commits_json) as unknown[];
    listed.push({ _id: `${missing}@1`, stream: missing, version: 1, previous: null, previous_key: null });
    await outbox.updateOne({ _id: stored.flush! }, { $set: { commits_json: JSON.stringify(listed) } });
    const sent: TestEvent[] = [];
    const patient = quietRelay(async (events) => void sent.push(...events));
    await patient.drain();
    await patient.drain();
    expect(sent.filter((e) => e.aggregate_id === a)).toHaveLength(1);
    expect(await store.isPending(stored.flush!)).toBe(true);
    await quietRelay(async (events) => void sent.push(...events), { orphanAfterMs: 0 }).drain();
    expect(await store.isPending(stored.flush!)).toBe(false);
  });

  it('group commit: concurrent commits share flushes, each gets its own outcome, each winner is published once', async () => {
    const sent: TestEvent[] = [];
    const relay = quietRelay(async (events) => void sent.push(...events));
    let flushes = 0;
    const counting: EventStore<TestEvent> = {
      ...store,
      appendFlush: (requests, now, id) => {
        flushes++;
        return store.appendFlush(requests, now, id);
      },
    };
    const batcher = createCommitBatcher({ store: counting, relay, clock: () => new Date(), maxBatch: 16 });
    const fresh = Array.from({ length: 40 }, () => uniqueName('contact'));
    const hot = uniqueName('contact');
    const results = await Promise.allSettled([
      ...fresh.map((stream) => batcher.commit({ stream, expectedVersion: 0, previous: null, previousOutboxKey: null, events: [event(stream, 1)] })),
      ...Array.from({ length: 10 }, () =>
        batcher.commit({ stream: hot, expectedVersion: 0, previous: null, previousOutboxKey: null, events: [event(hot, 1)] }),
      ),
    ]);
    expect(results.slice(0, 40).every((r) => r.status === 'fulfilled')).toBe(true);
    const hotResults = results.slice(40);
    expect(hotResults.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of hotResults.filter((r): r is PromiseRejectedResult => r.status === 'rejected'))
      expect(r.reason).toBeInstanceOf(StreamVersionConflict);
    expect(flushes).toBeGreaterThanOrEqual(4); // 50 commits, at most 16 per flush
    expect(flushes).toBeLessThan(10);
    for (const stream of [...fresh, hot]) expect(sent.filter((e) => e.aggregate_id === stream)).toHaveLength(1);
    await relay.drain();
    expect(sent.filter((e) => fresh.includes(e.aggregate_id) || e.aggregate_id === hot)).toHaveLength(41);
  });
});
