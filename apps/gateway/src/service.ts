import { startService, type ServiceHandle, type StartOptions } from '@reps/http';
import { createLogger, createMetricsRegistry } from '@reps/observability';
import { closeRedis, createRedisConnection, pingRedis } from '@reps/redis';
import type { GatewayConfig } from './config';

const SERVICE = 'gateway';

async function upstreamHealthy(baseUrl: string): Promise<void> {
  const res = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(1500) });
  if (!res.ok) throw new Error(`healthz answered ${res.status}`);
}

export async function startGateway(config: GatewayConfig, { handleSignals = true, exit }: StartOptions = {}): Promise<ServiceHandle> {
  const logger = createLogger({ service: SERVICE, level: config.LOG_LEVEL });
  const metrics = createMetricsRegistry(SERVICE);
  const redis = createRedisConnection(config.REDIS_URL, { connectionName: SERVICE });

  return startService({
    service: SERVICE,
    host: config.HOST,
    port: config.PORT,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    logger,
    metrics,
    readiness: [
      { name: 'redis', check: () => pingRedis(redis) },
      { name: 'contacts-command', check: () => upstreamHealthy(config.CONTACTS_COMMAND_URL) },
      { name: 'contacts-query', check: () => upstreamHealthy(config.CONTACTS_QUERY_URL) },
    ],
    closers: [{ name: 'redis', close: () => closeRedis(redis) }],
    handleSignals,
    ...(exit ? { exit } : {}),
  });
}
