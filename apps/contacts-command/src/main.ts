import { loadConfigOrExit } from '@reps/config';
import { contactsCommandConfigSchema } from './config';
import { startContactsCommand } from './service';

startContactsCommand(loadConfigOrExit(contactsCommandConfigSchema)).catch((error: unknown) => {
  process.stderr.write(`contacts-command failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
