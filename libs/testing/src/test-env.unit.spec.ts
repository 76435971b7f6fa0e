import { resolveTestEnv } from './test-env';

describe('resolveTestEnv', () => {
  it('takes the servers from the environment when all three are set', async () => {
    const env = await resolveTestEnv({
      KAFKA_BROKERS: '127.0.0.1:9092, 127.0.0.1:9094',
      MONGO_URL: 'mongodb://127.0.0.1:27017',
      REDIS_URL: 'redis://127.0.0.1:6379',
    });
    expect(env.source).toBe('env');
    expect(env.kafkaBrokers).toEqual(['127.0.0.1:9092', '127.0.0.1:9094']);
  });

  it('names the command that starts local servers when there is neither env nor Docker', async () => {
    // DOCKER_HOST pointing at a closed socket makes testcontainers' engine probe fail fast.
    process.env['DOCKER_HOST'] = 'unix:///nonexistent/docker.sock';
    await expect(resolveTestEnv({})).rejects.toThrow(/tools\/infra\.sh start/);
  });
});
