import { z } from 'zod';
import { baseServiceConfig, configVars } from '@reps/config';

export const contactsCommandConfigSchema = baseServiceConfig(8081).extend({
  KAFKA_BROKERS: configVars.kafkaBrokers,
  MONGO_URL: configVars.mongoUrl,
  MONGO_DB: configVars.dbName('reps_contacts_command'),
});
export type ContactsCommandConfig = z.infer<typeof contactsCommandConfigSchema>;
