import { z } from 'zod';
import { authConfigSchema, smartlinkTokenConfigSchema } from '@reps/auth';
import { baseServiceConfig, configVars } from '@reps/config';

export const contactsQueryConfigSchema = baseServiceConfig(8082)
  .extend({
    MONGO_URL: configVars.mongoUrl,
    MONGO_DB: configVars.dbName('reps_contacts_read'),
    /** Must match the projection's: the read models' collection name prefix. */
    READ_MODEL_PREFIX: z.string().regex(/^[A-Za-z0-9_]{0,40}$/, 'letters, digits and _ only (max 40)').default(''),
    /** How long a read with `X-Consistency-Token` waits for the projection before answering stale. */
    CONSISTENCY_WAIT_MS: z.coerce.number().int().min(0).max(30_000).default(5000),
    /**
     * Server-side time limit of one list query. On FerretDB a list scans the collection, and a scan
     * whose client gave up would otherwise keep the server busy; past it the list answers 503.
     */
    LIST_MAX_TIME_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
    /** How long the active read-model generation is cached (a rebuild's swap shows up after this). */
    GENERATION_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
  })
  .extend(authConfigSchema.shape)
  // SmartLink reads show the share URL: the same key and public base as contacts-command.
  .extend(smartlinkTokenConfigSchema.shape);
export type ContactsQueryConfig = z.infer<typeof contactsQueryConfigSchema>;
