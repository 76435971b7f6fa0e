import express from 'express';
import { createTokenVerifierFromConfig, requireScope } from '@reps/auth';
import { startService, type ServiceHandle, type StartOptions } from '@reps/http';
import { createLogger, createMetricsRegistry } from '@reps/observability';
import { closeRedis, createRedisConnection, pingRedis, type Redis } from '@reps/redis';
import type { GatewayConfig } from './config';
import { CONTACT_OPERATIONS, scopeBase } from './contacts/contact-operations';
import { createContactRoutes } from './contacts/contact-routes';
import { createDocsRoutes } from './docs/docs-page';
import { createGroupRoutes } from './groups/group-routes';
import { beaconCors, BEACON_PATH, mountPublicSmartlinkRoutes } from './smartlinks/public-smartlink-routes';
import { createSmartlinkRoutes } from './smartlinks/smartlink-routes';
import { createNoteTaskRoutes } from './notes-tasks/note-task-routes';
import { createPushRoutes } from './push/push-routes';
import { createRateLimit } from './hygiene/rate-limit';
import { createApiSecurityHeaders, createCors } from './hygiene/security';
import { buildOpenApiDocument } from './openapi/openapi-document';
import { createUpstreamClient } from './upstream/upstream-client';

const SERVICE = 'gateway';

export interface GatewayOptions extends StartOptions {
  /** Separates rate-limit counters of tests sharing one Redis. */
  rateLimitKeyPrefix?: string;
}

function redisReady(redis: Redis, timeoutMs: number): Promise<boolean> {
  if (redis.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      resolve(false);
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve(true);
    };
    redis.once('ready', onReady);
  });
}

export async function startGateway(
  config: GatewayConfig,
  { handleSignals = true, exit, rateLimitKeyPrefix }: GatewayOptions = {},
): Promise<ServiceHandle> {
  const logger = createLogger({ service: SERVICE, level: config.LOG_LEVEL });
  const metrics = createMetricsRegistry(SERVICE);
  const verifier = createTokenVerifierFromConfig(config, config.NODE_ENV, (message) => logger.warn(message));
  const redis = createRedisConnection(config.REDIS_URL, { connectionName: SERVICE });
  // Until Redis is connected the limiter counts in memory; waiting briefly at start keeps the
  // first requests' counts in Redis too. A Redis that is down does not stop the gateway.
  if (!(await redisReady(redis, 3_000)))
    logger.warn('Redis is not reachable yet: rate limits count per instance until it is');
  const upstream = (name: string, baseUrl: string) =>
    createUpstreamClient({
      name,
      baseUrl,
      connectTimeoutMs: config.UPSTREAM_CONNECT_TIMEOUT_MS,
      timeoutMs: config.UPSTREAM_TIMEOUT_MS,
      connections: config.UPSTREAM_CONNECTIONS,
      retryAfterSeconds: config.UPSTREAM_RETRY_AFTER_S,
      logger,
    });
  const command = upstream('contacts-command', config.CONTACTS_COMMAND_URL);
  const query = upstream('contacts-query', config.CONTACTS_QUERY_URL);
  const notifier = upstream('notifier', config.NOTIFIER_URL);
  const openApi = JSON.stringify(buildOpenApiDocument());
  const bulkPaths = CONTACT_OPERATIONS.filter((op) => op.kind === 'bulk').map(
    (op) => `${scopeBase(op.scope)}${op.path}`,
  );

  const rateLimit = createRateLimit({
    redis,
    points: config.RATE_LIMIT_POINTS,
    windowSeconds: config.RATE_LIMIT_WINDOW_S,
    syncIntervalMs: config.RATE_LIMIT_SYNC_MS,
    costOf: (req) =>
      req.method === 'POST' && bulkPaths.includes(`${req.baseUrl}${req.path}`)
        ? config.RATE_LIMIT_BULK_COST
        : 1,
    ...(rateLimitKeyPrefix ? { keyPrefix: rateLimitKeyPrefix } : {}),
    logger,
  });

  let publicRoutes: { close(): Promise<void> } | undefined;

  return startService({
    service: SERVICE,
    host: config.HOST,
    port: config.PORT,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    logger,
    metrics,
    jsonLimit: config.BODY_LIMIT,
    readiness: [
      { name: 'redis', check: () => pingRedis(redis) },
      { name: 'contacts-command', check: () => command.healthy() },
      { name: 'contacts-query', check: () => query.healthy() },
    ],
    // Order matters: CORS preflights and the docs need no token; then every /api request is
    // authenticated and counted before a byte of its body is read.
    beforeBody: (app) => {
      // The beacon is CORS-open to any origin (the company site); the API keeps its own CORS rule.
      app.use(BEACON_PATH, beaconCors);
      app.use(createCors(config.CORS_ORIGINS));
      app.use(createDocsRoutes());
      app.use(createApiSecurityHeaders(config.CORS_ORIGINS.length > 0));
      app.get('/openapi.json', (_req, res) => {
        res.type('application/json').setHeader('Cache-Control', 'no-cache').send(openApi);
      });
      for (const scope of ['user', 'company'] as const) {
        app.use(scopeBase(scope), requireScope(verifier, scope), rateLimit);
      }
      for (const path of bulkPaths) {
        app.post(
          path,
          express.json({
            limit: config.BULK_BODY_LIMIT,
            strict: true,
            type: ['application/json', 'application/*+json'],
          }),
        );
      }
      // Public SmartLink tracking: no token (the link's token is the capability), limits per IP and per token.
      publicRoutes = mountPublicSmartlinkRoutes(app, {
        command,
        redis,
        ipPoints: config.PUBLIC_RATE_LIMIT_IP_POINTS,
        tokenPoints: config.PUBLIC_RATE_LIMIT_TOKEN_POINTS,
        windowSeconds: config.PUBLIC_RATE_LIMIT_WINDOW_S,
        syncIntervalMs: config.RATE_LIMIT_SYNC_MS,
        bodyLimit: config.PUBLIC_BODY_LIMIT,
        ...(rateLimitKeyPrefix ? { keyPrefix: rateLimitKeyPrefix } : {}),
        logger,
      });
    },
    routes: (app) => {
      app.use(createContactRoutes({ command, query, bulkTimeoutMs: config.UPSTREAM_BULK_TIMEOUT_MS }));
      app.use(createGroupRoutes({ command, query, bulkTimeoutMs: config.UPSTREAM_BULK_TIMEOUT_MS }));
      app.use(createSmartlinkRoutes({ command, query, bulkTimeoutMs: config.UPSTREAM_BULK_TIMEOUT_MS }));
      app.use(createNoteTaskRoutes({ command, query, bulkTimeoutMs: config.UPSTREAM_BULK_TIMEOUT_MS }));
      app.use(createPushRoutes({ command, query, notifier, bulkTimeoutMs: config.UPSTREAM_BULK_TIMEOUT_MS }));
    },
    closers: [
      { name: 'upstreams', close: () => Promise.all([command.close(), query.close(), notifier.close()]) },
      // The last counts go to Redis before it closes.
      { name: 'rate limits', close: () => Promise.all([rateLimit.close(), publicRoutes?.close()]) },
      { name: 'redis', close: () => closeRedis(redis) },
    ],
    handleSignals,
    ...(exit ? { exit } : {}),
  });
}
