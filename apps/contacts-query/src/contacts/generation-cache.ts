import { INITIAL_GENERATION, type ReadModelCatalog, type ReadModelCollections } from '@reps/contacts-read-model';
import type { Logger } from '@reps/observability';

/**
 * The collections of the active read-model generation, looked up by `_id` at most once per
 * `ttlMs`. After a rebuild's swap, reads move to the new collections within `ttlMs`; the old
 * ones stay until the rebuild drops them after a grace period longer than that.
 */
export function createGenerationCache(
  catalog: ReadModelCatalog,
  ttlMs: number,
  logger: Logger,
  now: () => number = Date.now,
): () => Promise<ReadModelCollections> {
  let cached: { collections: ReadModelCollections; expires: number } | undefined;
  let pending: Promise<ReadModelCollections> | undefined;
  const indexed = new Set<string>();

  async function refresh(): Promise<ReadModelCollections> {
    const generation = (await catalog.activeGeneration()) ?? INITIAL_GENERATION;
    if (!indexed.has(generation)) {
      await catalog.ensureIndexes(generation);
      indexed.add(generation);
      if (cached && cached.collections.generation !== generation) logger.info({ generation }, 'reading a new read-model generation');
    }
    cached = { collections: catalog.collections(generation), expires: now() + ttlMs };
    return cached.collections;
  }

  return async () => {
    if (cached && cached.expires > now()) return cached.collections;
    pending ??= refresh().finally(() => {
      pending = undefined;
    });
    return pending;
  };
}
