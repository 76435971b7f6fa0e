import { z } from 'zod';
import { baseServiceConfig, configVars } from '@reps/config';
import { CONTACTS_TOPIC } from '@reps/contracts';

/** Settings shared by the live projection and the rebuild command (both consume the topic). */
export const projectionSettings = z.object({
  KAFKA_BROKERS: configVars.kafkaBrokers,
  MONGO_URL: configVars.mongoUrl,
  MONGO_DB: configVars.dbName('reps_contacts_read'),
  /** Overridable so tests (and staging) can use a topic of their own; `<topic>.dlq` is the dead-letter topic. */
  CONTACTS_TOPIC: z.string().regex(/^[A-Za-z0-9._-]{1,245}$/, 'a valid Kafka topic name').default(CONTACTS_TOPIC),
  /** Used only if the projection starts before contacts-command created the topic; same default. */
  CONTACTS_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(256).default(6),
  /** The consumer group is `<PROJECTION_GROUP_ID>.<generation>`: a rebuild gets a group of its own. */
  PROJECTION_GROUP_ID: z.string().regex(/^[A-Za-z0-9._-]{1,200}$/, 'letters, digits, . _ - only').default('contacts-projection'),
  /** How long Kafka waits for a projection instance that died before handing its partitions to another. */
  PROJECTION_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6000).max(300_000).default(30_000),
  /** Prefix of the read-model collection names (tests isolate themselves with it). */
  READ_MODEL_PREFIX: z.string().regex(/^[A-Za-z0-9_]{0,40}$/, 'letters, digits and _ only (max 40)').default(''),
});

export const contactsProjectionConfigSchema = baseServiceConfig(8084)
  .extend(projectionSettings.shape)
  .extend({
    /** How often the live projection checks whether a rebuild swapped the active generation. */
    GENERATION_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(2000),
  });
export type ContactsProjectionConfig = z.infer<typeof contactsProjectionConfigSchema>;

export const dlqTopicOf = (topic: string): string => `${topic}.dlq`;
export const groupIdOf = (base: string, generation: string): string => `${base}.${generation}`;
