import { ConfigError, DEFAULT_TOPICS, readConfig } from './config';

describe('readConfig', () => {
  it('defaults to the local stack, its own group, every public topic, and a rebuild from the beginning', () => {
    const config = readConfig({});
    expect(config).toEqual({
      brokers: ['127.0.0.1:9092'],
      groupId: 'analytics-example',
      topics: DEFAULT_TOPICS,
      fromBeginning: true,
      printEveryMs: 10_000,
      schemasDir: expect.stringMatching(/docs[/\\]events$/),
    });
    expect(DEFAULT_TOPICS).toContain('crm.contacts.v1');
  });

  it('reads lists, booleans and numbers from the environment', () => {
    expect(
      readConfig({
        KAFKA_BROKERS: ' a:9092, b:9092 ,',
        ANALYTICS_GROUP_ID: 'team-bi',
        ANALYTICS_TOPICS: 'crm.contacts.v1,crm.contacts.v1,crm.notes.v1',
        ANALYTICS_FROM_BEGINNING: 'false',
        ANALYTICS_PRINT_EVERY_MS: '2500',
        ANALYTICS_SCHEMAS_DIR: '/schemas',
      }),
    ).toEqual({
      brokers: ['a:9092', 'b:9092'],
      groupId: 'team-bi',
      topics: ['crm.contacts.v1', 'crm.notes.v1'],
      fromBeginning: false,
      printEveryMs: 2500,
      schemasDir: expect.stringMatching(/schemas$/),
    });
  });

  it.each([
    ['ANALYTICS_FROM_BEGINNING', 'maybe', /must be true or false/],
    ['ANALYTICS_PRINT_EVERY_MS', '0', /positive integer/],
    ['ANALYTICS_TOPICS', ' , ', /at least one/],
    ['ANALYTICS_GROUP_ID', '  ', /must not be blank/],
  ])('rejects %s=%j naming the variable', (name, value, message) => {
    expect(() => readConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => readConfig({ [name]: value })).toThrow(new RegExp(`${name}.*${message.source}`));
  });
});
