import { z } from 'zod';
import { authConfigSchema } from '@reps/auth';
import { baseServiceConfig, configVars } from '@reps/config';
import { smartlinkCommandConfigSchema } from './smartlinks/smartlink-config';
import { CONTACTS_TOPIC, GROUPS_TOPIC, NOTES_TOPIC, TASKS_TOPIC } from '@reps/contracts';

export const contactsCommandConfigSchema = baseServiceConfig(8081)
  .extend({
    KAFKA_BROKERS: configVars.kafkaBrokers,
    MONGO_URL: configVars.mongoUrl,
    MONGO_DB: configVars.dbName('reps_contacts_command'),
    /** Overridable so tests (and staging) can use a topic of their own. */
    CONTACTS_TOPIC: z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'a valid Kafka topic name').default(CONTACTS_TOPIC),
    CONTACTS_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(256).default(6),
    /** The group events' topic (`crm.groups.v1`), overridable like the contacts topic. */
    GROUPS_TOPIC: z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'a valid Kafka topic name').default(GROUPS_TOPIC),
    GROUPS_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(256).default(6),
    /** The note and task events' topics (`crm.notes.v1`, `crm.tasks.v1`), overridable like the others. */
    NOTES_TOPIC: z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'a valid Kafka topic name').default(NOTES_TOPIC),
    NOTES_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(256).default(6),
    TASKS_TOPIC: z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'a valid Kafka topic name').default(TASKS_TOPIC),
    TASKS_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(256).default(6),
    /** How often the outbox relay looks for events the inline path did not publish. */
    OUTBOX_RELAY_INTERVAL_MS: z.coerce.number().int().min(10).max(60_000).default(500),
    /**
     * Group commit: the most commits one flush stores (one outbox document, one insertMany, one
     * Kafka send). Requests wait at most for the flush in flight; a lone request flushes at once.
     */
    COMMIT_BATCH_MAX: z.coerce.number().int().min(1).max(1000).default(256),
    /**
     * Test-only fault points. `crash_after_store` SIGKILLs the process after an event is stored
     * and before it is published, to prove the relay publishes it after a restart.
     */
    FAULT_INJECTION: z.enum(['none', 'crash_after_store']).default('none'),
  })
  .extend(authConfigSchema.shape)
  .extend(smartlinkCommandConfigSchema.shape)
  .refine((c) => c.FAULT_INJECTION === 'none' || c.NODE_ENV === 'test', {
    message: 'FAULT_INJECTION may only be set when NODE_ENV=test',
    path: ['FAULT_INJECTION'],
  });
export type ContactsCommandConfig = z.infer<typeof contactsCommandConfigSchema>;
