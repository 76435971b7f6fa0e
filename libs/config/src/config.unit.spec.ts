import { z } from 'zod';
import { ConfigError, baseServiceConfig, configVars, parseConfig } from './index';

describe('parseConfig', () => {
  const schema = baseServiceConfig(8081).extend({ KAFKA_BROKERS: configVars.kafkaBrokers });

  it('applies defaults when variables are unset or empty', () => {
    const config = parseConfig(schema, { PORT: '', LOG_LEVEL: undefined });
    expect(config).toMatchObject({ PORT: 8081, LOG_LEVEL: 'info', NODE_ENV: 'development' });
    expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
  });

  it('coerces and splits values', () => {
    const config = parseConfig(schema, { PORT: '9000', KAFKA_BROKERS: 'a:1, b:2' });
    expect(config.PORT).toBe(9000);
    expect(config.KAFKA_BROKERS).toEqual(['a:1', 'b:2']);
  });

  it('names every bad variable in one error', () => {
    let caught: unknown;
    try {
      parseConfig(schema, { PORT: 'eighty', LOG_LEVEL: 'loud', KAFKA_BROKERS: 'nohost' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const message = (caught as ConfigError).message;
    expect(message).toMatch(/PORT/);
    expect(message).toMatch(/LOG_LEVEL/);
    expect(message).toMatch(/KAFKA_BROKERS/);
  });

  it('rejects non-mongodb URLs', () => {
    expect(() => parseConfig(z.object({ MONGO_URL: configVars.mongoUrl }), { MONGO_URL: 'http://x' })).toThrow(
      /MONGO_URL: must be a mongodb/,
    );
  });
});
