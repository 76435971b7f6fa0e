import type { Request, RequestHandler, Response } from 'express';
import { principalOf, type Principal } from '@reps/auth';
import { RateLimitedError } from '@reps/errors';
import type { Logger } from '@reps/observability';
import type { Redis } from '@reps/redis';
import { createSyncedWindowLimiter, type Decision, type WindowStore } from './synced-window';

/** Share of a window's points an instance may admit per key before it must sync with Redis. */
export const LOCAL_BUDGET_SHARE = 0.05;

export interface RateLimitOptions {
  redis: Redis;
  /** Requests (points) per window and principal. */
  points: number;
  windowSeconds: number;
  /** How often this instance shares its counts with the others through Redis. */
  syncIntervalMs: number;
  /** Points a request costs; bulk creates cost more. */
  costOf: (req: { method: string; baseUrl: string; path: string }) => number;
  /** Separates the counters of test runs (and deployments) sharing one Redis. */
  keyPrefix?: string;
  /** The bucket of a request; default its principal (the public SmartLink routes count per IP and per token). */
  keyOf?: (req: Request) => string;
  logger: Logger;
}

/** The middleware, and `close` to share the last counts before Redis is closed. */
export type RateLimitHandler = RequestHandler & { close(): Promise<void> };

/** One bucket per principal: a rep, or a company (all of its back-office and website clients). */
export function principalKey(principal: Principal): string {
  return principal.scope === 'user'
    ? `u:${principal.companyId}:${principal.userId}`
    : `c:${principal.companyId}`;
}

function setHeaders(res: Response, points: number, windowSeconds: number, decision: Decision): void {
  const reset = Math.max(0, Math.ceil(decision.msBeforeReset / 1000));
  // IETF draft "RateLimit header fields for HTTP" (draft-6 names, as most clients parse them).
  res.setHeader('RateLimit-Limit', String(points));
  res.setHeader('RateLimit-Remaining', String(Math.max(0, decision.remaining)));
  res.setHeader('RateLimit-Reset', String(reset));
  res.setHeader('RateLimit-Policy', `${points};w=${windowSeconds}`);
}

/**
 * The Redis side of the synced window: one MULTI per sync for every key with unshared points.
 * Same layout as rate-limiter-flexible's fixed window (a counter whose expiry is the window).
 */
export function redisWindowStore(redis: Redis, keyPrefix: string): WindowStore {
  return {
    available: () => redis.status === 'ready',
    async add(entries, windowMs) {
      const multi = redis.multi();
      for (const { key, points } of entries) {
        const name = `${keyPrefix}:${key}`;
        multi.set(name, 0, 'PX', windowMs, 'NX').incrby(name, points).pttl(name);
      }
      const replies = await multi.exec();
      if (!replies) throw new Error('rate-limit sync transaction was discarded');
      return entries.map((_entry, i) => {
        const [countError, count] = replies[3 * i + 1] ?? [];
        const [, ttl] = replies[3 * i + 2] ?? [];
        if (countError) throw countError;
        return { count: Number(count), msLeft: Number(ttl) > 0 ? Number(ttl) : windowMs };
      });
    },
  };
}

/**
 * Per-principal fixed-window limits shared by every gateway instance through Redis, counted in
 * memory per request and synced every `syncIntervalMs` (see synced-window.ts for the bound).
 * Must run after authentication. While Redis is unreachable each instance keeps limiting with
 * the same numbers on its own counts, and shares them once Redis is back.
 */
export function createRateLimit(options: RateLimitOptions): RateLimitHandler {
  const { points, windowSeconds } = options;
  const keyPrefix = options.keyPrefix ?? 'gw:rl';
  let lastWarning = 0;
  const limiter = createSyncedWindowLimiter({
    points,
    windowMs: windowSeconds * 1000,
    localBudget: points * LOCAL_BUDGET_SHARE,
    store: redisWindowStore(options.redis, keyPrefix),
    onSyncError: (err) => {
      // At most one line a minute while Redis is down, not one per sync.
      if (Date.now() - lastWarning < 60_000) return;
      lastWarning = Date.now();
      options.logger.warn({ err }, 'rate-limit counts not shared (Redis unreachable); limiting per instance');
    },
  });
  const timer = setInterval(() => void limiter.sync(), options.syncIntervalMs);
  timer.unref();

  const handler: RequestHandler = (req, res, next) => {
    const cost = options.costOf(req);
    const key = options.keyOf ? options.keyOf(req) : principalKey(principalOf(req));
    const answer = (decision: Decision) => {
      setHeaders(res, points, windowSeconds, decision);
      if (decision.allowed) {
        next();
        return;
      }
      const retryAfter = Math.max(1, Math.ceil(decision.msBeforeReset / 1000));
      next(
        new RateLimitedError(retryAfter, `Rate limit of ${points} requests per ${windowSeconds} s exceeded`),
      );
    };
    // Decided here and now unless this instance must first share its counts (then it waits).
    const decision = limiter.tryConsume(key, cost);
    if (decision) answer(decision);
    else limiter.consume(key, cost).then(answer, (error: unknown) => next(error));
  };
  return Object.assign(handler, {
    async close() {
      clearInterval(timer);
      await limiter.sync();
    },
  });
}
