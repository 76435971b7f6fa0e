import { ConfigError, parseConfig } from '@reps/config';
import { gatewayConfigSchema } from './config';

describe('gateway config', () => {
  it('has documented defaults', () => {
    const config = parseConfig(gatewayConfigSchema, {});
    expect(config).toMatchObject({
      PORT: 8080,
      CONTACTS_COMMAND_URL: 'http://127.0.0.1:8081',
      CONTACTS_QUERY_URL: 'http://127.0.0.1:8082',
      UPSTREAM_CONNECT_TIMEOUT_MS: 2000,
      UPSTREAM_TIMEOUT_MS: 10000,
      UPSTREAM_BULK_TIMEOUT_MS: 60000,
      UPSTREAM_RETRY_AFTER_S: 5,
      RATE_LIMIT_POINTS: 600,
      RATE_LIMIT_WINDOW_S: 60,
      RATE_LIMIT_BULK_COST: 10,
      CORS_ORIGINS: [],
      BODY_LIMIT: '1mb',
      BULK_BODY_LIMIT: '10mb',
    });
  });

  it('refuses production without a secret or JWKS URL', () => {
    expect(() => parseConfig(gatewayConfigSchema, { NODE_ENV: 'production' })).toThrow(/AUTH_JWT_SECRET/);
    expect(
      parseConfig(gatewayConfigSchema, { NODE_ENV: 'production', AUTH_JWT_SECRET: 'x'.repeat(32) }).NODE_ENV,
    ).toBe('production');
  });

  it('parses CORS origins and rejects bad ones, and every bad value at once', () => {
    expect(
      parseConfig(gatewayConfigSchema, { CORS_ORIGINS: 'https://a.example.com, http://localhost:3000' })
        .CORS_ORIGINS,
    ).toEqual(['https://a.example.com', 'http://localhost:3000']);
    expect(parseConfig(gatewayConfigSchema, { CORS_ORIGINS: '*' }).CORS_ORIGINS).toEqual(['*']);
    try {
      parseConfig(gatewayConfigSchema, {
        CORS_ORIGINS: 'a.example.com',
        RATE_LIMIT_POINTS: '0',
        UPSTREAM_TIMEOUT_MS: 'soon',
      });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems.join('\n')).toMatch(
        /CORS_ORIGINS[\s\S]*RATE_LIMIT_POINTS|RATE_LIMIT_POINTS[\s\S]*CORS_ORIGINS/,
      );
      expect((error as ConfigError).problems.some((p) => p.startsWith('UPSTREAM_TIMEOUT_MS'))).toBe(true);
    }
  });
});
