import type { Db } from 'mongodb';
import { useRecordingDb } from './testing/recording-db.spec-helper';
import { createFences, FencedOutError, type FenceDoc } from './fences';
import { serverTraits } from './server-traits';
import { bulkWriteInCommands, DEFAULT_WRITE_LIMITS, deleteByIds, deleteMatching } from './write-commands';

interface Doc {
  _id: string;
  _v: number;
  n?: number;
}

describe('split writes and fences against the real MongoDB-compatible server', () => {
  const recording = useRecordingDb('split');
  const commands = recording.commands;
  let db: Db;
  beforeAll(() => {
    db = recording.db();
  });

  it('replaces 300 existing documents in one call without hanging the server: no update command over the cap', async () => {
    const docs = db.collection<Doc>('docs');
    await docs.insertMany(Array.from({ length: 300 }, (_, i) => ({ _id: `d${i}`, _v: 1 })));
    commands.length = 0;
    const result = await bulkWriteInCommands(
      docs,
      Array.from({ length: 300 }, (_, i) => ({ replaceOne: { filter: { _id: `d${i}` }, replacement: { _v: 2, n: i } } })),
      { ordered: false },
    );
    expect(result.matchedCount).toBe(300);
    expect(result.writeErrors).toEqual([]);
    const updates = commands.filter((c) => c.commandName === 'update').map((c) => (c.command['updates'] as unknown[]).length);
    expect(updates.reduce((a, b) => a + b, 0)).toBe(300);
    expect(Math.max(...updates)).toBeLessThanOrEqual(DEFAULT_WRITE_LIMITS.maxUpdatesPerCommand);
    expect(await docs.findOne({ _id: 'd299' })).toEqual({ _id: 'd299', _v: 2, n: 299 });
  });

  it('reports a duplicate insert by its index and stores the rest', async () => {
    const docs = db.collection<Doc>('dups');
    await docs.insertOne({ _id: 'x40', _v: 1 });
    const result = await bulkWriteInCommands(docs, Array.from({ length: 50 }, (_, i) => ({ insertOne: { document: { _id: `x${i}`, _v: 1 } } })), {
      ordered: false,
      limits: { maxOperationsPerCommand: 16 },
    });
    expect(result.writeErrors.map((e) => [e.index, e.code])).toEqual([[40, 11000]]);
    expect(result.insertedCount).toBe(49);
  });

  it('deletes by _id and by filter in bounded rounds', async () => {
    const docs = db.collection<Doc>('sweep');
    await docs.insertMany(Array.from({ length: 250 }, (_, i) => ({ _id: `s${i}`, _v: i % 2 })));
    expect(await deleteByIds(docs, ['s0', 's2', 'missing'])).toBe(2);
    expect(await deleteMatching(docs, { _v: 0 }, { batchSize: 40 })).toBe(123);
    expect(await docs.countDocuments({})).toBe(125);
  });

  it('fences: each claim gets the next epoch, and every earlier holder is fenced out', async () => {
    const fences = createFences(db.collection<FenceDoc>('fences'));
    const first = await fences.claim('g1/topic/0', 'a');
    await expect(fences.check(first)).resolves.toBeUndefined();
    // Racing claimers never share an epoch.
    const racing = await Promise.all(Array.from({ length: 6 }, (_, i) => fences.claim('g1/topic/0', `r${i}`)));
    expect(racing.map((t) => t.epoch).sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6, 7]);
    await expect(fences.check(first)).rejects.toBeInstanceOf(FencedOutError);
    const last = racing.find((t) => t.epoch === 7)!;
    await expect(fences.check(last)).resolves.toBeUndefined();
    // Another key is independent.
    expect((await fences.claim('g1/topic/1', 'a')).epoch).toBe(1);
    expect(await fences.forget('g1/topic/0')).toBe(8);
    expect((await fences.claim('g1/topic/0', 'b')).epoch).toBe(1);
  });

  it('tells which server answers', async () => {
    const traits = await serverTraits(db);
    expect(['mongodb', 'ferretdb']).toContain(traits.product);
    expect(traits.atomicConditionalUpdates).toBe(traits.product === 'mongodb');
  });
});
