import { createServer, type Server } from 'node:http';
import type { Express } from 'express';
import type { Registry } from 'prom-client';
import type { Logger } from '@reps/observability';
import { createHttpApp } from './create-http-app';
import { boundPort, closeServer, createLifecycle, listen, type Lifecycle } from './lifecycle';
import type { ReadinessCheck } from './readiness';

export interface StartServiceOptions {
  service: string;
  host: string;
  port: number;
  shutdownTimeoutMs: number;
  logger: Logger;
  metrics: Registry;
  readiness: ReadinessCheck[];
  routes?: (app: Express) => void;
  /** See `HttpAppOptions.beforeBody`. */
  beforeBody?: (app: Express) => void;
  jsonLimit?: string;
  /**
   * Work that runs beside HTTP (consumers, workers), stopped right after the server stops
   * accepting and before `closers`, so in-flight work finishes while its clients are open.
   */
  workers?: { name: string; stop: () => Promise<unknown> }[];
  /** Clients closed last, in order. */
  closers?: { name: string; close: () => Promise<unknown> }[];
  /** Defaults to true; tests pass false and call `shutdown()` themselves. */
  handleSignals?: boolean;
  exit?: (code: number) => void;
}

export interface ServiceHandle {
  app: Express;
  server: Server;
  port: number;
  lifecycle: Lifecycle;
  shutdown: () => Promise<void>;
}

/** Builds the app, binds the port and wires graceful shutdown in the order that loses nothing. */
export async function startService(options: StartServiceOptions): Promise<ServiceHandle> {
  const lifecycle = createLifecycle({
    logger: options.logger,
    timeoutMs: options.shutdownTimeoutMs,
    ...(options.exit ? { exit: options.exit } : {}),
  });
  const app = createHttpApp({
    service: options.service,
    logger: options.logger,
    metrics: options.metrics,
    readiness: options.readiness,
    isShuttingDown: () => lifecycle.shuttingDown,
    ...(options.jsonLimit ? { jsonLimit: options.jsonLimit } : {}),
    ...(options.beforeBody ? { beforeBody: options.beforeBody } : {}),
    ...(options.routes ? { routes: options.routes } : {}),
  });
  const server = createServer(app);
  // Slow clients must not pin the process open during a shutdown.
  server.headersTimeout = 15_000;
  server.requestTimeout = 30_000;
  await listen(server, options.port, options.host);

  lifecycle.onShutdown('http', () => closeServer(server));
  for (const worker of options.workers ?? []) lifecycle.onShutdown(worker.name, worker.stop);
  for (const closer of options.closers ?? []) lifecycle.onShutdown(closer.name, closer.close);
  if (options.handleSignals ?? true) lifecycle.installSignalHandlers();

  const port = boundPort(server);
  options.logger.info({ port, host: options.host }, `${options.service} listening`);
  return { app, server, port, lifecycle, shutdown: () => lifecycle.shutdown('requested') };
}

/** What a service's `start…` function takes besides its config (tests override both). */
export interface StartOptions {
  handleSignals?: boolean;
  exit?: (code: number) => void;
}
