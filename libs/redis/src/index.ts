import { Queue, Worker, type Job, type JobsOptions, type WorkerOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import type { z } from 'zod';

export { Redis } from 'ioredis';

export interface RedisConnectionOptions {
  /**
   * BullMQ workers block on Redis and must retry forever (`maxRetriesPerRequest: null`);
   * plain request/response clients should fail fast instead so callers can answer 503.
   */
  blocking?: boolean;
  connectionName?: string;
}

export function createRedisConnection(url: string, options: RedisConnectionOptions = {}): Redis {
  const settings: RedisOptions = {
    lazyConnect: false,
    enableOfflineQueue: options.blocking ?? false,
    maxRetriesPerRequest: options.blocking ? null : 1,
    connectTimeout: 3000,
    // Keep reconnecting with a capped backoff: a restarted Redis must be picked up again.
    retryStrategy: (attempt) => Math.min(100 * 2 ** Math.min(attempt, 5), 2000),
    ...(options.connectionName ? { connectionName: options.connectionName } : {}),
  };
  const redis = new Redis(url, settings);
  // Errors surface through commands and /readyz; an unhandled 'error' event would crash us.
  redis.on('error', () => undefined);
  return redis;
}

export async function pingRedis(redis: Redis): Promise<void> {
  const answer = await redis.ping();
  if (answer !== 'PONG') throw new Error(`unexpected PING answer: ${answer}`);
}

/** Closes gracefully, or drops the socket when Redis is unreachable and QUIT would hang. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  if (redis.status === 'ready') await redis.quit();
  else redis.disconnect();
}

export interface TypedQueue<T> {
  queue: Queue;
  /** Validates `data` with the job schema before it ever reaches Redis. */
  add(name: string, data: T, options?: JobsOptions): Promise<Job>;
  close(): Promise<void>;
}

/** A BullMQ queue whose job data is owned by a zod schema. */
export function createTypedQueue<S extends z.ZodType>(params: {
  name: string;
  connection: Redis;
  schema: S;
  prefix?: string;
  defaultJobOptions?: JobsOptions;
}): TypedQueue<z.infer<S>> {
  const queue = new Queue(params.name, {
    connection: params.connection,
    ...(params.prefix ? { prefix: params.prefix } : {}),
    ...(params.defaultJobOptions ? { defaultJobOptions: params.defaultJobOptions } : {}),
  });
  return {
    queue,
    add: async (name, data, options) => queue.add(name, params.schema.parse(data), options),
    close: () => queue.close(),
  };
}

/** A BullMQ worker that parses job data with the schema before handing it to `process`. */
export function createTypedWorker<S extends z.ZodType, R>(params: {
  name: string;
  connection: Redis;
  schema: S;
  /** `token` is the worker's lock token, which `job.moveToDelayed` and friends need. */
  process: (data: z.infer<S>, job: Job, token?: string) => Promise<R>;
  prefix?: string;
  options?: Omit<WorkerOptions, 'connection' | 'prefix'>;
}): Worker {
  return new Worker(
    params.name,
    async (job: Job, token?: string) => params.process(params.schema.parse(job.data), job, token),
    {
      connection: params.connection,
      ...(params.prefix ? { prefix: params.prefix } : {}),
      ...params.options,
    },
  );
}
