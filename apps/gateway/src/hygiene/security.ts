import cors from 'cors';
import type { RequestHandler } from 'express';
import helmet from 'helmet';

/** Headers a browser client may send and read across origins (DESIGN §3's request/response headers). */
const ALLOWED_HEADERS = [
  'Authorization',
  'Content-Type',
  'Idempotency-Key',
  'If-Match',
  'X-Consistency-Token',
  'X-Request-Id',
];
const EXPOSED_HEADERS = [
  'ETag',
  'Location',
  'X-Consistency-Token',
  'X-Consistency',
  'X-Request-Id',
  'Idempotent-Replayed',
  'Retry-After',
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
  'RateLimit-Policy',
];

/**
 * CORS from `CORS_ORIGINS`: none (no CORS headers, so browsers on other origins cannot read
 * answers), `*`, or an exact list. Bearer tokens travel in a header, not cookies, so credentials
 * mode is never needed.
 */
export function createCors(origins: string[]): RequestHandler {
  if (origins.length === 0) return (_req, _res, next) => next();
  return cors({
    origin: origins.includes('*') ? '*' : origins,
    methods: ['GET', 'POST', 'PATCH', 'DELETE'],
    allowedHeaders: ALLOWED_HEADERS,
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: 600,
  });
}

/** Security headers for API answers (JSON only: the strictest CSP, no framing, no sniffing). */
export function createApiSecurityHeaders(corsEnabled: boolean): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { 'default-src': ["'none'"], 'frame-ancestors': ["'none'"] },
    },
    // With CORS on, cross-origin pages are meant to read our answers.
    crossOriginResourcePolicy: { policy: corsEnabled ? 'cross-origin' : 'same-origin' },
  });
}
