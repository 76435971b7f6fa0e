import { loadConfigOrExit } from '@reps/config';
import { contactsProjectionConfigSchema } from './config';
import { startContactsProjection } from './service';

startContactsProjection(loadConfigOrExit(contactsProjectionConfigSchema)).catch((error: unknown) => {
  process.stderr.write(`contacts-projection failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
