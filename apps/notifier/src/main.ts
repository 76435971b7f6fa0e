import { loadConfigOrExit } from '@reps/config';
import { notifierConfigSchema } from './config';
import { startNotifier } from './service';

startNotifier(loadConfigOrExit(notifierConfigSchema)).catch((error: unknown) => {
  process.stderr.write(
    `notifier failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
