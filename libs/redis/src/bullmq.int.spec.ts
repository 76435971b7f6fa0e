import { z } from 'zod';
import { resolveTestEnv, uniqueName, type TestEnv } from '@reps/testing';
import { closeRedis, createRedisConnection, createTypedQueue, createTypedWorker, pingRedis, type Redis } from './index';

const greetingJob = z.object({ userId: z.number().int().positive(), text: z.string().min(1) });

describe('BullMQ over a real Redis', () => {
  let env: TestEnv;
  let connection: Redis;

  beforeAll(async () => {
    env = await resolveTestEnv();
    connection = createRedisConnection(env.redisUrl, { blocking: true });
  });

  afterAll(async () => {
    await closeRedis(connection);
    await env?.close();
  });

  it('pings', async () => {
    await expect(pingRedis(connection)).resolves.toBeUndefined();
  });

  it('enqueues a job and a worker processes it', async () => {
    const name = uniqueName('smoke-queue');
    const queue = createTypedQueue({ name, connection, schema: greetingJob });
    const processed: z.infer<typeof greetingJob>[] = [];
    const worker = createTypedWorker({
      name,
      connection,
      schema: greetingJob,
      process: async (data) => {
        processed.push(data);
        return 'sent';
      },
    });
    try {
      const completed = new Promise<unknown>((resolve) => worker.once('completed', (_job, result) => resolve(result)));
      // Same job id twice: BullMQ keeps one job, which is how redelivered events stay single.
      await queue.add('greet', { userId: 7, text: 'hi' }, { jobId: 'event-1' });
      await queue.add('greet', { userId: 7, text: 'hi' }, { jobId: 'event-1' });
      expect(await completed).toBe('sent');
      expect(processed).toEqual([{ userId: 7, text: 'hi' }]);
    } finally {
      await worker.close();
      await queue.queue.obliterate({ force: true });
      await queue.close();
    }
  });

  it('refuses job data that breaks the schema before it reaches Redis', async () => {
    const name = uniqueName('smoke-queue');
    const queue = createTypedQueue({ name, connection, schema: greetingJob });
    try {
      await expect(queue.add('greet', { userId: -1, text: '' } as never)).rejects.toThrow(/userId|text/);
      expect(await queue.queue.getJobCounts()).toMatchObject({ waiting: 0 });
    } finally {
      await queue.close();
    }
  });
});
