import { z } from 'zod';
import { baseServiceConfig, configVars } from '@reps/config';

export const contactsQueryConfigSchema = baseServiceConfig(8082).extend({
  MONGO_URL: configVars.mongoUrl,
  MONGO_DB: configVars.dbName('reps_contacts_read'),
});
export type ContactsQueryConfig = z.infer<typeof contactsQueryConfigSchema>;
