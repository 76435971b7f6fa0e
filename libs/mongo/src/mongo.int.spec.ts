import { resolveTestEnv, uniqueName, type TestEnv } from '@reps/testing';
import type { IndexDescription } from 'mongodb';
import { connectMongo, ensureIndexes, isDuplicateKeyError, serverTraits, type MongoHandle } from './index';

interface Doc {
  _id: string;
  email: string;
  visits?: number;
}

describe('mongo helpers against a real MongoDB-compatible server', () => {
  let env: TestEnv;
  let mongo: MongoHandle;

  beforeAll(async () => {
    env = await resolveTestEnv();
    mongo = await connectMongo({ url: env.mongoUrl, dbName: uniqueName('smoke').replace(/-/g, '_'), appName: 'smoke' });
  });

  afterAll(async () => {
    await mongo?.db.dropDatabase().catch(() => undefined);
    await mongo?.close();
    await env?.close();
  });

  it('pings', async () => {
    await expect(mongo.ping()).resolves.toBeUndefined();
  });

  it('ensures several indexes again on every start without upsetting the server', async () => {
    const things = mongo.db.collection<Doc>('things');
    const indexes: IndexDescription[] = [
      { key: { email: 1, _id: 1 }, name: 'by_email' },
      { key: { visits: 1, _id: 1 }, name: 'by_visits' },
    ];
    const everywhere = { secondaryIndexesServeQueries: true };
    for (let start = 0; start < 3; start++) await ensureIndexes(things, indexes, everywhere);
    expect((await things.listIndexes().toArray()).map((index) => index.name).sort()).toEqual(['_id_', 'by_email', 'by_visits']);
    await expect(mongo.ping()).resolves.toBeUndefined();
  });

  it('creates only unique indexes where secondary indexes serve no query (FerretDB 1.24 SQLite)', async () => {
    const traits = await serverTraits(mongo.db);
    // What the probe finds on this server: FerretDB's SQLite backend pushes no filter down.
    const plan = await mongo.db.command({ explain: { find: 'anything', filter: { email: 'x' } } });
    expect(traits.secondaryIndexesServeQueries).toBe(traits.product === 'mongodb' || plan['filterPushdown'] === true);

    const things = mongo.db.collection<Doc>('things_skipped');
    await things.insertOne({ _id: 'a', email: 'a@example.com' });
    const indexes: IndexDescription[] = [
      { key: { visits: 1, _id: 1 }, name: 'by_visits' },
      { key: { email: 1 }, name: 'email_unique', unique: true },
    ];
    await ensureIndexes(things, indexes, { secondaryIndexesServeQueries: false });
    expect((await things.listIndexes().toArray()).map((index) => index.name).sort()).toEqual(['_id_', 'email_unique']);
    // The constraint still holds.
    expect(isDuplicateKeyError(await things.insertOne({ _id: 'b', email: 'a@example.com' }).catch((error: unknown) => error))).toBe(true);
  });

  it('inserts, rejects a unique-index violation, upserts and finds', async () => {
    const people = mongo.db.collection<Doc>('people');
    const traits = await serverTraits(mongo.db);
    await ensureIndexes(people, [{ key: { email: 1 }, name: 'email_unique', unique: true }], traits);
    await ensureIndexes(people, [{ key: { email: 1 }, name: 'email_unique', unique: true }], traits);

    await people.insertOne({ _id: 'a', email: 'a@example.com' });
    const duplicate = await people.insertOne({ _id: 'b', email: 'a@example.com' }).catch((error: unknown) => error);
    expect(isDuplicateKeyError(duplicate)).toBe(true);

    await people.updateOne({ _id: 'c' }, { $set: { email: 'c@example.com' }, $inc: { visits: 1 } }, { upsert: true });
    await people.updateOne({ _id: 'c' }, { $set: { email: 'c@example.com' }, $inc: { visits: 1 } }, { upsert: true });

    const found = await people.find({}, { sort: { _id: 1 } }).toArray();
    expect(found).toEqual([
      { _id: 'a', email: 'a@example.com' },
      { _id: 'c', email: 'c@example.com', visits: 2 },
    ]);
  });
});
