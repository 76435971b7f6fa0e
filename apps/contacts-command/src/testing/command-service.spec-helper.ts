import { mintToken, type Principal } from '@reps/auth';
import { ContactEvent, GroupEvent } from '@reps/contracts';
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
  groupsTopic: string;
  notesTopic: string;
  tasksTopic: string;
  dbName: string;
  env: TestEnv;
  mongo: MongoHandle;
  bus: EventBus;
  handle: ServiceHandle;
  token(principal: Principal): Promise<string>;
  request(
    principal: Principal,
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Response>;
  /** Creates a contact in the principal's scope, expects the 201 and answers its id. */
  createContact(principal: Principal, body: Record<string, unknown>): Promise<number>;
  /** Every event on this test's topic, parsed with the public contract schema. */
  topicEvents(expectAtLeast: number, until?: (events: ContactEvent[]) => boolean): Promise<ContactEvent[]>;
  /** Every event on this test's groups topic, parsed with the public contract schema. */
  groupTopicEvents(expectAtLeast: number, until?: (events: GroupEvent[]) => boolean): Promise<GroupEvent[]>;
  close(): Promise<void>;
}

/** Environment for one isolated command service: its own database and topic. */
export function isolatedSettings(env: TestEnv) {
  const groupsTopic = uniqueName('crm.groups.test');
  const notesTopic = uniqueName('crm.notes.test');
  const tasksTopic = uniqueName('crm.tasks.test');
  return {
    notesTopic,
    tasksTopic,
    dbName: uniqueName('cmd').replace(/-/g, '_'),
    topic: uniqueName('crm.contacts.test'),
    groupsTopic,
    env: {
      GROUPS_TOPIC: groupsTopic,
      NOTES_TOPIC: notesTopic,
      TASKS_TOPIC: tasksTopic,
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

export function readTopic(
  bus: EventBus,
  topic: string,
  expectAtLeast: number,
  until: (events: ContactEvent[]) => boolean = () => true,
  timeoutMs = 20_000,
): Promise<ContactEvent[]> {
  return readTopicAs((value) => ContactEvent.parse(value), bus, topic, expectAtLeast, until, timeoutMs);
}

/** Every message on `topic` from the start, parsed with `parse`, once at least `expectAtLeast` arrived and `until` holds. */
export async function readTopicAs<E>(
  parse: (value: unknown) => E,
  bus: EventBus,
  topic: string,
  expectAtLeast: number,
  until: (events: E[]) => boolean = () => true,
  timeoutMs = 20_000,
): Promise<E[]> {
  const events: E[] = [];
  const consumer = await bus.consumer({
    groupId: uniqueName('reader'),
    topics: [topic],
    fromBeginning: true,
  });
  await consumer.run(async (batch) => {
    for (const message of batch.messages) events.push(parse(JSON.parse(message.value!.toString('utf8'))));
  });
  try {
    await waitFor(() => events.length >= expectAtLeast && until(events), {
      timeoutMs,
      what: `${expectAtLeast} events on ${topic}`,
    });
    // Give stragglers (e.g. an unexpected duplicate) a moment to show up before asserting.
    await new Promise((resolve) => setTimeout(resolve, 500));
    return [...events];
  } finally {
    await consumer.close();
  }
}

export async function startCommandUnderTest(
  env: TestEnv,
  overrides: Record<string, string> = {},
): Promise<CommandUnderTest> {
  const settings = isolatedSettings(env);
  const config = contactsCommandConfigSchema.parse({
    ...settings.env,
    PORT: '0',
    MONGO_DB: settings.dbName,
    CONTACTS_TOPIC: settings.topic,
    GROUPS_TOPIC: settings.groupsTopic,
    ...overrides,
  });
  const handle = await startContactsCommand(config, { handleSignals: false, exit: () => undefined });
  const mongo = await connectMongo({ url: env.mongoUrl, dbName: settings.dbName, appName: 'test' });
  const bus = createKafkaEventBus({ brokers: env.kafkaBrokers, clientId: uniqueName('test') });
  const base = `http://127.0.0.1:${handle.port}`;
  const token = (principal: Principal) => mintToken(TEST_SECRET, principal);
  const request = requestAs(base, TEST_SECRET);
  return {
    base,
    topic: settings.topic,
    groupsTopic: settings.groupsTopic,
    notesTopic: settings.notesTopic,
    tasksTopic: settings.tasksTopic,
    dbName: settings.dbName,
    env,
    mongo,
    bus,
    handle,
    token,
    request,
    async createContact(principal, body) {
      const res = await request(principal, 'POST', `/api/${principal.scope}/crm/v202506/contacts`, body);
      expect(res.status).toBe(201);
      return ((await res.json()) as { contact: { id: number } }).contact.id;
    },
    topicEvents: (expectAtLeast, until) => readTopic(bus, settings.topic, expectAtLeast, until),
    groupTopicEvents: (expectAtLeast, until) =>
      readTopicAs((value) => GroupEvent.parse(value), bus, settings.groupsTopic, expectAtLeast, until),
    async close() {
      await handle.shutdown();
      const admin = await bus.admin();
      await admin
        .deleteTopics([settings.topic, settings.groupsTopic, settings.notesTopic, settings.tasksTopic])
        .catch(() => undefined);
      await bus.close();
      await mongo.db.dropDatabase().catch(() => undefined);
      await mongo.close();
    },
  };
}
