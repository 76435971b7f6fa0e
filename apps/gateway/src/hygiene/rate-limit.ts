import type { Request, RequestHandler, Response } from 'express';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { principalOf, type Principal } from '@reps/auth';
import { RateLimitedError } from '@reps/errors';
import type { Logger } from '@reps/observability';
import type { Redis } from '@reps/redis';

export interface RateLimitOptions {
  redis: Redis;
  /** Requests (points) per window and principal. */
  points: number;
  windowSeconds: number;
  /** Points a request costs; bulk creates cost more. */
  costOf: (req: { method: string; baseUrl: string; path: string }) => number;
  /** Separates the counters of test runs (and deployments) sharing one Redis. */
  keyPrefix?: string;
  /** The bucket of a request; default its principal (the public SmartLink routes count per IP and per token). */
  keyOf?: (req: Request) => string;
  logger: Logger;
}

/** One bucket per principal: a rep, or a company (all of its back-office and website clients). */
export function principalKey(principal: Principal): string {
  return principal.scope === 'user'
    ? `u:${principal.companyId}:${principal.userId}`
    : `c:${principal.companyId}`;
}

function setHeaders(res: Response, points: number, windowSeconds: number, state: RateLimiterRes): void {
  const reset = Math.max(0, Math.ceil(state.msBeforeNext / 1000));
  // IETF draft "RateLimit header fields for HTTP" (draft-6 names, as most clients parse them).
  res.setHeader('RateLimit-Limit', String(points));
  res.setHeader('RateLimit-Remaining', String(Math.max(0, state.remainingPoints)));
  res.setHeader('RateLimit-Reset', String(reset));
  res.setHeader('RateLimit-Policy', `${points};w=${windowSeconds}`);
}

/**
 * Per-principal fixed-window limits counted in Redis, so every gateway instance shares them.
 * Must run after authentication. If Redis is unreachable the limiter falls back to an in-process
 * counter with the same limits (per instance) rather than refusing all traffic or none.
 */
export function createRateLimit(options: RateLimitOptions): RequestHandler {
  const { points, windowSeconds } = options;
  const limiter = new RateLimiterRedis({
    storeClient: options.redis,
    keyPrefix: options.keyPrefix ?? 'gw:rl',
    points,
    duration: windowSeconds,
    rejectIfRedisNotReady: true,
    insuranceLimiter: new RateLimiterMemory({ points, duration: windowSeconds }),
  });

  return (req, res, next) => {
    const cost = options.costOf(req);
    const key = options.keyOf ? options.keyOf(req) : principalKey(principalOf(req));
    limiter.consume(key, cost).then(
      (state) => {
        setHeaders(res, points, windowSeconds, state);
        next();
      },
      (rejection: unknown) => {
        if (rejection instanceof RateLimiterRes) {
          setHeaders(res, points, windowSeconds, rejection);
          const retryAfter = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
          next(
            new RateLimitedError(
              retryAfter,
              `Rate limit of ${points} requests per ${windowSeconds} s exceeded`,
            ),
          );
          return;
        }
        // Neither Redis nor the insurance limiter answered: serve rather than fail closed.
        options.logger.warn({ err: rejection }, 'rate limiter unavailable; request not counted');
        next();
      },
    );
  };
}
