import { z } from 'zod';
import { authConfigSchema } from '@reps/auth';
import { baseServiceConfig, configVars } from '@reps/config';

const millis = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

/**
 * `*` (any origin, no credentials), a comma-separated list of exact origins, or empty/unset
 * (no CORS headers at all: browsers on other origins are refused, server-side clients unaffected).
 */
const corsOrigins = z
  .string()
  .optional()
  .transform((value) =>
    (value ?? '')
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean),
  )
  .pipe(
    z.array(
      z
        .string()
        .refine(
          (o) => o === '*' || /^https?:\/\/[^\s/]+$/.test(o),
          'each origin must be * or scheme://host[:port]',
        ),
    ),
  );

export const gatewayConfigSchema = baseServiceConfig(8080)
  .extend({
    REDIS_URL: configVars.redisUrl,
    CONTACTS_COMMAND_URL: configVars.httpUrl('http://127.0.0.1:8081'),
    CONTACTS_QUERY_URL: configVars.httpUrl('http://127.0.0.1:8082'),
    /** The notifier: push subscriptions and notification settings. Not a readiness dependency: contacts work without it. */
    NOTIFIER_URL: configVars.httpUrl('http://127.0.0.1:8083'),
    /** Connecting to an upstream; a refused or unroutable one fails well before this. */
    UPSTREAM_CONNECT_TIMEOUT_MS: millis(50, 60_000, 2_000),
    /**
     * Time for an upstream to answer (headers) and then to send its body. Above the query
     * service's 5 s consistency wait, so a read that waits for its own write is not cut off.
     */
    UPSTREAM_TIMEOUT_MS: millis(100, 120_000, 10_000),
    /** The same for bulk creates, which write up to 1000 contacts in one request. */
    UPSTREAM_BULK_TIMEOUT_MS: millis(100, 300_000, 60_000),
    /** Keep-alive connections per upstream. */
    UPSTREAM_CONNECTIONS: z.coerce.number().int().min(1).max(1024).default(128),
    /** `Retry-After` (seconds) on the 503 for an upstream that is down or too slow. */
    UPSTREAM_RETRY_AFTER_S: z.coerce.number().int().min(1).max(3600).default(5),
    /** Per principal (a rep, or a company's API clients together): requests per window. */
    RATE_LIMIT_POINTS: z.coerce.number().int().min(1).max(1_000_000).default(600),
    RATE_LIMIT_WINDOW_S: z.coerce.number().int().min(1).max(86_400).default(60),
    /** Points a bulk create costs: it does the work of many single requests. */
    RATE_LIMIT_BULK_COST: z.coerce.number().int().min(1).max(1_000).default(10),
    /**
     * How often each instance shares its rate-limit counts through Redis (requests are counted in
     * memory in between; an instance never holds more than 5 % of a limit unshared).
     */
    RATE_LIMIT_SYNC_MS: z.coerce.number().int().min(10).max(10_000).default(100),
    CORS_ORIGINS: corsOrigins,
    /** The public SmartLink routes (no token): requests per window per client IP, and per SmartLink token. */
    PUBLIC_RATE_LIMIT_IP_POINTS: z.coerce.number().int().min(1).max(1_000_000).default(300),
    PUBLIC_RATE_LIMIT_TOKEN_POINTS: z.coerce.number().int().min(1).max(1_000_000).default(60),
    PUBLIC_RATE_LIMIT_WINDOW_S: z.coerce.number().int().min(1).max(86_400).default(60),
    /**
     * Body limit of the public activity beacon. Its `properties` are at most 4 KB, checked by the
     * contract (422 naming the field); this only stops bodies far beyond any valid one (413).
     */
    PUBLIC_BODY_LIMIT: z
      .string()
      .regex(/^\d+(b|kb|mb)$/i, 'a size such as 64kb')
      .default('64kb'),
    /** JSON body limits (body-parser syntax); bulk creates have their own. */
    BODY_LIMIT: z
      .string()
      .regex(/^\d+(b|kb|mb)$/i, 'a size such as 1mb')
      .default('1mb'),
    BULK_BODY_LIMIT: z
      .string()
      .regex(/^\d+(b|kb|mb)$/i, 'a size such as 10mb')
      .default('10mb'),
  })
  .extend(authConfigSchema.shape)
  .refine((c) => !(c.CORS_ORIGINS.includes('*') && c.CORS_ORIGINS.length > 1), {
    message: 'CORS_ORIGINS is either * or a list of origins, not both',
    path: ['CORS_ORIGINS'],
  })
  .refine(
    (c) => c.NODE_ENV !== 'production' || c.AUTH_JWT_SECRET !== undefined || c.AUTH_JWKS_URL !== undefined,
    {
      message: 'AUTH_JWT_SECRET (or AUTH_JWKS_URL) is required when NODE_ENV=production',
      path: ['AUTH_JWT_SECRET'],
    },
  );
export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
