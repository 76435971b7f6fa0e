import { MongoBulkWriteError, type AnyBulkWriteOperation, type Collection, type Document } from 'mongodb';
import { bulkWriteInCommands, DEFAULT_WRITE_LIMITS, planCommands } from './write-commands';

interface Doc extends Document {
  _id: string;
}
type Op = AnyBulkWriteOperation<Doc>;
const replace = (i: number): Op => ({ replaceOne: { filter: { _id: `r${i}` }, replacement: { n: i } } });
const update = (i: number): Op => ({ updateOne: { filter: { _id: `u${i}` }, update: { $set: { n: i } } } });
const insert = (i: number): Op => ({ insertOne: { document: { _id: `i${i}` } } });
const remove = (i: number): Op => ({ deleteOne: { filter: { _id: `d${i}` } } });
const updatesIn = (ops: Op[]) => ops.filter((op) => 'replaceOne' in op || 'updateOne' in op || 'updateMany' in op).length;

/** A collection whose bulkWrite records each call (one call = at most one command per statement kind). */
function recordingCollection(refuse: (op: Op) => boolean = () => false) {
  const calls: Op[][] = [];
  const collection = {
    async bulkWrite(ops: Op[], options: { ordered: boolean }) {
      calls.push(ops);
      const matched = updatesIn(ops);
      const refusedAt = ops.map((op, index) => (refuse(op) ? index : -1)).filter((index) => index >= 0);
      const counts = { insertedCount: ops.filter((op) => 'insertOne' in op).length, matchedCount: matched, modifiedCount: matched, deletedCount: 0, upsertedCount: 0 };
      if (refusedAt.length === 0) return counts;
      const writeErrors = (options.ordered ? refusedAt.slice(0, 1) : refusedAt).map((index) => ({ index, code: 11000, errmsg: 'E11000 duplicate key' }));
      throw new MongoBulkWriteError({ message: 'E11000', code: 11000, writeErrors } as never, counts as never);
    },
  };
  return { calls, collection: collection as unknown as Collection<Doc> };
}

describe('write commands split to stay under the FerretDB 1.24 update hang', () => {
  it('sends no command with more updates than the cap, keeping every operation in order', async () => {
    const ops = [...Array.from({ length: 300 }, (_, i) => replace(i)), ...Array.from({ length: 90 }, (_, i) => update(i))];
    const { calls, collection } = recordingCollection();
    const result = await bulkWriteInCommands(collection, ops, { ordered: false });

    expect(calls.length).toBe(Math.ceil(390 / DEFAULT_WRITE_LIMITS.maxUpdatesPerCommand));
    for (const call of calls) expect(updatesIn(call)).toBeLessThanOrEqual(DEFAULT_WRITE_LIMITS.maxUpdatesPerCommand);
    expect(calls.flat()).toEqual(ops);
    expect(result.matchedCount).toBe(390);
    expect(result.commands.map((c) => [c.start, c.end])).toEqual(calls.map((_, i) => [i * 32, Math.min(390, (i + 1) * 32)]));
  });

  it('honours a configured cap, and lets inserts and deletes fill a command up to the general limit', async () => {
    const mixed = Array.from({ length: 2500 }, (_, i) => [insert, remove, replace][i % 3]!(i));
    const { calls, collection } = recordingCollection();
    await bulkWriteInCommands(collection, mixed, { limits: { maxUpdatesPerCommand: 7, maxOperationsPerCommand: 20 } });
    for (const call of calls) {
      expect(updatesIn(call)).toBeLessThanOrEqual(7);
      expect(call.length).toBeLessThanOrEqual(20);
    }
    expect(calls.flat()).toEqual(mixed);

    const inserts = Array.from({ length: 2500 }, (_, i) => insert(i));
    expect(planCommands(inserts).map((r) => r.end - r.start)).toEqual([1000, 1000, 500]);
    expect(planCommands([])).toEqual([]);
    expect(() => planCommands(inserts, { maxUpdatesPerCommand: 0 })).toThrow(/positive integer/);
  });

  it('reports refused operations by their index in the whole write; unordered goes on, ordered stops', async () => {
    const ops = Array.from({ length: 100 }, (_, i) => (i % 2 ? replace(i) : insert(i)));
    const refuse = (op: Op) => 'insertOne' in op && ['i10', 'i70'].includes(String(op.insertOne.document['_id']));

    const unordered = recordingCollection(refuse);
    const all = await bulkWriteInCommands(unordered.collection, ops, { ordered: false });
    expect(all.writeErrors.map((e) => [e.index, e.code])).toEqual([[10, 11000], [70, 11000]]);
    expect(unordered.calls.flat()).toHaveLength(100);

    const ordered = recordingCollection(refuse);
    const first = await bulkWriteInCommands(ordered.collection, ops, { ordered: true });
    expect(first.writeErrors.map((e) => e.index)).toEqual([10]);
    expect(ordered.calls).toHaveLength(1);
  });

  it('runs the hook before every command and stops where it throws', async () => {
    const { calls, collection } = recordingCollection();
    const seen: number[] = [];
    const write = bulkWriteInCommands(collection, Array.from({ length: 100 }, (_, i) => replace(i)), {
      beforeCommand: async (range) => {
        seen.push(range.start);
        if (range.start >= 64) throw new Error('fenced');
      },
    });
    await expect(write).rejects.toThrow('fenced');
    expect(seen).toEqual([0, 32, 64]);
    expect(calls).toHaveLength(2);
  });

  it('rethrows what is not a refused operation', async () => {
    const collection = { bulkWrite: () => Promise.reject(new Error('connection reset')) } as unknown as Collection<Doc>;
    await expect(bulkWriteInCommands(collection, [replace(1)])).rejects.toThrow('connection reset');
  });
});
