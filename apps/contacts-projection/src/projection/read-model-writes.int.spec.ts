import { MongoClient, type CommandStartedEvent, type Db } from 'mongodb';
import { Registry } from 'prom-client';
import type { ContactEvent } from '@reps/contracts';
import { contactStream, createReadModelCatalog, fenceKey, type ReadModelCatalog } from '@reps/contacts-read-model';
import type { IncomingBatch } from '@reps/kafka';
import { createWriteLane, DEFAULT_WRITE_LIMITS, FencedOutError, type Fences, type WriteLane } from '@reps/mongo';
import { createLogger } from '@reps/observability';
import { resolveTestEnv, uniqueName, type TestEnv } from '@reps/testing';
import { createContactProjection, type ContactProjection } from './contact-projection';
import { createPartitionFence } from './partition-fence';
import { createProjectionMetrics } from './projection-metrics';
import { createReadModelStore, type ReadModelStore } from './read-model-store';

const TOPIC = 'crm.contacts.writes-test';
const TENANT = 21;
const GENERATION = 'g1';

/** One consumed batch of one partition, as the Kafka consumer hands it to the projection. */
function batchOf(events: ContactEvent[], assignment: number, partition = 0): IncomingBatch {
  return {
    topic: TOPIC,
    partition,
    assignment,
    heartbeat: async () => undefined,
    messages: events.map((event, i) => ({
      topic: TOPIC,
      partition,
      offset: String(i),
      key: String(event.aggregate_id),
      value: Buffer.from(JSON.stringify(event)),
      headers: {},
      timestamp: '0',
    })),
  };
}

/** A store that stops after loading documents until released: a consumer paused between its read and its write. */
function pausedAfterLoad(inner: ReadModelStore) {
  let release!: () => void;
  let reached!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const paused = new Promise<void>((resolve) => (reached = resolve));
  const store: ReadModelStore = {
    async load(ids) {
      const docs = await inner.load(ids);
      if (docs.user.size + docs.company.size > 0) {
        reached();
        await released;
      }
      return docs;
    },
    write: (writes, fence) => inner.write(writes, fence),
  };
  return { store, paused, release };
}

describe('read model writes at scale and under a lost partition (real MongoDB-compatible server)', () => {
  let env: TestEnv;
  let client: MongoClient;
  let db: Db;
  let catalog: ReadModelCatalog;
  const commands: CommandStartedEvent[] = [];
  let nextContact = 1;

  beforeAll(async () => {
    env = await resolveTestEnv();
    client = new MongoClient(env.mongoUrl, { retryWrites: false, monitorCommands: true, serverSelectionTimeoutMS: 5000 });
    client.on('commandStarted', (event) => commands.push(event));
    await client.connect();
    db = client.db(uniqueName('writes').replace(/-/g, '_'));
    catalog = createReadModelCatalog(db, 't_');
  });

  afterAll(async () => {
    await db?.dropDatabase().catch(() => undefined);
    await client?.close();
    await env?.close();
  });

  const docOf = async (contactId: number) => catalog.collections(GENERATION).user.findOne({ _id: `${TENANT}:${contactId}` });

  function projection(
    holder: string,
    options: { conditionalReplace: boolean; store?: (inner: ReadModelStore) => ReadModelStore; fences?: Fences; lane?: WriteLane },
  ): ContactProjection {
    const inner = createReadModelStore(() => catalog.collections(GENERATION), {
      conditionalReplace: options.conditionalReplace,
      ...(options.lane ? { lane: options.lane } : {}),
    });
    return createContactProjection({
      store: options.store ? options.store(inner) : inner,
      deadLetter: async () => undefined,
      metrics: createProjectionMetrics(new Registry(), async () => []),
      logger: createLogger({ service: 'writes-test', level: 'silent' }),
      groupId: 'writes-test',
      fenceFor: createPartitionFence({
        fences: options.fences ?? catalog.fences,
        fenceKey: (topic, partition) => fenceKey(GENERATION, topic, partition),
        holder,
        settleMs: 0,
        logger: createLogger({ service: 'writes-test', level: 'silent' }),
      }),
    });
  }

  /** Fails instead of waiting forever: before the split, this batch hung the server. */
  const within = <T>(ms: number, work: Promise<T>): Promise<T> =>
    Promise.race([work, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref())]);

  it('stores one batch that updates 300 existing contacts, in commands of at most the cap, each after a fence check', async () => {
    const streams = Array.from({ length: 300 }, () => contactStream({ contactId: nextContact++, tenant: TENANT, owner: 1 }));
    const p = projection('scale', { conditionalReplace: false });
    await within(60_000, p.handleBatch(batchOf(streams.map((s) => s.created({ first_name: 'Before' })), 1)));

    commands.length = 0;
    await within(60_000, p.handleBatch(batchOf(streams.map((s) => s.updated({ first_name: 'After' })), 1)));

    for (const s of [streams[0]!, streams[150]!, streams[299]!]) {
      expect(await docOf(s.contactId)).toMatchObject({ _v: 2, first_name: 'After' });
    }
    const writes = commands.filter((c) => c.commandName === 'update' || c.commandName === 'insert');
    const updates = writes.map((c) => (c.command['updates'] as unknown[] | undefined)?.length ?? 0);
    expect(updates.reduce((a, b) => a + b, 0)).toBe(300);
    expect(Math.max(...updates)).toBeLessThanOrEqual(DEFAULT_WRITE_LIMITS.maxUpdatesPerCommand);
    // Each write command comes right after a lookup of the partition's next fence epoch.
    commands.forEach((command, i) => {
      if (command.commandName !== 'update') return;
      const before = commands[i - 1]!;
      expect(before.commandName).toBe('find');
      expect(before.command['find']).toBe('t_contacts_read_fences');
    });
  }, 150_000);

  async function staleWriteScenario(stale: ContactProjection, paused: Promise<void>, release: () => void) {
    const s = contactStream({ contactId: nextContact++, tenant: TENANT, owner: 1 });
    const created = s.created({ city: 'First' });
    const v2 = s.updated({ city: 'Older' });
    const v3 = s.updated({ city: 'Newer' });
    // The stale consumer owned the partition (assignment 1), read version 2's base, then paused…
    await stale.handleBatch(batchOf([created], 1));
    const staleWrite = stale.handleBatch(batchOf([v2], 1)).then(
      () => null,
      (error: unknown) => error,
    );
    await paused;
    // …while the group gave the partition to another consumer, which applied versions 2 and 3.
    const owner = projection('new-owner', { conditionalReplace: false });
    await owner.handleBatch(batchOf([v2, v3], 1));
    expect(await docOf(s.contactId)).toMatchObject({ _v: 3, city: 'Newer' });
    // The stale consumer wakes up and writes what it computed from version 1.
    release();
    return { error: await staleWrite, doc: await docOf(s.contactId) };
  }

  it('a fenced-out consumer that writes an older version after a newer one was applied leaves the newer state', async () => {
    const gate = pausedAfterLoad(createReadModelStore(() => catalog.collections(GENERATION), { conditionalReplace: false }));
    const stale = projection('stale', { conditionalReplace: false, store: () => gate.store });
    const { error, doc } = await staleWriteScenario(stale, gate.paused, gate.release);
    expect(error).toBeInstanceOf(FencedOutError);
    expect(doc).toMatchObject({ _v: 3, city: 'Newer' });
  });

  it('(control) the same stale write without a fence overwrites the newer state when the filter is the _id alone', async () => {
    const noFence: Fences = { ...catalog.fences, check: async () => undefined };
    const gate = pausedAfterLoad(createReadModelStore(() => catalog.collections(GENERATION), { conditionalReplace: false }));
    const stale = projection('unfenced', { conditionalReplace: false, store: () => gate.store, fences: noFence });
    const { error, doc } = await staleWriteScenario(stale, gate.paused, gate.release);
    expect(error).toBeNull();
    expect(doc).toMatchObject({ _v: 2, city: 'Older' });
  });

  it('with {_id, _v} filters (the MongoDB path) the server refuses the stale replace even without a fence', async () => {
    const noFence: Fences = { ...catalog.fences, check: async () => undefined };
    const gate = pausedAfterLoad(createReadModelStore(() => catalog.collections(GENERATION), { conditionalReplace: true }));
    const stale = projection('conditional', { conditionalReplace: true, store: () => gate.store, fences: noFence });
    const { error, doc } = await staleWriteScenario(stale, gate.paused, gate.release);
    // The replace matched nothing: the batch reloaded, found its event already applied, and stopped.
    expect(error).toBeNull();
    expect(doc).toMatchObject({ _v: 3, city: 'Newer' });
  });

  it('batches of creates from partitions handled at once: one insert per read model, no fence lookup, and a redelivery lands nothing', async () => {
    const p = projection('concurrent', { conditionalReplace: false, lane: createWriteLane() });
    const partitions = [0, 1, 2];
    const streams = partitions.map(() =>
      Array.from({ length: 5 }, () => contactStream({ contactId: nextContact++, tenant: TENANT, owner: 1, origin: 'company_api' })),
    );
    // Each partition's fence is claimed by its first write after joining: done before counting.
    await Promise.all(partitions.map((n) => p.handleBatch(batchOf([streams[n]![0]!.created()], 1, n))));
    const batches = partitions.map((n) => batchOf(streams[n]!.slice(1).map((s) => s.created({ city: 'Burst' })), 1, n));
    const { user, company } = catalog.collections(GENERATION);

    commands.length = 0;
    await Promise.all(batches.map((batch) => p.handleBatch(batch)));
    const inserts = commands.filter((c) => c.commandName === 'insert');
    expect(inserts.map((c) => [c.command['insert'], (c.command['documents'] as unknown[]).length])).toEqual([
      [user.collectionName, 12],
      [company.collectionName, 12],
    ]);
    expect(commands.filter((c) => c.command['find'] === 't_contacts_read_fences')).toEqual([]);

    // Redelivered (a crash before the commit): the same inserts meet their documents, nothing changes.
    const before = await user.find({ _id: { $in: streams.flat().map((s) => `${TENANT}:${s.contactId}`) } }).toArray();
    await Promise.all(batches.map((batch) => p.handleBatch(batch)));
    const after = await user.find({ _id: { $in: streams.flat().map((s) => `${TENANT}:${s.contactId}`) } }).toArray();
    expect(after).toHaveLength(15);
    expect(after).toEqual(before);
    expect(after.every((doc) => doc._v === 1)).toBe(true);
  }, 60_000);

  it('a batch mixing the creation and updates of one contact with an update of an existing one lands each at its last version, once', async () => {
    const p = projection('mixed', { conditionalReplace: false, lane: createWriteLane() });
    const existing = contactStream({ contactId: nextContact++, tenant: TENANT, owner: 1, origin: 'company_api' });
    await p.handleBatch(batchOf([existing.created()], 1));
    const fresh = contactStream({ contactId: nextContact++, tenant: TENANT, owner: 1, origin: 'company_api' });
    const batch = batchOf([fresh.created({ city: 'A' }), existing.updated({ city: 'X' }), fresh.updated({ city: 'B' })], 1);
    await p.handleBatch(batch);
    await p.handleBatch(batch); // redelivered
    expect(await docOf(fresh.contactId)).toMatchObject({ _v: 2, city: 'B' });
    expect(await docOf(existing.contactId)).toMatchObject({ _v: 2, city: 'X' });
    const company = catalog.collections(GENERATION).company;
    expect(await company.findOne({ _id: `${TENANT}:${fresh.contactId}` })).toMatchObject({ _v: 2, city: 'B' });
  }, 60_000);
});
