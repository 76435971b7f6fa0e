import { Queue, Worker, type Job } from 'bullmq';
import { closeRedis, createRedisConnection, type Redis } from '@reps/redis';
import { resolveTestEnv, uniqueName, waitFor, type TestEnv } from '@reps/testing';
import { claimSendAttempt } from './send-attempts';

/**
 * Regression for `npm run chaos` seeing one push twice after the notifier was SIGKILLed: a send
 * job whose process died after posting ran again once BullMQ found it stalled. Against the real
 * Redis and BullMQ: the job's processor claims its attempt, "posts", and its worker dies (force
 * close: the job stays active and its lock expires, as after a SIGKILL).
 */
describe('send attempts: a push is not posted again after a crash, but is after a failure', () => {
  let env: TestEnv;
  let redis: Redis;
  const prefix = uniqueName('send-attempts');
  const closers: (() => Promise<unknown>)[] = [];
  const connections: Redis[] = [];
  /** BullMQ leaves connections it was given open: each queue and worker gets its own, closed after. */
  const connection = () => {
    const c = redis.duplicate();
    connections.push(c);
    return c;
  };

  beforeAll(async () => {
    env = await resolveTestEnv();
    redis = createRedisConnection(env.redisUrl, { blocking: true });
  });

  afterAll(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    for (const c of connections) c.disconnect();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await closeRedis(redis);
    await env?.close();
  });

  /** A processor that claims its attempt and counts the posts it would make. */
  function sender(posts: string[], after: (job: Job) => Promise<unknown>) {
    return async (job: Job) => {
      if (!(await claimSendAttempt(redis, `${prefix}:sending:${job.id}`, job.attemptsMade, 60)))
        return 'not posted again';
      posts.push(`${job.id}#${job.attemptsMade}`);
      return after(job);
    };
  }

  function worker(queue: string, processor: (job: Job) => Promise<unknown>) {
    const w = new Worker(queue, processor, {
      connection: connection(),
      prefix,
      lockDuration: 1000,
      stalledInterval: 500,
    });
    closers.push(() => w.close(true));
    return w;
  }

  it('the attempt a crash cut off after posting is not posted again when the stalled job runs', async () => {
    const name = uniqueName('crash');
    const queue = new Queue(name, { connection: connection(), prefix });
    closers.push(() => queue.close());
    const posts: string[] = [];
    const dying = worker(
      name,
      sender(posts, () => new Promise(() => undefined)),
    ); // dies after posting
    const job = await queue.add('push', {}, { jobId: 'p1', attempts: 3 });
    await waitFor(() => posts.length === 1, { what: 'the first post' });
    await dying.close(true); // the process is gone: its lock is no longer renewed

    worker(
      name,
      sender(posts, async () => 'posted'),
    );
    await waitFor(async () => (await job.isCompleted()) && true, {
      timeoutMs: 15_000,
      what: 'the stalled job to run',
    });
    const done = await queue.getJob('p1');
    expect({ posts, returned: done?.returnvalue, stalled: done?.stalledCounter }).toEqual({
      posts: ['p1#0'],
      returned: 'not posted again',
      stalled: 1,
    });
  }, 30_000);

  it('a retry after a failure the worker saw is a new attempt and posts again', async () => {
    const name = uniqueName('retry');
    const queue = new Queue(name, { connection: connection(), prefix });
    closers.push(() => queue.close());
    const posts: string[] = [];
    worker(
      name,
      sender(posts, async (job) => {
        if (job.attemptsMade === 0) throw new Error('push service: 503');
        return 'posted';
      }),
    );
    const job = await queue.add('push', {}, { jobId: 'p2', attempts: 3 });
    await waitFor(async () => (await job.isCompleted()) && true, {
      timeoutMs: 15_000,
      what: 'the retried job',
    });
    expect(posts).toEqual(['p2#0', 'p2#1']);
  }, 30_000);
});
