import { randomUUID } from 'node:crypto';
import { connectMongo, ensureIndexes, type MongoHandle } from '@reps/mongo';
import { createLogger, createMetricsRegistry } from '@reps/observability';
import { resolveTestEnv, uniqueName, type TestEnv } from '@reps/testing';
import {
  createMongoEventStore,
  eventStoreIndexes,
  StreamVersionConflict,
  type CommitDoc,
  type EventStore,
  type OutboxDoc,
} from './mongo-event-store';
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
    await ensureIndexes(commits, eventStoreIndexes);
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
    expect(await store.isPending(`${stream}@2`)).toBe(true);
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
      expect(await store.isPending(`${stream}@1`)).toBe(false);
      expect(await store.isPending(`${stream}@2`)).toBe(false);
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
    await relay.publishInline([commit], null);
    expect(await store.isPending(commit._id)).toBe(true);
    await relay.drain();
    expect(sent.some((e) => e.aggregate_id === stream)).toBe(false);
    brokerUp = true;
    await relay.drain();
    expect(sent.filter((e) => e.aggregate_id === stream)).toHaveLength(1);
  });
});
