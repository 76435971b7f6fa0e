import { loadConfigOrExit } from '@reps/config';
import { gatewayConfigSchema } from './config';
import { startGateway } from './service';

startGateway(loadConfigOrExit(gatewayConfigSchema)).catch((error: unknown) => {
  process.stderr.write(
    `gateway failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
