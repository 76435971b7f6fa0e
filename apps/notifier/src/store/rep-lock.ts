import { randomUUID } from 'node:crypto';
import { ServiceUnavailableError } from '@reps/errors';
import type { Redis } from '@reps/redis';

/** Runs `work` while holding the named lock; callers serialize a read-modify-write with it. */
export type WithLock = <T>(name: string, work: () => Promise<T>) => Promise<T>;

const RELEASE_IF_OURS =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

/**
 * A short Redis lock (SET NX PX, released only by its holder). FerretDB does not apply an
 * update's filter and write atomically (two `replaceOne({_id, version})` racing can both match),
 * so a rep's subscription document is changed by one writer at a time; the TTL frees a lock
 * whose holder died. Redis down → 503, like any other dependency.
 */
export function createRedisLock(
  redis: Redis,
  prefix: string,
  { ttlMs = 5_000, waitMs = 3_000 } = {},
): WithLock {
  return async (name, work) => {
    const key = `${prefix}:notifier:lock:${name}`;
    const token = randomUUID();
    const deadline = Date.now() + waitMs;
    try {
      while ((await redis.set(key, token, 'PX', ttlMs, 'NX')) !== 'OK') {
        if (Date.now() > deadline)
          throw new ServiceUnavailableError('The push subscriptions are busy; try again', 1);
        await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 30));
      }
    } catch (error) {
      if (error instanceof ServiceUnavailableError) throw error;
      throw new ServiceUnavailableError('Redis is unavailable', 5);
    }
    try {
      return await work();
    } finally {
      await redis.eval(RELEASE_IF_OURS, 1, key, token).catch(() => undefined);
    }
  };
}
