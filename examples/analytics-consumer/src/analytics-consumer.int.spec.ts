import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Kafka, Partitioners, logLevel, type Producer } from 'kafkajs';
import { connectMongo } from '@reps/mongo';
import {
  freePort,
  requestAs,
  resolveTestEnv,
  uniqueName,
  waitFor,
  type RequestAs,
  type TestEnv,
} from '@reps/testing';
import { startAnalyticsConsumer, type RunningAnalyticsConsumer } from './consumer/analytics-consumer';
import { countByCompany, type CompanyCounts } from './counts/company-counts';
import { createTally } from './counts/tally';
import { createEventClassifier } from './events/event-classifier';
import { loadPublishedSchemas } from './events/published-schemas';

/*
 * The consumer against the real Kafka, fed by the real contacts-command (its build, as a
 * process, on a topic and database of this test's own): a burst of creates, status changes,
 * renames, discards, restores and reassignments across three companies; then an event of an
 * unknown type, an invalid event, and redelivered copies. The counts must equal an oracle
 * built from the command service's own answers, before and after replays.
 */

const REPO_ROOT = resolve(__dirname, '../../..');
const SECRET = 'analytics-example-test-secret-0123456789';
const USERS = '/api/user/crm/v202506/contacts';
const COMPANY = '/api/company/crm/v202506/contacts';
const COMPANIES = [11, 12, 13];
const STATUSES = ['active', 'lead', 'prospect', 'customer', 'inactive'];
const repsOf = (companyId: number) => [companyId * 100 + 1, companyId * 100 + 2];

type Principal = Parameters<RequestAs>[0];

/** What the command service answered last for a contact: the oracle's input. */
interface Known {
  id: number;
  companyId: number;
  principal: Principal;
  path: string;
  status: string;
  origin: string;
  discarded: boolean;
  version: number;
  userId: number;
}

/** Deterministic choices, so a failure can be rerun as it happened (the seed is in the test name). */
function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, pick: <T>(items: T[]): T => items[Math.floor(next() * items.length)]! };
}

function oracle(contacts: Iterable<Known>): CompanyCounts[] {
  const byCompany = new Map<number, CompanyCounts>();
  for (const c of contacts) {
    const counts = byCompany.get(c.companyId) ?? {
      companyId: c.companyId,
      live: 0,
      discarded: 0,
      byStatus: {},
      byOrigin: {},
    };
    byCompany.set(c.companyId, counts);
    if (c.discarded) counts.discarded++;
    else {
      counts.live++;
      counts.byStatus[c.status] = (counts.byStatus[c.status] ?? 0) + 1;
      counts.byOrigin[c.origin] = (counts.byOrigin[c.origin] ?? 0) + 1;
    }
  }
  return [...byCompany.values()].sort((a, b) => a.companyId - b.companyId);
}

async function startCommandService(env: TestEnv, topic: string, dbName: string) {
  const main = join(REPO_ROOT, 'apps/contacts-command/dist/main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: build first (npx tsc -b tsconfig.json)`);
  const port = await freePort();
  const child = spawn(process.execPath, [main], {
    env: {
      PATH: process.env['PATH'] ?? '',
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(port),
      KAFKA_BROKERS: env.kafkaBrokers.join(','),
      MONGO_URL: env.mongoUrl,
      MONGO_DB: dbName,
      CONTACTS_TOPIC: topic,
      CONTACTS_TOPIC_PARTITIONS: '3',
      OUTBOX_RELAY_INTERVAL_MS: '200',
      AUTH_JWT_SECRET: SECRET,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
  const base = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (child.exitCode !== null)
        throw new Error(`contacts-command exited with ${child.exitCode}: ${output.join('').slice(-2000)}`);
      return (await fetch(`${base}/readyz`)).status === 200;
    },
    { timeoutMs: 60_000, intervalMs: 200, what: 'contacts-command to be ready' },
  ).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  return { base, child };
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

describe('analytics consumer example (real Kafka, events from the real contacts-command)', () => {
  const seed = Number(process.env['ANALYTICS_TEST_SEED'] ?? Date.now() % 100_000);
  const topic = uniqueName('crm.contacts.analytics');
  const dbName = uniqueName('analytics_cmd').replace(/-/g, '_');
  const classify = createEventClassifier(loadPublishedSchemas(join(REPO_ROOT, 'docs/events')));
  const known = new Map<number, Known>();
  let env: TestEnv;
  let command: { base: string; child: ChildProcess } | undefined;
  let request: RequestAs;
  let kafka: Kafka;
  let producer: Producer;
  const consumers: RunningAnalyticsConsumer[] = [];

  const start = async (groupId: string, tally = createTally()) => {
    const consumer = await startAnalyticsConsumer({
      brokers: env.kafkaBrokers,
      groupId,
      topics: [topic, `${topic}.absent`],
      fromBeginning: true,
      classify,
      tally,
      clientId: uniqueName('analytics-test'),
    });
    consumers.push(consumer);
    return consumer;
  };
  const caughtUp = (consumer: RunningAnalyticsConsumer, messages: number) =>
    waitFor(async () => consumer.tally.stats.messages >= messages && (await consumer.lag()) === 0, {
      timeoutMs: 45_000,
      intervalMs: 200,
      what: `the consumer to process ${messages} messages`,
    });
  const countsOf = (consumer: RunningAnalyticsConsumer) => countByCompany(consumer.tally.contacts.values());
  const eventsPublished = () => [...known.values()].reduce((n, c) => n + c.version, 0);

  beforeAll(async () => {
    env = await resolveTestEnv();
    command = await startCommandService(env, topic, dbName);
    request = requestAs(command.base, SECRET);
    kafka = new Kafka({
      clientId: uniqueName('analytics-test'),
      brokers: env.kafkaBrokers,
      logLevel: logLevel.WARN,
    });
    // The partitioner contacts-command uses: a copy lands on its original's partition, as a redelivery would.
    producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
  }, 90_000);

  afterAll(async () => {
    await Promise.all(consumers.map((c) => c.stop()));
    await producer?.disconnect();
    if (command) await stopProcess(command.child);
    const admin = kafka?.admin();
    if (admin) {
      await admin.connect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    }
    if (env) {
      const mongo = await connectMongo({ url: env.mongoUrl, dbName, appName: 'analytics-test' });
      await mongo.db.dropDatabase().catch(() => undefined);
      await mongo.close();
    }
    await env?.close();
  }, 60_000);

  /** Sends a command and records the contact as the service answered (409: refused, no event). */
  async function send(
    contact: Known | undefined,
    principal: Principal,
    method: string,
    path: string,
    body?: unknown,
  ) {
    const res = await request(principal, method, path, body);
    if (res.status === 409 && contact) return;
    if (res.status !== 200 && res.status !== 201)
      throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    const resource = ((await res.json()) as { contact: Record<string, unknown> & { id: number } }).contact;
    const version = Number(/^W\/"(\d+)"$/.exec(res.headers.get('etag') ?? '')?.[1]);
    const companyId = contact?.companyId ?? (principal as { companyId: number }).companyId;
    known.set(resource.id, {
      id: resource.id,
      companyId,
      principal,
      path: contact?.path ?? `${principal!.scope === 'user' ? USERS : COMPANY}/${resource.id}`,
      status: String(resource['status']),
      origin: String(resource['origin']),
      discarded: resource['discarded_at'] !== null,
      version,
      userId: Number(resource['user_id']),
    });
  }

  it(`counts a burst of creates, updates, discards, restores and reassignments as the oracle does (seed ${seed})`, async () => {
    const rnd = random(seed);
    // Creates: a quarter by reps (origin user_app), the rest by their company's API or website.
    const creates = Array.from({ length: 24 }, (_, i) => {
      const companyId = COMPANIES[i % COMPANIES.length]!;
      const rep = rnd.pick(repsOf(companyId));
      const status = rnd.next() < 0.3 ? {} : { status: rnd.pick(STATUSES) };
      if (i % 4 === 0) {
        return () =>
          send(undefined, { scope: 'user', userId: rep, companyId }, 'POST', USERS, {
            first_name: `Rep${i}`,
            ...status,
          });
      }
      const origin = rnd.pick(['company_api', 'company_website']);
      return () =>
        send(undefined, { scope: 'company', companyId }, 'POST', COMPANY, {
          first_name: `Co${i}`,
          user_id: rep,
          origin,
          ...status,
        });
    });
    for (let i = 0; i < creates.length; i += 6)
      await Promise.all(creates.slice(i, i + 6).map((create) => create()));
    expect(known.size).toBe(24);

    // Waves of commands, one per contact per wave (so they never race each other's versions).
    const act = (c: Known, kind: string) => {
      switch (kind) {
        case 'status':
          return send(c, c.principal, 'PATCH', c.path, { status: rnd.pick(STATUSES) });
        case 'rename':
          return send(c, c.principal, 'PATCH', c.path, {
            last_name: `L${rnd.next().toString(36).slice(2, 8)}`,
          });
        case 'discard':
          return send(c, c.principal, 'DELETE', c.path);
        case 'restore':
          return send(c, c.principal, 'POST', `${c.path}/restore`);
        case 'reassign': {
          if (c.principal!.scope !== 'company')
            return send(c, c.principal, 'PATCH', c.path, { status: rnd.pick(STATUSES) });
          const other = repsOf(c.companyId).find((rep) => rep !== c.userId)!;
          return send(c, c.principal, 'PATCH', c.path, { user_id: other });
        }
        default:
          throw new Error(kind);
      }
    };
    const kinds = ['status', 'status', 'rename', 'discard', 'restore', 'reassign'];
    for (let wave = 0; wave < 4; wave++) {
      const chosen = [...known.values()].filter(() => rnd.next() < 0.6);
      await Promise.all(chosen.map((c) => act(c, rnd.pick(kinds))));
    }
    // Whatever the dice said, the history holds each kind at least once.
    const [a, b, c] = [...known.values()].filter((k) => k.principal!.scope === 'company');
    await act(a!, 'discard');
    await act(b!, 'discard');
    await act(known.get(b!.id)!, 'restore');
    await act(c!, 'restore');
    await act(known.get(c!.id)!, 'reassign');
    await act(known.get(c!.id)!, 'status');
    const published = eventsPublished();
    expect(published).toBeGreaterThan(known.size * 2);
    const expected = oracle(known.values());
    expect(expected.reduce((n, company) => n + company.discarded, 0)).toBeGreaterThan(0);

    // Beyond the contract's events: a type nobody published a schema for (ignored), an event
    // that breaks its schema (logged, not applied: status "vip" must never be counted), and a
    // message that is not JSON.
    const target = known.get(a!.id)!;
    const envelope = {
      id: '7d7f6f0e-3f47-4a8e-9f3c-1b2a3c4d5e6f',
      schema_version: 1,
      occurred_at: new Date().toISOString(),
      aggregate_id: target.id,
      aggregate_version: target.version + 1,
      company_id: target.companyId,
      user_id: target.userId,
      company_visible: true,
      actor: { scope: 'company', user_id: null, company_id: target.companyId },
      correlation_id: 'analytics-test',
      causation_id: null,
    };
    await producer.send({
      topic,
      messages: [
        {
          key: String(target.id),
          value: JSON.stringify({ ...envelope, type: 'contact.merged', data: { into: 1 } }),
        },
        {
          key: String(target.id),
          value: JSON.stringify({
            ...envelope,
            type: 'contact.updated',
            data: {
              changes: { status: 'vip' },
              previous: { status: target.status },
              updated_at: envelope.occurred_at,
            },
          }),
        },
        { key: 'garbage', value: '{"type": "contact.updated", oops' },
      ],
    });
    const extras = 3;

    const groupA = uniqueName('analytics-a');
    const consumer = await start(groupA);
    expect(consumer.topics).toEqual([topic]);
    expect(consumer.missingTopics).toEqual([`${topic}.absent`]);
    await caughtUp(consumer, published + extras);
    expect(countsOf(consumer)).toEqual(expected);
    expect(consumer.tally.stats).toEqual({
      messages: published + extras,
      applied: published,
      gaps: 0,
      duplicates: 0,
      unseenContacts: 0,
      notCounted: 0,
      unknownTypes: { 'contact.merged': 1 },
      invalid: 2,
    });

    // At-least-once: copies of ten already-applied events arrive again (e.g. an outbox relay
    // that published twice). They are skipped; the counts stay.
    const copies = await readBack(published + extras);
    const redelivered = copies.filter(() => rnd.next() < 0.5).slice(0, 10);
    expect(redelivered).toHaveLength(10);
    await producer.send({ topic, messages: redelivered });
    await caughtUp(consumer, published + extras + redelivered.length);
    expect(countsOf(consumer)).toEqual(expected);
    expect(consumer.tally.stats).toMatchObject({
      applied: published,
      duplicates: redelivered.length,
      invalid: 2,
    });
    await consumer.stop();
    const total = published + extras + redelivered.length;

    // Replay into the same state (a new group reads everything again): nothing changes.
    const replay = await start(uniqueName('analytics-b'), consumer.tally);
    await caughtUp(replay, 2 * total);
    expect(countsOf(replay)).toEqual(expected);
    expect(replay.tally.stats).toMatchObject({
      applied: published,
      duplicates: published + 2 * redelivered.length,
    });
    await replay.stop();

    // A restart of the first group (offsets committed at the end) rebuilds from the beginning.
    const restarted = await start(groupA);
    await caughtUp(restarted, total);
    expect(countsOf(restarted)).toEqual(expected);
    expect(restarted.tally.stats).toMatchObject({
      messages: total,
      applied: published,
      duplicates: redelivered.length,
    });
  }, 240_000);

  /** The contact events on the topic as raw messages (key and value), read by a throwaway group. */
  async function readBack(expected: number): Promise<{ key: string; value: string }[]> {
    const messages: { key: string; value: string; valid: boolean }[] = [];
    const reader = kafka.consumer({ groupId: uniqueName('analytics-reader') });
    await reader.connect();
    await reader.subscribe({ topic, fromBeginning: true });
    await reader.run({
      eachMessage: async ({ message }) => {
        const value = message.value?.toString('utf8') ?? '';
        messages.push({
          key: message.key?.toString('utf8') ?? '',
          value,
          valid: classify(message.value).kind === 'event',
        });
      },
    });
    try {
      await waitFor(() => messages.length >= expected, {
        timeoutMs: 30_000,
        what: `${expected} messages on ${topic}`,
      });
    } finally {
      await reader.disconnect();
    }
    return messages.filter((m) => m.valid).map(({ key, value }) => ({ key, value }));
  }
});
