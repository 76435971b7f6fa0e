import { LRUCache } from 'lru-cache';
import type { NotificationSettings, PushRecipient } from '@reps/contracts';
import type { ContactNames } from './projections';
import type { SettingsStore } from './settings-store';
import { repKey, type StoredSubscription, type SubscriptionStore } from './subscription-store';

/**
 * Short-lived read caches for the push pipeline (never for the HTTP API, which always reads
 * fresh). A burst, its sends and the next burst of the same rep read the same documents within
 * seconds, and on FerretDB each read costs about as much CPU as the rest of a push. The price is
 * bounded staleness: a device deleted or a setting changed up to `ttlMs` ago may still be used
 * once; deletions made by the pipeline itself (404/410) take effect at once.
 */
export interface ReadCacheOptions {
  ttlMs: number;
  max?: number;
}

export function cachedSubscriptions(
  store: SubscriptionStore,
  { ttlMs, max = 10_000 }: ReadCacheOptions,
): SubscriptionStore {
  if (ttlMs <= 0) return store;
  const cache = new LRUCache<string, StoredSubscription[]>({ max, ttl: ttlMs });
  return {
    async list(rep) {
      const hit = cache.get(repKey(rep));
      if (hit) return hit;
      const subs = await store.list(rep);
      cache.set(repKey(rep), subs);
      return subs;
    },
    async upsert(rep, input, now) {
      cache.delete(repKey(rep));
      return store.upsert(rep, input, now);
    },
    async remove(rep, id) {
      cache.delete(repKey(rep));
      const removed = await store.remove(rep, id);
      cache.delete(repKey(rep));
      return removed;
    },
  };
}

export function cachedSettings(
  store: SettingsStore,
  { ttlMs, max = 10_000 }: ReadCacheOptions,
): SettingsStore {
  if (ttlMs <= 0) return store;
  const cache = new LRUCache<string, NotificationSettings>({ max, ttl: ttlMs });
  return {
    async get(rep: PushRecipient) {
      const hit = cache.get(repKey(rep));
      if (hit) return hit;
      const settings = await store.get(rep);
      cache.set(repKey(rep), settings);
      return settings;
    },
    async put(rep, body, now) {
      cache.delete(repKey(rep));
      return store.put(rep, body, now);
    },
  };
}

/** Names change rarely; an unknown contact is remembered as unknown for the same time. */
export function cachedContactNames(
  names: ContactNames,
  { ttlMs, max = 50_000 }: ReadCacheOptions,
): ContactNames {
  if (ttlMs <= 0) return names;
  const cache = new LRUCache<number, { name: string | null }>({ max, ttl: ttlMs });
  return {
    async nameOf(contactId) {
      const hit = cache.get(contactId);
      if (hit) return hit.name;
      const name = await names.nameOf(contactId);
      cache.set(contactId, { name });
      return name;
    },
    async applyBatch(events) {
      for (const event of events) cache.delete(event.aggregate_id);
      await names.applyBatch(events);
    },
  };
}
