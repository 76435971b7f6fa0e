import { freePort } from './ports';

export interface TestEnv {
  kafkaBrokers: string[];
  mongoUrl: string;
  redisUrl: string;
  /** `env` when taken from variables, `testcontainers` when this process started containers. */
  source: 'env' | 'testcontainers';
  /** Stops what this process started (nothing for `env`). */
  close(): Promise<void>;
}

const START_LOCAL = 'npm run infra start (tools/infra.sh start), then eval "$(tools/infra.sh env)"';

/**
 * Where integration tests find real servers: KAFKA_BROKERS / MONGO_URL / REDIS_URL when all
 * set; else containers when a Docker engine answers; else an error naming the command that
 * starts the local servers. Never a fake.
 */
export async function resolveTestEnv(env: NodeJS.ProcessEnv = process.env): Promise<TestEnv> {
  const { KAFKA_BROKERS, MONGO_URL, REDIS_URL } = env;
  if (KAFKA_BROKERS && MONGO_URL && REDIS_URL) {
    return {
      kafkaBrokers: KAFKA_BROKERS.split(',').map((b) => b.trim()),
      mongoUrl: MONGO_URL,
      redisUrl: REDIS_URL,
      source: 'env',
      close: async () => undefined,
    };
  }
  if (await dockerEngineAnswers()) return startContainers();
  throw new Error(
    `Integration tests need Kafka, MongoDB and Redis: set KAFKA_BROKERS, MONGO_URL and REDIS_URL, ` +
      `or run a Docker engine for testcontainers. Without Docker, start the local servers: ${START_LOCAL}`,
  );
}

async function dockerEngineAnswers(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

async function startContainers(): Promise<TestEnv> {
  const { GenericContainer, Wait } = await import('testcontainers');
  // Kafka advertises the address clients must dial, so its host port has to be known up front.
  const kafkaPort = await freePort();
  const [kafka, mongo, redis] = await Promise.all([
    new GenericContainer('apache/kafka:3.9.1')
      .withExposedPorts({ container: 9092, host: kafkaPort })
      .withEnvironment({
        KAFKA_NODE_ID: '1',
        KAFKA_PROCESS_ROLES: 'broker,controller',
        KAFKA_LISTENERS: 'PLAINTEXT://:9092,CONTROLLER://:9093',
        KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://127.0.0.1:${kafkaPort}`,
        KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
        KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
        KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
        KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
        KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
        KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
        KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      })
      .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
      .start(),
    new GenericContainer('mongo:7').withExposedPorts(27017).withWaitStrategy(Wait.forListeningPorts()).start(),
    new GenericContainer('redis:7')
      .withExposedPorts(6379)
      .withCommand(['redis-server', '--appendonly', 'yes', '--maxmemory-policy', 'noeviction'])
      .start(),
  ]);
  return {
    kafkaBrokers: [`127.0.0.1:${kafkaPort}`],
    mongoUrl: `mongodb://${mongo.getHost()}:${mongo.getMappedPort(27017)}`,
    redisUrl: `redis://${redis.getHost()}:${redis.getMappedPort(6379)}`,
    source: 'testcontainers',
    async close() {
      await Promise.all([kafka.stop(), mongo.stop(), redis.stop()]);
    },
  };
}
