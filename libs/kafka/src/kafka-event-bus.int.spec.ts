import { resolveTestEnv, uniqueName, waitFor, type TestEnv } from '@reps/testing';
import { createKafkaEventBus } from './kafkajs-event-bus';
import type { EventBus, IncomingMessage } from './event-bus';

describe('kafka event bus against a real broker', () => {
  let env: TestEnv;
  let bus: EventBus;

  beforeAll(async () => {
    env = await resolveTestEnv();
    bus = createKafkaEventBus({ brokers: env.kafkaBrokers, clientId: uniqueName('smoke') });
  });

  afterAll(async () => {
    await bus?.close();
    await env?.close();
  });

  // npm run chaos found it: services starting at once on a fresh cluster create the same topics,
  // and the loser's wait for leaders failed with "This server does not host this topic-partition".
  it('lets several services create the same topics at the same time', async () => {
    const buses = [0, 1, 2].map((i) => createKafkaEventBus({ brokers: env.kafkaBrokers, clientId: uniqueName(`race-${i}`) }));
    try {
      for (let round = 0; round < 3; round++) {
        const specs = [0, 1, 2, 3].map((i) => ({ name: uniqueName(`race-topic-${i}`), partitions: 6, retentionMs: 3_600_000 }));
        const admins = await Promise.all(buses.map((b) => b.admin()));
        await Promise.all(admins.map((admin, i) => admin.ensureTopics(i === 1 ? [...specs].reverse() : specs)));
        expect((await admins[0]!.listTopics()).filter((t) => specs.some((s) => s.name === t))).toHaveLength(4);
        await admins[0]!.deleteTopics(specs.map((s) => s.name));
        await Promise.all(admins.map((admin) => admin.close()));
      }
    } finally {
      await Promise.all(buses.map((b) => b.close()));
    }
  });

  it('creates a topic with explicit partitions, produces idempotently and consumes in a group', async () => {
    const topic = uniqueName('smoke-topic');
    const groupId = uniqueName('smoke-group');
    const admin = await bus.admin();
    await admin.ensureTopics([{ name: topic, partitions: 3, retentionMs: 3_600_000 }]);
    // A second call is a no-op, not an error: services call it at every start.
    await admin.ensureTopics([{ name: topic, partitions: 3, retentionMs: 3_600_000 }]);
    expect(await admin.listTopics()).toContain(topic);

    const producer = await bus.producer();
    const sent = Array.from({ length: 30 }, (_, i) => ({
      key: `aggregate-${i % 5}`,
      value: JSON.stringify({ seq: i }),
      headers: { 'correlation-id': `c-${i}` },
    }));
    await producer.send(topic, sent);

    const received: IncomingMessage[] = [];
    const consumer = await bus.consumer({ groupId, topics: [topic] });
    await consumer.run(async (batch) => {
      received.push(...batch.messages);
    });
    await waitFor(() => received.length >= sent.length, { what: 'all messages consumed', timeoutMs: 30_000 });
    await consumer.close();

    expect(received).toHaveLength(sent.length);
    // Per key, order is preserved (one key → one partition).
    const byKey = new Map<string, number[]>();
    for (const m of received) {
      const seqs = byKey.get(m.key ?? '') ?? [];
      seqs.push((JSON.parse(m.value!.toString()) as { seq: number }).seq);
      byKey.set(m.key ?? '', seqs);
    }
    for (const seqs of byKey.values()) expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(received.find((m) => m.key === 'aggregate-0')?.headers['correlation-id']).toBe('c-0');

    // Offsets were committed after the handler: nothing is left for the group.
    const lag = await admin.groupLag(groupId, topic);
    expect(lag.reduce((sum, p) => sum + p.lag, 0)).toBe(0);
    await admin.deleteTopics([topic]);
  });

  it('answers a ping while the broker is up', async () => {
    await expect(bus.ping()).resolves.toBeUndefined();
  });
});
