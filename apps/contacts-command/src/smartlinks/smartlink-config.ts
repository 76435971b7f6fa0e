import { z } from 'zod';
import { smartlinkTokenConfigSchema } from '@reps/auth';
import { SMARTLINKS_TOPIC } from '@reps/contracts';

const hostList = z
  .string()
  .default('')
  .transform((value) =>
    value
      .split(',')
      .map((host) => host.trim().toLowerCase())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().regex(/^[a-z0-9.-]{1,253}$/, 'a comma-separated list of host names')));

export const smartlinkCommandConfigSchema = smartlinkTokenConfigSchema.extend({
  SMARTLINKS_TOPIC: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,249}$/, 'a valid Kafka topic name')
    .default(SMARTLINKS_TOPIC),
  SMARTLINKS_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(256).default(6),
  /** Target hosts of a company that never set its own (`smartlink_settings`); for development, e.g. `localhost,example.com`. */
  SMARTLINK_DEFAULT_ALLOWED_HOSTS: hostList,
  /**
   * Plain `http` targets (a local company site in development). Off by default; contacts-command
   * refuses to start with it when NODE_ENV=production.
   */
  SMARTLINK_ALLOW_HTTP_TARGETS: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true'),
});
export type SmartlinkCommandConfig = z.infer<typeof smartlinkCommandConfigSchema>;
