import type { Server } from 'node:http';
import type { Logger } from '@reps/observability';

export interface Lifecycle {
  readonly shuttingDown: boolean;
  /** Steps run in registration order on shutdown: register "stop taking work" before "close clients". */
  onShutdown(name: string, step: () => Promise<unknown> | unknown): void;
  shutdown(reason: string): Promise<void>;
  /** SIGTERM/SIGINT start a graceful shutdown; a second signal exits at once. */
  installSignalHandlers(): void;
}

export interface LifecycleOptions {
  logger: Logger;
  timeoutMs: number;
  exit?: (code: number) => void;
}

export function createLifecycle({ logger, timeoutMs, exit = (code) => process.exit(code) }: LifecycleOptions): Lifecycle {
  const steps: { name: string; step: () => Promise<unknown> | unknown }[] = [];
  let shuttingDown = false;
  let done: Promise<void> | undefined;

  async function runSteps(): Promise<number> {
    let code = 0;
    for (const { name, step } of steps) {
      try {
        await step();
        logger.info({ step: name }, 'shutdown step done');
      } catch (error) {
        code = 1;
        logger.error({ err: error, step: name }, 'shutdown step failed');
      }
    }
    return code;
  }

  const lifecycle: Lifecycle = {
    get shuttingDown() {
      return shuttingDown;
    },
    onShutdown(name, step) {
      steps.push({ name, step });
    },
    shutdown(reason) {
      if (done) return done;
      shuttingDown = true;
      logger.info({ reason }, 'shutting down');
      const timer = setTimeout(() => {
        logger.error({ timeoutMs }, 'shutdown timed out; exiting');
        exit(1);
      }, timeoutMs);
      timer.unref();
      done = runSteps().then((code) => {
        clearTimeout(timer);
        logger.info({ code }, 'shutdown complete');
        exit(code);
      });
      return done;
    },
    installSignalHandlers() {
      for (const signal of ['SIGTERM', 'SIGINT'] as const) {
        process.on(signal, () => {
          if (shuttingDown) {
            logger.warn({ signal }, 'second signal; exiting now');
            exit(1);
            return;
          }
          void lifecycle.shutdown(signal);
        });
      }
    },
  };
  return lifecycle;
}

/** Starts listening; resolves once the port is bound (port 0 picks a free one). */
export function listen(server: Server, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

/** Stops accepting connections and waits for in-flight requests; idle keep-alives are dropped. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeIdleConnections();
  });
}

export function boundPort(server: Server): number {
  const address = server.address();
  if (address && typeof address === 'object') return address.port;
  throw new Error('server is not listening on a TCP port');
}
