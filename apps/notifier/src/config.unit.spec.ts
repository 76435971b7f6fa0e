import { ConfigError, parseConfig } from '@reps/config';
import { notifierConfigSchema } from './config';

const PRODUCTION = {
  NODE_ENV: 'production',
  AUTH_JWT_SECRET: 'x'.repeat(32),
  ADMIN_TOKEN: 'an-admin-token-long-enough',
  VAPID_PUBLIC_KEY: 'B'.repeat(87),
  VAPID_PRIVATE_KEY: 'p'.repeat(43),
  VAPID_SUBJECT: 'mailto:ops@example.com',
};

const problems = (env: Record<string, string>) => {
  try {
    parseConfig(notifierConfigSchema, env);
    return [];
  } catch (error) {
    return (error as ConfigError).problems;
  }
};

describe('notifier config', () => {
  it('has development defaults: 30 s coalescing, 10 pushes per minute, https-only endpoints', () => {
    const config = parseConfig(notifierConfigSchema, {});
    expect(config).toMatchObject({
      PUSH_COALESCE_MS: 30_000,
      PUSH_RATE_PER_MINUTE: 10,
      PUSH_ALLOW_INSECURE_ENDPOINTS: false,
      MONGO_DB: 'reps_notifier',
    });
  });

  it('starts in production with keys, subject and an admin token', () => {
    expect(problems(PRODUCTION)).toEqual([]);
  });

  it.each([
    [
      'the insecure-endpoints flag',
      { PUSH_ALLOW_INSECURE_ENDPOINTS: 'true' },
      'PUSH_ALLOW_INSECURE_ENDPOINTS',
    ],
    ['no ADMIN_TOKEN', { ADMIN_TOKEN: '' }, 'ADMIN_TOKEN'],
    ['no VAPID keys', { VAPID_PUBLIC_KEY: '', VAPID_PRIVATE_KEY: '' }, 'VAPID_PRIVATE_KEY'],
  ])('refuses production with %s', (_what, change, variable) => {
    expect(problems({ ...PRODUCTION, ...change }).join('\n')).toContain(variable);
  });

  it('wants both VAPID keys or neither', () => {
    expect(problems({ VAPID_PUBLIC_KEY: 'B'.repeat(87) }).join('\n')).toContain('VAPID_PUBLIC_KEY');
  });
});
