import { z } from 'zod';
import { baseServiceConfig, configVars } from '@reps/config';

export const notifierConfigSchema = baseServiceConfig(8083).extend({
  KAFKA_BROKERS: configVars.kafkaBrokers,
  REDIS_URL: configVars.redisUrl,
});
export type NotifierConfig = z.infer<typeof notifierConfigSchema>;
