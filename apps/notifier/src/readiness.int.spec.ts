import type { ServiceHandle } from '@reps/http';
import { resolveTestEnv, startPrivateRedisServer, waitFor, type PrivateRedisServer, type TestEnv } from '@reps/testing';
import { notifierConfigSchema } from './config';
import { startNotifier } from './service';

describe('notifier /readyz follows Redis', () => {
  let env: TestEnv;
  let redis: PrivateRedisServer;
  let notifier: ServiceHandle;
  let base: string;

  beforeAll(async () => {
    env = await resolveTestEnv();
    // A Redis of this test's own: taking the shared one down would break the other suites.
    redis = await startPrivateRedisServer();
    const config = notifierConfigSchema.parse({
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'silent',
      REDIS_URL: redis.url,
      KAFKA_BROKERS: env.kafkaBrokers.join(','),
    });
    notifier = await startNotifier(config, { handleSignals: false, exit: () => undefined });
    base = `http://127.0.0.1:${notifier.port}`;
  });

  afterAll(async () => {
    await notifier?.shutdown();
    await redis?.dispose();
    await env?.close();
  });

  const readyStatus = async () => (await fetch(`${base}/readyz`)).status;

  it('is healthy and ready while Redis and Kafka answer', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    await waitFor(async () => (await readyStatus()) === 200, { what: 'ready' });
  });

  it('turns 503 naming redis when Redis stops, and 200 again when it is back', async () => {
    await redis.stop();
    const down = await waitFor(
      async () => {
        const res = await fetch(`${base}/readyz`);
        return res.status === 503 ? ((await res.json()) as { unavailable: string[] }) : undefined;
      },
      { what: 'readyz 503' },
    );
    expect(down.unavailable).toEqual(['redis']);
    // Liveness is not readiness: the process itself is fine.
    expect((await fetch(`${base}/healthz`)).status).toBe(200);

    await redis.start();
    await waitFor(async () => (await readyStatus()) === 200, { what: 'readyz 200 after Redis restart', timeoutMs: 20_000 });
  });
});
