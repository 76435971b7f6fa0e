import { z } from 'zod';
import { authConfigSchema } from '@reps/auth';
import { baseServiceConfig, configVars } from '@reps/config';
import { CONTACTS_TOPIC, SMARTLINKS_TOPIC, TASKS_TOPIC } from '@reps/contracts';

const topicName = (fallback: string) =>
  z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,249}$/, 'a valid Kafka topic name')
    .default(fallback);
const partitions = z.coerce.number().int().min(1).max(256).default(6);
const millis = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);
const flag = z
  .enum(['true', 'false', '1', '0'])
  .default('false')
  .transform((value) => value === 'true' || value === '1');

export const notifierConfigSchema = baseServiceConfig(8083)
  .extend({
    KAFKA_BROKERS: configVars.kafkaBrokers,
    REDIS_URL: configVars.redisUrl,
    MONGO_URL: configVars.mongoUrl,
    MONGO_DB: configVars.dbName('reps_notifier'),
    SMARTLINKS_TOPIC: topicName(SMARTLINKS_TOPIC),
    TASKS_TOPIC: topicName(TASKS_TOPIC),
    CONTACTS_TOPIC: topicName(CONTACTS_TOPIC),
    /** Partitions the notifier creates a missing topic with (same defaults as the producers'). */
    TOPIC_PARTITIONS: partitions,
    /** Consumer group of the SmartLink + task pipeline; the contact-name projection uses `<id>-contact-names`. */
    NOTIFIER_GROUP_ID: z.string().min(1).max(200).default('notifier'),
    /** BullMQ key prefix: every queue and the burst buckets live under it. */
    QUEUE_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,60}$/, 'letters, digits, _ and - only')
      .default('reps'),
    /** A burst of SmartLink activity for one (rep, contact) within this window becomes one push; 0 pushes each event alone. */
    PUSH_COALESCE_MS: millis(0, 3_600_000, 30_000),
    /** Pushes per rep per minute; beyond it pushes wait (and keep coalescing) instead of being dropped. */
    PUSH_RATE_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(10),
    /** The rate limit's window (a minute; shorter only to test it). */
    PUSH_RATE_WINDOW_MS: millis(1_000, 3_600_000, 60_000),
    /** Events older than this when read are not pushed (a replay or a long outage must not spam old news). */
    PUSH_MAX_EVENT_AGE_MS: millis(60_000, 7 * 86_400_000, 6 * 3_600_000),
    /** A reminder whose due_at passed by more than this when scheduled is not pushed late. */
    REMINDER_MAX_LATE_MS: millis(0, 86_400_000, 15 * 60_000),
    /** Tries per device before a send job fails for good (429, 5xx, timeouts). */
    PUSH_SEND_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
    /** First retry delay; each next one doubles (a larger Retry-After wins). */
    PUSH_RETRY_BASE_MS: millis(10, 600_000, 2_000),
    PUSH_SEND_TIMEOUT_MS: millis(100, 120_000, 10_000),
    /** How long the push service keeps an undelivered push for an offline device (Web Push TTL). */
    PUSH_TTL_S: z.coerce.number().int().min(0).max(2_419_200).default(86_400),
    /** How long the pipeline may reuse a rep's subscriptions and settings it read (0: always read). */
    PUSH_READ_CACHE_MS: millis(0, 60_000, 2_000),
    /** Allows http endpoints and private/loopback addresses: tests and local development only. */
    PUSH_ALLOW_INSECURE_ENDPOINTS: flag,
    /** Deep links in pushes are `<APP_BASE_URL>/contacts/<id>`. */
    APP_BASE_URL: configVars.httpUrl('http://localhost:8080'),
    VAPID_PUBLIC_KEY: z
      .string()
      .regex(/^[A-Za-z0-9_-]{80,100}$/, 'a base64url P-256 public key (npm run vapid)')
      .optional(),
    VAPID_PRIVATE_KEY: z
      .string()
      .regex(/^[A-Za-z0-9_-]{40,50}$/, 'a base64url P-256 private key (npm run vapid)')
      .optional(),
    VAPID_SUBJECT: z
      .string()
      .regex(/^(mailto:[^\s@]+@[^\s@]+|https:\/\/\S+)$/, 'a mailto: address or an https: URL')
      .optional(),
    /** Where development keys are generated (git-ignored). */
    NOTIFIER_DATA_DIR: z.string().default('.data/notifier'),
    /** Bearer (or Basic password) for the Bull Board dashboard at /admin/queues. */
    ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  })
  .extend(authConfigSchema.shape)
  .refine((c) => !(c.NODE_ENV === 'production' && c.PUSH_ALLOW_INSECURE_ENDPOINTS), {
    message: 'PUSH_ALLOW_INSECURE_ENDPOINTS=true is refused when NODE_ENV=production',
    path: ['PUSH_ALLOW_INSECURE_ENDPOINTS'],
  })
  .refine((c) => c.NODE_ENV !== 'production' || c.ADMIN_TOKEN !== undefined, {
    message: 'ADMIN_TOKEN is required when NODE_ENV=production (it guards /admin/queues)',
    path: ['ADMIN_TOKEN'],
  })
  .refine(
    (c) => c.NODE_ENV !== 'production' || (c.VAPID_PUBLIC_KEY && c.VAPID_PRIVATE_KEY && c.VAPID_SUBJECT),
    {
      message:
        'VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY and VAPID_SUBJECT are required when NODE_ENV=production (npm run vapid)',
      path: ['VAPID_PRIVATE_KEY'],
    },
  )
  .refine((c) => (c.VAPID_PUBLIC_KEY === undefined) === (c.VAPID_PRIVATE_KEY === undefined), {
    message: 'set both VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY, or neither',
    path: ['VAPID_PUBLIC_KEY'],
  });
export type NotifierConfig = z.infer<typeof notifierConfigSchema>;
