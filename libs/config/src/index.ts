import { z } from 'zod';

/**
 * Thrown when the environment does not satisfy a service's config schema. The message lists
 * every bad variable at once, so an operator fixes them in one go rather than one per restart.
 */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export type Env = Record<string, string | undefined>;

/** Parses `env` with `schema`; throws a `ConfigError` naming each offending variable. */
export function parseConfig<S extends z.ZodType>(schema: S, env: Env): z.infer<S> {
  // Empty strings mean "unset" for env vars: `FOO= node app` should fall back to the default.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
  );
}

/**
 * For a service's `main`: parse or print a one-screen error and exit 1. Kept separate from
 * `parseConfig` so tests exercise parsing without a process exit.
 */
export function loadConfigOrExit<S extends z.ZodType>(
  schema: S,
  env: Env = process.env,
  exit: (code: number) => never = process.exit,
): z.infer<S> {
  try {
    return parseConfig(schema, env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return exit(1);
    }
    throw error;
  }
}

/** Building blocks shared by the services' config schemas (all read from env vars). */
export const configVars = {
  nodeEnv: z.enum(['development', 'production', 'test']).default('development'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  port: (defaultPort: number) => z.coerce.number().int().min(0).max(65535).default(defaultPort),
  host: z.string().default('0.0.0.0'),
  /** Milliseconds a graceful shutdown may take before the process exits anyway. */
  shutdownTimeoutMs: z.coerce.number().int().min(100).max(120_000).default(10_000),
  kafkaBrokers: z
    .string()
    .default('127.0.0.1:9092')
    .transform((value) => value.split(',').map((b) => b.trim()).filter(Boolean))
    .pipe(
      z
        .array(z.string().regex(/^[^:\s]+:\d{1,5}$/, 'each broker must be host:port'))
        .min(1, 'at least one broker'),
    ),
  mongoUrl: z
    .string()
    .default('mongodb://127.0.0.1:27017')
    .refine((v) => /^mongodb(\+srv)?:\/\//.test(v), 'must be a mongodb:// or mongodb+srv:// URL'),
  redisUrl: z
    .string()
    .default('redis://127.0.0.1:6379')
    .refine((v) => /^rediss?:\/\//.test(v), 'must be a redis:// or rediss:// URL'),
  httpUrl: (defaultUrl: string) =>
    z
      .string()
      .default(defaultUrl)
      .refine((v) => /^https?:\/\/[^\s]+$/.test(v), 'must be an http(s) URL'),
  dbName: (defaultName: string) =>
    z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,63}$/, 'letters, digits, _ and - only (max 63)')
      .default(defaultName),
} as const;

/** The settings every service has; each service extends it with its own. */
export const baseServiceConfig = (defaultPort: number) =>
  z.object({
    NODE_ENV: configVars.nodeEnv,
    LOG_LEVEL: configVars.logLevel,
    HOST: configVars.host,
    PORT: configVars.port(defaultPort),
    SHUTDOWN_TIMEOUT_MS: configVars.shutdownTimeoutMs,
  });
