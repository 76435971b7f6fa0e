import { randomInt } from 'node:crypto';
import { PreconditionFailedError } from '@reps/errors';
import { connectMongo, ensureIndexes, serverTraits, type MongoHandle } from '@reps/mongo';
import { createLogger, createMetricsRegistry } from '@reps/observability';
import { resolveTestEnv, uniqueName, type TestEnv } from '@reps/testing';
import { UserContactCreateBody, type ContactEvent } from '@reps/contracts';
import type { UserActor } from '@reps/contacts-domain';
import { createContactCommandHandler, type ContactCommandHandler } from '../contacts/contact-command-handler';
import { createCommitBatcher } from './commit-batcher';
import {
  createMongoEventStore,
  eventStoreIndexes,
  type CommitDoc,
  type EventStore,
  type OutboxDoc,
} from './mongo-event-store';
import { createOutboxRelay } from './outbox-relay';

/**
 * The stream executor remembers stream heads: the next command on a contact reads only the
 * commits after what this process last saw. Two handlers here are two processes sharing one
 * event store; each must still decide on the true current state.
 */
describe('stream heads remembered by the executor (real server)', () => {
  let env: TestEnv;
  let mongo: MongoHandle;
  let store: EventStore<ContactEvent>;
  const tails: { stream: string; after: number; read: number }[] = [];
  const published: ContactEvent[] = [];
  const actor: UserActor = { scope: 'user', userId: 41, companyId: 7 };

  function handler(headCacheSize?: number): ContactCommandHandler {
    const relay = createOutboxRelay<ContactEvent>({
      store,
      publish: async (events) => void published.push(...events),
      logger: createLogger({ service: 'test', level: 'silent' }),
      metrics: createMetricsRegistry('test', { defaultMetrics: false }),
    });
    const clock = () => new Date();
    return createContactCommandHandler({
      store,
      commits: createCommitBatcher({ store, relay, clock }),
      clock,
      ...(headCacheSize !== undefined ? { headCacheSize } : {}),
    });
  }

  beforeAll(async () => {
    env = await resolveTestEnv();
    mongo = await connectMongo({
      url: env.mongoUrl,
      dbName: uniqueName('heads').replace(/-/g, '_'),
      appName: 'test',
    });
    const commits = mongo.db.collection<CommitDoc<ContactEvent>>('contact_commits');
    await ensureIndexes(commits, eventStoreIndexes, await serverTraits(mongo.db));
    const real = createMongoEventStore<ContactEvent>(
      commits,
      mongo.db.collection<OutboxDoc>('contact_outbox'),
    );
    // Records where each read started and how many events it found (the reads themselves are real).
    store = {
      ...real,
      async readStreamAfter(stream, after, afterCommitId) {
        const read = await real.readStreamAfter(stream, after, afterCommitId);
        tails.push({ stream, after, read: read.events.length });
        return read;
      },
    };
    store.readStream = (stream) => store.readStreamAfter(stream, 0, null);
  });

  afterAll(async () => {
    await mongo?.db.dropDatabase().catch(() => undefined);
    await mongo?.close();
    await env?.close();
  });

  const create = (h: ContactCommandHandler, contactId: number, first_name: string, last_name: string) =>
    h.execute(
      (now) => ({
        type: 'CreateContact',
        contactId,
        actor,
        now,
        token: 'tok-0123456789abcdef',
        body: UserContactCreateBody.parse({ first_name, last_name, status: 'lead' }),
      }),
      { correlationId: 'c' },
    );

  const update = (
    h: ContactCommandHandler,
    contactId: number,
    first_name: string,
    expectedVersion?: number,
  ) =>
    h.execute((now) => ({ type: 'UpdateContact', contactId, actor, now, body: { first_name } }), {
      correlationId: 'c',
      ...(expectedVersion !== undefined ? { expectedVersion } : {}),
    });

  it('reads only the commits after the remembered head, and sees what another process wrote', async () => {
    const [a, b] = [handler(), handler()];
    const contactId = randomInt(1, 2 ** 47);
    const stream = `contact-${contactId}`;
    await create(a, contactId, 'Ann', 'Lee');
    tails.length = 0;
    expect((await update(a, contactId, 'Anna')).version).toBe(2);
    // The create was remembered: the update's read started after version 1 and found nothing.
    expect(tails).toEqual([{ stream, after: 1, read: 0 }]);

    // Another process (no head remembered) writes twice.
    tails.length = 0;
    await update(b, contactId, 'Annie');
    await update(b, contactId, 'Hanna');
    expect(tails[0]).toEqual({ stream, after: 0, read: 2 });

    // The first process's head is stale but a true prefix: it reads on from version 2.
    tails.length = 0;
    await expect(update(a, contactId, 'Old', 2)).rejects.toBeInstanceOf(PreconditionFailedError);
    expect(tails).toEqual([{ stream, after: 2, read: 2 }]);
    const outcome = await update(a, contactId, 'Johanna', 4);
    expect(outcome.version).toBe(5);
    expect(outcome.state.first_name).toBe('Johanna');
    expect(tails[1]).toEqual({ stream, after: 4, read: 0 });

    // What is stored is one event per version, in order, whoever wrote it.
    const events = (await store.readStream(stream)).events;
    expect(events.map((e) => e.aggregate_version)).toEqual([1, 2, 3, 4, 5]);
    expect(new Set(events.map((e) => e.aggregate_version)).size).toBe(5);
  });

  it("takes one process's concurrent commands on a stream in turn: none races, none gives up", async () => {
    const h = handler();
    const contactId = randomInt(1, 2 ** 47);
    await create(h, contactId, 'Cy', 'Ng');
    tails.length = 0;
    // Four attempts each would not do if they raced: 24 writers, one version each.
    const outcomes = await Promise.all(Array.from({ length: 24 }, (_, i) => update(h, contactId, `Cy ${i}`)));
    expect(outcomes.map((o) => o.version).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 24 }, (_, i) => i + 2),
    );
    // Each decided on the head the previous one left: no read found a commit it did not know of.
    expect(tails.every((t) => t.read === 0)).toBe(true);

    // With If-Match, the one that goes second sees the version moved on: a 412, not a retry.
    const [first, second] = await Promise.allSettled([
      update(h, contactId, 'X', 25),
      update(h, contactId, 'Y', 25),
    ]);
    expect(first).toMatchObject({ status: 'fulfilled', value: { version: 26 } });
    expect(second).toMatchObject({ status: 'rejected', reason: expect.any(PreconditionFailedError) });
  });

  it('with the cache off reads the whole stream every time', async () => {
    const h = handler(0);
    const contactId = randomInt(1, 2 ** 47);
    await create(h, contactId, 'Bo', 'Ek');
    await update(h, contactId, 'Bob');
    tails.length = 0;
    await update(h, contactId, 'Bobby');
    expect(tails).toEqual([{ stream: `contact-${contactId}`, after: 0, read: 2 }]);
  });
});
