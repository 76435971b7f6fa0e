import { mintToken, type Principal } from '@reps/auth';
import { ContactEvent } from '@reps/contracts';
import type { ServiceHandle } from '@reps/http';
import { createKafkaEventBus, type EventBus } from '@reps/kafka';
import { connectMongo, type MongoHandle } from '@reps/mongo';
import { requestAs, uniqueName, waitFor, type TestEnv } from '@reps/testing';
import { contactsCommandConfigSchema } from '../config';
import { startContactsCommand } from '../service';

export const TEST_SECRET = 'contacts-command-test-secret-0123456789';

export interface CommandUnderTest {
  base: string;
  topic: string;
  dbName: string;
  env: TestEnv;
  mongo: MongoHandle;
  bus: EventBus;
  handle: ServiceHandle;
  token(principal: Principal): Promise<string>;
  request(principal: Principal, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  /** Every event on this test's topic, parsed with the public contract schema. */
  topicEvents(expectAtLeast: number, until?: (events: ContactEvent[]) => boolean): Promise<ContactEvent[]>;
  close(): Promise<void>;
}

/** Environment for one isolated command service: its own database and topic. */
export function isolatedSettings(env: TestEnv) {
  return {
    dbName: uniqueName('cmd').replace(/-/g, '_'),
    topic: uniqueName('crm.contacts.test'),
    env: {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      HOST: '127.0.0.1',
      KAFKA_BROKERS: env.kafkaBrokers.join(','),
      MONGO_URL: env.mongoUrl,
      AUTH_JWT_SECRET: TEST_SECRET,
      CONTACTS_TOPIC_PARTITIONS: '3',
      OUTBOX_RELAY_INTERVAL_MS: '200',
    } as Record<string, string>,
  };
}

export async function readTopic(
  bus: EventBus,
  topic: string,
  expectAtLeast: number,
  until: (events: ContactEvent[]) => boolean = () => true,
  timeoutMs = 20_000,
) {
  const events: ContactEvent[] = [];
  const consumer = await bus.consumer({ groupId: uniqueName('reader'), topics: [topic], fromBeginning: true });
  await consumer.run(async (batch) => {
    for (const message of batch.messages) events.push(ContactEvent.parse(JSON.parse(message.value!.toString('utf8'))));
  });
  try {
    await waitFor(() => events.length >= expectAtLeast && until(events), { timeoutMs, what: `${expectAtLeast} events on ${topic}` });
    // Give stragglers (e.g. an unexpected duplicate) a moment to show up before asserting.
    await new Promise((resolve) => setTimeout(resolve, 500));
    return [...events];
  } finally {
    await consumer.close();
  }
}

export async function startCommandUnderTest(env: TestEnv, overrides: Record<string, string> = {}): Promise<CommandUnderTest> {
  const settings = isolatedSettings(env);
  const config = contactsCommandConfigSchema.parse({
    ...settings.env,
    PORT: '0',
    MONGO_DB: settings.dbName,
    CONTACTS_TOPIC: settings.topic,
    ...overrides,
  });
  const handle = await startContactsCommand(config, { handleSignals: false, exit: () => undefined });
  const mongo = await connectMongo({ url: env.mongoUrl, dbName: settings.dbName, appName: 'test' });
  const bus = createKafkaEventBus({ brokers: env.kafkaBrokers, clientId: uniqueName('test') });
  const base = `http://127.0.0.1:${handle.port}`;
  const token = (principal: Principal) => mintToken(TEST_SECRET, principal);
  return {
    base,
    topic: settings.topic,
    dbName: settings.dbName,
    env,
    mongo,
    bus,
    handle,
    token,
    request: requestAs(base, TEST_SECRET),
    topicEvents: (expectAtLeast, until) => readTopic(bus, settings.topic, expectAtLeast, until),
    async close() {
      await handle.shutdown();
      const admin = await bus.admin();
      await admin.deleteTopics([settings.topic]).catch(() => undefined);
      await bus.close();
      await mongo.db.dropDatabase().catch(() => undefined);
      await mongo.close();
    },
  };
}
