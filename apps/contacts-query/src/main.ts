import { loadConfigOrExit } from '@reps/config';
import { contactsQueryConfigSchema } from './config';
import { startContactsQuery } from './service';

startContactsQuery(loadConfigOrExit(contactsQueryConfigSchema)).catch((error: unknown) => {
  process.stderr.write(`contacts-query failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
