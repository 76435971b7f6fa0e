import { startService, type ServiceHandle, type StartOptions } from '@reps/http';
import { createKafkaEventBus } from '@reps/kafka';
import { createLogger, createMetricsRegistry } from '@reps/observability';
import { closeRedis, createRedisConnection, pingRedis } from '@reps/redis';
import type { NotifierConfig } from './config';

const SERVICE = 'notifier';

export async function startNotifier(config: NotifierConfig, { handleSignals = true, exit }: StartOptions = {}): Promise<ServiceHandle> {
  const logger = createLogger({ service: SERVICE, level: config.LOG_LEVEL });
  const metrics = createMetricsRegistry(SERVICE);
  // Fails fast on commands while Redis is down, so /readyz reports it instead of hanging.
  const redis = createRedisConnection(config.REDIS_URL, { connectionName: `${SERVICE}-probe` });
  const bus = createKafkaEventBus({ brokers: config.KAFKA_BROKERS, clientId: SERVICE, logger });

  return startService({
    service: SERVICE,
    host: config.HOST,
    port: config.PORT,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    logger,
    metrics,
    readiness: [
      { name: 'redis', check: () => pingRedis(redis) },
      { name: 'kafka', check: () => bus.ping() },
    ],
    closers: [
      { name: 'kafka', close: () => bus.close() },
      { name: 'redis', close: () => closeRedis(redis) },
    ],
    handleSignals,
    ...(exit ? { exit } : {}),
  });
}
