import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mintToken } from '@reps/auth';
import type { ContactEvent } from '@reps/contracts';
import { createKafkaEventBus, type EventBus } from '@reps/kafka';
import { connectMongo, type MongoHandle } from '@reps/mongo';
import { freePort, resolveTestEnv, uniqueName, waitFor, type TestEnv } from '@reps/testing';
import { isolatedSettings, readTopic, TEST_SECRET } from '../testing/command-service.spec-helper';
import { storedEvents } from './mongo-event-store';

const COMMAND_MAIN = join(__dirname, '..', '..', 'dist', 'main.js');
const PROJECTION_MAIN = join(__dirname, '..', '..', '..', 'contacts-projection', 'dist', 'main.js');
const TENANT = 7;
const SEEDS = 250;
const CREATES = 500;
const UPDATES = 500; // two per seed contact, without If-Match: same-stream races decide again
const KILL_AFTER_ACKS = 300;

interface Ack {
  kind: 'create' | 'update';
  contactId: number;
  version: number;
  marker: string;
}

/**
 * Group commit under a SIGKILL: 500 creates and 500 updates in flight at once through one
 * contacts-command (so flushes are full), the process killed mid-batch, restarted, its relay left
 * to drain. Every acknowledged write must then be on Kafka exactly once per (contact, version) —
 * redelivered copies of the same event id are at-least-once delivery and allowed, counted as
 * chaos/lib/checker.cjs check (a) does — and in the read model of a real projection.
 */
describe('group commit: 500 creates and 500 updates, SIGKILL mid-batch, restart', () => {
  let env: TestEnv;
  let mongo: MongoHandle;
  let bus: EventBus;
  let command: ChildProcess | undefined;
  let projection: ChildProcess | undefined;
  const settings = {
    dbName: '',
    topic: '',
    groupsTopic: '',
    notesTopic: '',
    tasksTopic: '',
    env: {} as Record<string, string>,
  };
  const readDb = uniqueName('gck_read').replace(/-/g, '_');
  const logFile = join(tmpdir(), `group-commit-kill-${process.pid}.log`);
  const logTail = () =>
    existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n') : '';

  beforeAll(async () => {
    for (const main of [COMMAND_MAIN, PROJECTION_MAIN])
      if (!existsSync(main)) throw new Error(`${main} is missing: run "npm run build" first (npm test does)`);
    env = await resolveTestEnv();
    Object.assign(settings, isolatedSettings(env));
    mongo = await connectMongo({ url: env.mongoUrl, dbName: settings.dbName, appName: 'test' });
    bus = createKafkaEventBus({ brokers: env.kafkaBrokers, clientId: uniqueName('gck') });
  });

  afterAll(async () => {
    command?.kill('SIGKILL');
    projection?.kill('SIGKILL');
    await mongo?.db.dropDatabase().catch(() => undefined);
    await mongo?.client
      .db(readDb)
      .dropDatabase()
      .catch(() => undefined);
    await mongo?.close();
    const admin = await bus?.admin();
    await admin
      ?.deleteTopics([
        settings.topic,
        settings.groupsTopic,
        settings.notesTopic,
        settings.tasksTopic,
        `${settings.topic}.dlq`,
      ])
      .catch(() => undefined);
    await admin?.close();
    await bus?.close();
    await env?.close();
  });

  async function start(
    main: string,
    name: string,
    extra: Record<string, string>,
  ): Promise<{ proc: ChildProcess; port: number }> {
    const port = await freePort();
    const log = openSync(logFile, 'a');
    const proc = spawn(process.execPath, [main], {
      env: { ...process.env, ...settings.env, PORT: String(port), LOG_LEVEL: 'warn', ...extra },
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    await waitFor(
      async () => {
        if (proc.exitCode !== null) throw new Error(`${name} exited with ${proc.exitCode}\n${logTail()}`);
        return (await fetch(`http://127.0.0.1:${port}/readyz`)).ok;
      },
      { what: `${name} ready`, timeoutMs: 30_000 },
    );
    return { proc, port };
  }

  const startCommand = () =>
    start(COMMAND_MAIN, 'contacts-command', {
      MONGO_DB: settings.dbName,
      CONTACTS_TOPIC: settings.topic,
    });

  it('every acknowledged write is on Kafka once per (contact, version) and in the read model', async () => {
    let { proc, port } = await startCommand();
    command = proc;
    const token = await mintToken(TEST_SECRET, { scope: 'user', userId: 42, companyId: TENANT });
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const base = () => `http://127.0.0.1:${port}/api/user/crm/v202506/contacts`;
    const acks: Ack[] = [];
    const create = async (marker: string): Promise<Ack | undefined> => {
      const res = await fetch(base(), {
        method: 'POST',
        headers,
        body: JSON.stringify({ first_name: marker }),
      });
      if (res.status !== 201) return undefined;
      const body = (await res.json()) as { contact: { id: number } };
      return {
        kind: 'create',
        contactId: body.contact.id,
        version: Number(/"(\d+)"/.exec(res.headers.get('etag')!)![1]),
        marker,
      };
    };

    // The contacts the updates will hit, created before the storm.
    const seeds = await Promise.all(Array.from({ length: SEEDS }, (_, i) => create(`Seed${i}`)));
    expect(seeds.every(Boolean)).toBe(true);
    acks.push(...(seeds as Ack[]));

    // The storm: creates and updates interleaved, all in flight at once; SIGKILL once 300 answered.
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      command!.once('exit', (_c, signal) => resolve(signal)),
    );
    let answered = 0;
    let killedAt = -1;
    const record = (ack: Ack | undefined) => {
      if (ack) acks.push(ack);
      if (++answered === KILL_AFTER_ACKS && killedAt < 0) {
        killedAt = answered;
        command!.kill('SIGKILL');
      }
    };
    const failedOrRefused = { network: 0, status: new Map<number, number>() };
    const storm = Array.from({ length: CREATES + UPDATES }, async (_, i) => {
      try {
        if (i % 2 === 0) return record(await create(`Storm${i}`));
        const seed = seeds[(i >> 1) % SEEDS]!;
        const city = `City${i}`;
        const res = await fetch(`${base()}/${seed.contactId}`, {
          method: 'PATCH',
          headers,
          body: JSON.stringify({ city }),
        });
        if (res.status !== 200) {
          failedOrRefused.status.set(res.status, (failedOrRefused.status.get(res.status) ?? 0) + 1);
          return record(undefined);
        }
        const version = Number(/"(\d+)"/.exec(res.headers.get('etag')!)![1]);
        return record({ kind: 'update', contactId: seed.contactId, version, marker: city });
      } catch {
        failedOrRefused.network++; // the connection died with the process: not acknowledged
        return undefined;
      }
    });
    await Promise.all(storm);
    expect(await exited).toBe('SIGKILL');
    const stormAcks = acks.length - SEEDS;
    process.stdout.write(
      `group-commit-kill: ${stormAcks} of ${CREATES + UPDATES} storm writes acknowledged before the SIGKILL, ` +
        `${failedOrRefused.network} cut off, refused: ${JSON.stringify([...failedOrRefused.status])}\n`,
    );
    expect(failedOrRefused.network).toBeGreaterThan(0); // the kill landed while requests were in flight

    // Restart: the relay publishes what the dead process stored but did not send.
    ({ proc, port } = await startCommand());
    command = proc;
    projection = (
      await start(PROJECTION_MAIN, 'contacts-projection', {
        MONGO_DB: readDb,
        CONTACTS_TOPIC: settings.topic,
        PROJECTION_GROUP_ID: uniqueName('gck-proj'),
        READ_MODEL_PREFIX: 't_',
        GENERATION_POLL_MS: '200',
      })
    ).proc;

    // Everything stored (acknowledged or not) — the event store is the truth the topic must match.
    const commits = mongo.db.collection<{ events_json?: string }>('contact_commits');
    const stored = new Map<string, ContactEvent>();
    for (const commit of await commits.find({}).toArray())
      for (const event of storedEvents<ContactEvent>(commit))
        stored.set(`${event.aggregate_id}@${event.aggregate_version}`, event);
    const onTopic = (events: ContactEvent[]) => {
      const keys = new Set(events.map((e) => `${e.aggregate_id}@${e.aggregate_version}`));
      return [...stored.keys()].every((k) => keys.has(k));
    };
    const events = await readTopic(bus, settings.topic, stored.size, onTopic, 45_000);

    // Check (a) of chaos/lib/checker.cjs: one distinct event per (contact, version), the stored one.
    const topicAt = new Map<string, Set<string>>();
    for (const e of events) {
      const k = `${e.aggregate_id}@${e.aggregate_version}`;
      topicAt.set(k, (topicAt.get(k) ?? new Set()).add(e.id));
    }
    const problems: string[] = [];
    for (const [k, ids] of topicAt) {
      if (ids.size > 1) problems.push(`${k}: ${ids.size} different events on the topic`);
      if (!stored.has(k)) problems.push(`${k}: on the topic but not in the event store`);
    }
    for (const [k, event] of stored)
      if (!topicAt.get(k)?.has(event.id)) problems.push(`${k}: stored but never published`);
    for (const ack of acks) {
      const k = `${ack.contactId}@${ack.version}`;
      const event = stored.get(k);
      const marker =
        event?.type === 'contact.created'
          ? event.data.first_name
          : event?.type === 'contact.updated'
            ? event.data.changes.city
            : undefined;
      if (!event) problems.push(`acknowledged ${ack.kind} ${k} is not in the event store`);
      else if (
        event.type !== (ack.kind === 'create' ? 'contact.created' : 'contact.updated') ||
        marker !== ack.marker
      )
        problems.push(`acknowledged ${ack.kind} ${k}: the store has another event (${event.type})`);
    }
    const redelivered = events.length - topicAt.size;
    process.stdout.write(
      `group-commit-kill: ${stored.size} stored events, ${events.length} on the topic (${redelivered} redelivered copies)\n`,
    );
    expect(problems).toEqual([]);

    // The read model: every contact at its stream's last version, so every acknowledged write is in it.
    const last = new Map<number, number>();
    for (const event of stored.values())
      last.set(event.aggregate_id, Math.max(last.get(event.aggregate_id) ?? 0, event.aggregate_version));
    const readModel = mongo.client.db(readDb).collection<{ _id: string; _v: number }>('t_contacts_user_g1');
    let behind: string[] = [];
    await waitFor(
      async () => {
        const docs = new Map(
          (await readModel.find({}, { projection: { _id: 1, _v: 1 } }).toArray()).map((d) => [d._id, d._v]),
        );
        behind = [...last]
          .filter(([id, version]) => docs.get(`${TENANT}:${id}`) !== version)
          .map(([id, v]) => `${id}@${v}`);
        return behind.length === 0;
      },
      { what: 'the read model at every stream version', timeoutMs: 45_000, intervalMs: 500 },
    ).catch((error: unknown) => {
      throw new Error(
        `${String(error)}: ${behind.length} behind, e.g. ${behind.slice(0, 5).join(', ')}\n${logTail()}`,
      );
    });
    for (const ack of acks) expect(last.get(ack.contactId)).toBeGreaterThanOrEqual(ack.version);

    for (const child of [command, projection]) {
      const gone = new Promise((resolve) => child!.once('exit', resolve));
      child!.kill('SIGTERM');
      await gone;
    }
    command = projection = undefined;
  }, 120_000);
});
