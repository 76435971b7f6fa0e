import { z } from 'zod';
import { baseServiceConfig, configVars } from '@reps/config';

export const gatewayConfigSchema = baseServiceConfig(8080).extend({
  REDIS_URL: configVars.redisUrl,
  CONTACTS_COMMAND_URL: configVars.httpUrl('http://127.0.0.1:8081'),
  CONTACTS_QUERY_URL: configVars.httpUrl('http://127.0.0.1:8082'),
});
export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
