import type { Db } from 'mongodb';
import { useRecordingDb } from './testing/recording-db.spec-helper';
import { createWriteLane } from './write-lane';

interface Doc {
  _id: string;
  n: number;
}

describe('the write lane against the real MongoDB-compatible server', () => {
  const recording = useRecordingDb('lane');
  const commands = recording.commands;
  let db: Db;
  beforeAll(() => {
    db = recording.db();
  });

  const inserts = (ids: string[]) => ids.map((_id) => ({ insertOne: { document: { _id, n: 1 } } }));

  it("merges concurrent callers' unordered inserts into one command and gives each caller its own result", async () => {
    const docs = db.collection<Doc>('merged');
    await docs.insertOne({ _id: 'b1', n: 0 }); // already there: caller b's second insert is a duplicate
    const lane = createWriteLane();
    commands.length = 0;
    const [a, b, c] = await Promise.all([
      lane.write(docs, inserts(['a0', 'a1']), { ordered: false }),
      lane.write(docs, inserts(['b0', 'b1', 'b2']), { ordered: false }),
      lane.write(docs, inserts(['c0']), { ordered: false }),
    ]);
    expect(commands.filter((e) => e.commandName === 'insert')).toHaveLength(1);
    expect(a).toMatchObject({ insertedCount: 2, writeErrors: [] });
    expect(b.insertedCount).toBe(2);
    expect(b.writeErrors.map((e) => [e.index, e.code])).toEqual([[1, 11000]]);
    expect(c).toMatchObject({ insertedCount: 1, writeErrors: [] });
    expect(await docs.countDocuments()).toBe(6);
  });

  it('sends writes that update alone and one at a time, in the order they came', async () => {
    const docs = db.collection<Doc>('serial');
    await docs.insertMany([{ _id: 'x', n: 0 }]);
    const lane = createWriteLane();
    commands.length = 0;
    let inFlight = 0;
    let most = 0;
    const client = recording.client();
    client.on('commandStarted', () => (most = Math.max(most, ++inFlight)));
    client.on('commandSucceeded', () => inFlight--);
    client.on('commandFailed', () => inFlight--);
    const results = await Promise.all(
      [1, 2, 3].map((n) => lane.write(docs, [{ replaceOne: { filter: { _id: 'x' }, replacement: { n } } }], { ordered: false })),
    );
    client.removeAllListeners('commandSucceeded');
    client.removeAllListeners('commandFailed');
    expect(results.map((r) => r.matchedCount)).toEqual([1, 1, 1]);
    expect(commands.filter((e) => e.commandName === 'update')).toHaveLength(3);
    expect(most).toBe(1);
    expect(await docs.findOne({ _id: 'x' })).toEqual({ _id: 'x', n: 3 });
  });

  it('leaves a caller whose check throws out of the merged write, and only it fails', async () => {
    const docs = db.collection<Doc>('checked');
    const lane = createWriteLane();
    const refused = new Error('fenced out');
    const outcomes = await Promise.allSettled([
      lane.write(docs, inserts(['p']), { ordered: false, beforeCommand: () => Promise.reject(refused) }),
      lane.write(docs, inserts(['q']), { ordered: false }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'fulfilled']);
    expect(await docs.findOne({ _id: 'p' })).toBeNull();
    await expect(lane.write(docs, inserts(['r']), { ordered: false })).resolves.toMatchObject({ insertedCount: 1 });
  });
});
