import { randomUUID } from 'node:crypto';
import type { Principal } from '@reps/auth';
import {
  BLANK_CONTACT_FIELDS,
  contactEventSchemas,
  smartlinkEventSchemas,
  taskEventSchemas,
  type SmartlinkEventOf,
  type TaskEventOf,
} from '@reps/contracts';
import type { ServiceHandle } from '@reps/http';
import { createKafkaEventBus, type EventBus, type EventProducer } from '@reps/kafka';
import { connectMongo } from '@reps/mongo';
import { requestAs, uniqueName, type RequestAs, type TestEnv } from '@reps/testing';
import { notifierConfigSchema } from '../config';
import { startNotifier } from '../service';

export const TEST_SECRET = 'notifier-test-secret-0123456789abcdef';

export interface NotifierSettings {
  topics: { smartlinks: string; tasks: string; contacts: string };
  prefix: string;
  dbName: string;
  groupId: string;
}

export function isolatedSettings(): NotifierSettings {
  return {
    topics: {
      smartlinks: uniqueName('crm.smartlinks.nt'),
      tasks: uniqueName('crm.tasks.nt'),
      contacts: uniqueName('crm.contacts.nt'),
    },
    prefix: uniqueName('nt').replace(/-/g, '_'),
    dbName: uniqueName('nt').replace(/-/g, '_'),
    groupId: uniqueName('notifier'),
  };
}

export interface NotifierUnderTest {
  handle: ServiceHandle;
  base: string;
  request: RequestAs;
  stop(): Promise<void>;
}

export async function startNotifierUnderTest(
  env: TestEnv,
  settings: NotifierSettings,
  overrides: Record<string, string> = {},
): Promise<NotifierUnderTest> {
  const config = notifierConfigSchema.parse({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    HOST: '127.0.0.1',
    PORT: '0',
    KAFKA_BROKERS: env.kafkaBrokers.join(','),
    REDIS_URL: env.redisUrl,
    MONGO_URL: env.mongoUrl,
    MONGO_DB: settings.dbName,
    SMARTLINKS_TOPIC: settings.topics.smartlinks,
    TASKS_TOPIC: settings.topics.tasks,
    CONTACTS_TOPIC: settings.topics.contacts,
    TOPIC_PARTITIONS: '2',
    NOTIFIER_GROUP_ID: settings.groupId,
    QUEUE_PREFIX: settings.prefix,
    AUTH_JWT_SECRET: TEST_SECRET,
    PUSH_ALLOW_INSECURE_ENDPOINTS: 'true',
    PUSH_COALESCE_MS: '1000',
    PUSH_RETRY_BASE_MS: '200',
    NOTIFIER_DATA_DIR: `/tmp/${settings.dbName}`,
    APP_BASE_URL: 'https://app.example.com',
    ...overrides,
  });
  const handle = await startNotifier(config, { handleSignals: false, exit: () => undefined });
  const base = `http://127.0.0.1:${handle.port}`;
  return { handle, base, request: requestAs(base, TEST_SECRET), stop: () => handle.shutdown() };
}

export const rep = (companyId: number, userId: number): Principal => ({ scope: 'user', companyId, userId });

const envelope = (rep: { companyId: number; userId: number }, aggregateId: number, version: number) => ({
  id: randomUUID(),
  schema_version: 1 as const,
  occurred_at: new Date().toISOString(),
  aggregate_id: aggregateId,
  aggregate_version: version,
  company_id: rep.companyId,
  user_id: rep.userId,
  company_visible: false,
  actor: { scope: 'user' as const, user_id: rep.userId, company_id: rep.companyId },
  correlation_id: `test-${randomUUID()}`,
  causation_id: null,
});

/** Contract-valid events, built through the zod schemas that own them (a bad fixture fails here, not in the notifier). */
export const events = {
  contactCreated: (
    owner: { companyId: number; userId: number },
    contactId: number,
    first: string,
    last: string,
  ) =>
    contactEventSchemas['contact.created'].parse({
      ...envelope(owner, contactId, 1),
      type: 'contact.created',
      data: {
        id: contactId,
        token: randomUUID().replace(/-/g, '').slice(0, 24),
        tenant_company_id: owner.companyId,
        company_id: null,
        user_id: owner.userId,
        origin: 'user_app',
        ...BLANK_CONTACT_FIELDS,
        first_name: first,
        last_name: last,
        created_at: new Date().toISOString(),
      },
    }),
  activity: (
    owner: { companyId: number; userId: number },
    smartlinkId: number,
    version: number,
    contactId: number,
    itemName: string,
    type = 'viewed',
  ): SmartlinkEventOf<'smartlink.activity_recorded'> =>
    smartlinkEventSchemas['smartlink.activity_recorded'].parse({
      ...envelope(owner, smartlinkId, version),
      type: 'smartlink.activity_recorded',
      data: {
        contact_id: contactId,
        type,
        item: { type: 'product', id: `p-${itemName}`, name: itemName },
        properties: {},
        occurred_at: new Date().toISOString(),
      },
    }) as SmartlinkEventOf<'smartlink.activity_recorded'>,
  opened: (
    owner: { companyId: number; userId: number },
    smartlinkId: number,
    version: number,
    contactId: number,
  ): SmartlinkEventOf<'smartlink.opened'> =>
    smartlinkEventSchemas['smartlink.opened'].parse({
      ...envelope(owner, smartlinkId, version),
      type: 'smartlink.opened',
      data: { contact_id: contactId, occurred_at: new Date().toISOString(), user_agent: 'test' },
    }) as SmartlinkEventOf<'smartlink.opened'>,
  taskCreated: (
    owner: { companyId: number; userId: number },
    taskId: number,
    dueAt: Date | null,
    body: string,
    contactId: number | null = null,
  ): TaskEventOf<'task.created'> =>
    taskEventSchemas['task.created'].parse({
      ...envelope(owner, taskId, 1),
      type: 'task.created',
      data: {
        id: taskId,
        tenant_company_id: owner.companyId,
        user_id: owner.userId,
        contact_id: contactId,
        body,
        due_at: dueAt?.toISOString() ?? null,
        created_by: 'user',
        created_at: new Date().toISOString(),
      },
    }) as TaskEventOf<'task.created'>,
  taskRescheduled: (
    owner: { companyId: number; userId: number },
    taskId: number,
    version: number,
    from: Date | null,
    to: Date | null,
  ): TaskEventOf<'task.updated'> =>
    taskEventSchemas['task.updated'].parse({
      ...envelope(owner, taskId, version),
      type: 'task.updated',
      data: {
        changes: { due_at: to?.toISOString() ?? null },
        previous: { due_at: from?.toISOString() ?? null },
        updated_at: new Date().toISOString(),
      },
    }) as TaskEventOf<'task.updated'>,
  taskCompleted: (
    owner: { companyId: number; userId: number },
    taskId: number,
    version: number,
  ): TaskEventOf<'task.completed'> =>
    taskEventSchemas['task.completed'].parse({
      ...envelope(owner, taskId, version),
      type: 'task.completed',
      data: { completed_at: new Date().toISOString() },
    }) as TaskEventOf<'task.completed'>,
};

/** Produces events keyed by their aggregate id, as the real producers do. */
export interface EventPublisher {
  publish(topic: string, ...events: { aggregate_id: number }[]): Promise<void>;
  close(): Promise<void>;
}

export async function startPublisher(env: TestEnv): Promise<EventPublisher> {
  const bus: EventBus = createKafkaEventBus({
    brokers: env.kafkaBrokers,
    clientId: uniqueName('nt-producer'),
  });
  const producer: EventProducer = await bus.producer();
  return {
    publish: (topic, ...list) =>
      producer.send(
        topic,
        list.map((event) => ({ key: String(event.aggregate_id), value: JSON.stringify(event) })),
      ),
    close: () => bus.close(),
  };
}

/** Drops what a test created: its topics, queues (by prefix) and database. */
export async function cleanUp(
  env: TestEnv,
  settings: NotifierSettings,
  redis?: { keys(pattern: string): Promise<string[]>; del(...keys: string[]): Promise<number> },
): Promise<void> {
  const bus = createKafkaEventBus({ brokers: env.kafkaBrokers, clientId: uniqueName('nt-cleanup') });
  const admin = await bus.admin();
  await admin.deleteTopics(Object.values(settings.topics)).catch(() => undefined);
  await admin.close();
  await bus.close();
  const mongo = await connectMongo({ url: env.mongoUrl, dbName: settings.dbName, appName: 'notifier-test' });
  await mongo.db.dropDatabase().catch(() => undefined);
  await mongo.close();
  if (redis) {
    const keys = await redis.keys(`${settings.prefix}:*`);
    for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
  }
}
