import type { Db } from 'mongodb';

/** What a write path needs to know about the server behind the MongoDB wire protocol. */
export interface ServerTraits {
  product: 'mongodb' | 'ferretdb';
  version: string;
  /**
   * Whether an update applies its whole filter atomically with the write, so that
   * `replaceOne({_id, _v: n}, doc)` is a compare-and-set. True on MongoDB (and only an `_id`
   * index lookup there). False on FerretDB 1.x: its SQLite backend reads the candidates (only an
   * exact `{_id: v}` filter reaches SQLite; anything else is a full scan), evaluates the filter in
   * Go, then writes each match with `UPDATE … WHERE _id = ?` in a transaction of its own
   * (`internal/handler/common/update.go` → `backends/sqlite/collection.go` `Query`, `UpdateAll`):
   * a concurrent writer can land in between and the condition is never checked again. FerretDB 2
   * is not assessed and treated the same way.
   */
  atomicConditionalUpdates: boolean;
  /**
   * Whether a filter on a field other than `_id` can be answered from a secondary index. False on
   * FerretDB 1.24 (SQLite): it accepts `createIndexes` and maintains each index on every insert
   * and update, but pushes no such filter down (`explain` says `filterPushdown: false`; the plan
   * is a `SCAN`), so non-unique indexes there cost writes and serve no query. Probed, not assumed
   * from the product: a FerretDB backend that does push filters down keeps its indexes.
   */
  secondaryIndexesServeQueries: boolean;
}

/** Asks the server once (`buildInfo`; FerretDB adds `ferretdbVersion`). */
export async function serverTraits(db: Db): Promise<ServerTraits> {
  const info = await db.admin().command({ buildInfo: 1 });
  const ferretdbVersion = info['ferretdbVersion'];
  if (typeof ferretdbVersion === 'string') {
    // FerretDB adds `filterPushdown` to every explain; a collection that does not exist is fine.
    const plan = await db.command({ explain: { find: 'server_traits_probe', filter: { probe: 1 } } });
    return {
      product: 'ferretdb',
      version: ferretdbVersion,
      atomicConditionalUpdates: false,
      secondaryIndexesServeQueries: plan['filterPushdown'] === true,
    };
  }
  return {
    product: 'mongodb',
    version: String(info['version'] ?? 'unknown'),
    atomicConditionalUpdates: true,
    secondaryIndexesServeQueries: true,
  };
}
