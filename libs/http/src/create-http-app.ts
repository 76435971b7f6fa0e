import express, { type Express } from 'express';
import { Histogram, type Registry } from 'prom-client';
import type { Logger } from '@reps/observability';
import { createErrorMiddleware, notFoundHandler } from './error-middleware';
import { runReadinessChecks, type ReadinessCheck } from './readiness';
import { accessLog } from './access-log';

export interface HttpAppOptions {
  service: string;
  logger: Logger;
  metrics: Registry;
  /** Dependencies that must answer for `/readyz` to be 200. */
  readiness: ReadinessCheck[];
  /** While true, `/readyz` answers 503 so load balancers drain this instance. */
  isShuttingDown?: () => boolean;
  /** Max JSON body size (body-parser syntax), default `1mb`. */
  jsonLimit?: string;
  /**
   * Mounts middleware that must run before any request body is read (after health, readiness
   * and metrics): security headers, CORS, authentication, rate limits, per-route body parsers.
   * Rejecting a caller here costs nothing, whereas the JSON parser reads up to `jsonLimit` first.
   */
  beforeBody?: (app: Express) => void;
  /** Mounts the service's own routes, between the common middleware and the error handler. */
  routes?: (app: Express) => void;
}

const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * The express app every service starts from: request ids, JSON logs, metrics, health and
 * readiness, the JSON body parser, then the service's routes, then one error middleware.
 */
export function createHttpApp(options: HttpAppOptions): Express {
  const { service, logger, metrics, readiness, isShuttingDown = () => false, jsonLimit = '1mb' } = options;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  // An ETag here is a resource version (`W/"<n>"`, sent back as If-Match); express's own hash of
  // a body would put a non-version ETag on errors and lists that a client could send back.
  app.set('etag', false);

  const requestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route and status',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [metrics],
  });

  app.use(accessLog(logger, (url) => QUIET_PATHS.has(url)));

  app.use((req, res, next) => {
    const stop = requestDuration.startTimer({ method: req.method });
    res.on('finish', () => {
      // Label by route pattern, not raw URL, so ids don't explode the metric's cardinality.
      const route = req.route ? `${req.baseUrl}${String(req.route.path)}` : QUIET_PATHS.has(req.path) ? req.path : 'unmatched';
      stop({ route, status_code: String(res.statusCode) });
    });
    next();
  });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', service });
  });

  app.get('/readyz', async (_req, res) => {
    if (isShuttingDown()) {
      res.status(503).json({ status: 'shutting_down', service, checks: {}, unavailable: [] });
      return;
    }
    const report = await runReadinessChecks(readiness);
    res
      .status(report.ready ? 200 : 503)
      .json({ status: report.ready ? 'ready' : 'unavailable', service, checks: report.checks, unavailable: report.unavailable });
  });

  app.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', metrics.contentType);
    res.send(await metrics.metrics());
  });

  options.beforeBody?.(app);

  // A body an earlier parser (from `beforeBody`) already read is left alone by this one.
  app.use(express.json({ limit: jsonLimit, strict: true, type: ['application/json', 'application/*+json'] }));

  options.routes?.(app);

  app.use(notFoundHandler);
  app.use(createErrorMiddleware(logger));
  return app;
}
