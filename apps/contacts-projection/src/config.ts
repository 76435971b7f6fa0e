import { z } from 'zod';
import { baseServiceConfig, configVars } from '@reps/config';

export const contactsProjectionConfigSchema = baseServiceConfig(8084).extend({
  KAFKA_BROKERS: configVars.kafkaBrokers,
  MONGO_URL: configVars.mongoUrl,
  MONGO_DB: configVars.dbName('reps_contacts_read'),
});
export type ContactsProjectionConfig = z.infer<typeof contactsProjectionConfigSchema>;
