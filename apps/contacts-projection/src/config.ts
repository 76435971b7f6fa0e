import { hostname } from 'node:os';
import { z } from 'zod';
import { baseServiceConfig, configVars } from '@reps/config';
import { CONTACTS_TOPIC, GROUPS_TOPIC, NOTES_TOPIC, SMARTLINKS_TOPIC, TASKS_TOPIC } from '@reps/contracts';
import type { ServerTraits } from '@reps/mongo';

/** Settings shared by the live projection and the rebuild command (both consume the topic). */
export const projectionSettings = z.object({
  KAFKA_BROKERS: configVars.kafkaBrokers,
  MONGO_URL: configVars.mongoUrl,
  MONGO_DB: configVars.dbName('reps_contacts_read'),
  /** Overridable so tests (and staging) can use a topic of their own; `<topic>.dlq` is the dead-letter topic. */
  CONTACTS_TOPIC: z.string().regex(/^[A-Za-z0-9._-]{1,245}$/, 'a valid Kafka topic name').default(CONTACTS_TOPIC),
  /** Used only if the projection starts before contacts-command created the topic; same default. */
  CONTACTS_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(256).default(6),
  /** The group events (`crm.groups.v1`), read by the same consumer into the same generations; `<topic>.dlq` for poison. */
  GROUPS_TOPIC: z.string().regex(/^[A-Za-z0-9._-]{1,245}$/, 'a valid Kafka topic name').default(GROUPS_TOPIC),
  GROUPS_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(256).default(6),
  /** The SmartLink events (`crm.smartlinks.v1`): the SmartLinks model and the activity timeline; `<topic>.dlq` for poison. */
  SMARTLINKS_TOPIC: z.string().regex(/^[A-Za-z0-9._-]{1,245}$/, 'a valid Kafka topic name').default(SMARTLINKS_TOPIC),
  SMARTLINKS_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(256).default(6),
  /** The note and task events (`crm.notes.v1`, `crm.tasks.v1`): their read models and timeline entries; `<topic>.dlq` for poison. */
  NOTES_TOPIC: z.string().regex(/^[A-Za-z0-9._-]{1,245}$/, 'a valid Kafka topic name').default(NOTES_TOPIC),
  NOTES_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(256).default(6),
  TASKS_TOPIC: z.string().regex(/^[A-Za-z0-9._-]{1,245}$/, 'a valid Kafka topic name').default(TASKS_TOPIC),
  TASKS_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(256).default(6),
  /** The consumer group is `<PROJECTION_GROUP_ID>.<generation>`: a rebuild gets a group of its own. */
  PROJECTION_GROUP_ID: z.string().regex(/^[A-Za-z0-9._-]{1,200}$/, 'letters, digits, . _ - only').default('contacts-projection'),
  /** How long Kafka waits for a projection instance that died before handing its partitions to another. */
  PROJECTION_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6000).max(300_000).default(30_000),
  /**
   * Matched updates per write command (see `WriteLimits` in libs/mongo): FerretDB 1.24 hangs on a
   * command with more than ~100, counted over every writer of the database at once.
   */
  MONGO_MAX_UPDATES_PER_COMMAND: z.coerce.number().int().min(1).max(90).default(32),
  /** How long a consumer that claimed a partition's write fence waits before reading (docs/read-side.md). */
  PROJECTION_FENCE_SETTLE_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
  /** Prefix of the read-model collection names (tests isolate themselves with it). */
  READ_MODEL_PREFIX: z.string().regex(/^[A-Za-z0-9_]{0,40}$/, 'letters, digits and _ only (max 40)').default(''),
});

export const contactsProjectionConfigSchema = baseServiceConfig(8084)
  .extend(projectionSettings.shape)
  .extend({
    /** How often the live projection checks whether a rebuild swapped the active generation. */
    GENERATION_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(2000),
    /**
     * How the consumer takes its batches (docs/read-side.md#batches): partitions handled at once (their
     * inserts merged into one command per collection, their offsets into one commit), and how long a
     * fetch may wait for more than `PROJECTION_FETCH_MIN_BYTES` — a few ms turn a trickle of
     * one-event batches into fewer, larger ones.
     */
    PROJECTION_PARTITIONS_CONCURRENTLY: z.coerce.number().int().min(1).max(64).default(6),
    PROJECTION_FETCH_MIN_BYTES: z.coerce.number().int().min(1).max(10_000_000).default(1),
    PROJECTION_FETCH_MAX_WAIT_MS: z.coerce.number().int().min(0).max(10_000).default(5000),
  });
export type ContactsProjectionConfig = z.infer<typeof contactsProjectionConfigSchema>;

export const dlqTopicOf = (topic: string): string => `${topic}.dlq`;
export const groupIdOf = (base: string, generation: string): string => `${base}.${generation}`;

/** How the projection (live or rebuild) writes on the server it found. */
export interface ProjectionWriteSettings {
  /** `{_id, _v}` replace filters: only where they are atomic (`serverTraits`). */
  conditionalReplace: boolean;
  maxUpdatesPerCommand: number;
  fenceSettleMs: number;
}

export function projectionWriteSettings(
  config: Pick<z.infer<typeof projectionSettings>, 'MONGO_MAX_UPDATES_PER_COMMAND' | 'PROJECTION_FENCE_SETTLE_MS'>,
  traits: ServerTraits,
): ProjectionWriteSettings {
  return {
    conditionalReplace: traits.atomicConditionalUpdates,
    maxUpdatesPerCommand: config.MONGO_MAX_UPDATES_PER_COMMAND,
    fenceSettleMs: config.PROJECTION_FENCE_SETTLE_MS,
  };
}

/** Who holds a fence claim: the consumer group, host and process. */
export const fenceHolder = (groupId: string): string => `${groupId} ${hostname()}:${process.pid}`;

/** The live consumer's batch sizing and concurrency. */
export function consumerTuning(
  config: Pick<
    ContactsProjectionConfig,
    'PROJECTION_PARTITIONS_CONCURRENTLY' | 'PROJECTION_FETCH_MIN_BYTES' | 'PROJECTION_FETCH_MAX_WAIT_MS'
  >,
): { partitionsConsumedConcurrently: number; minBytes: number; maxWaitTimeInMs: number } {
  return {
    partitionsConsumedConcurrently: config.PROJECTION_PARTITIONS_CONCURRENTLY,
    minBytes: config.PROJECTION_FETCH_MIN_BYTES,
    maxWaitTimeInMs: config.PROJECTION_FETCH_MAX_WAIT_MS,
  };
}
