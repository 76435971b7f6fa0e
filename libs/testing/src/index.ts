export { resolveTestEnv, type TestEnv } from './test-env';
export { uniqueName, waitFor } from './isolation';
export { freePort } from './ports';
export { startPrivateRedisServer, type PrivateRedisServer } from './redis-server';
export * from './requests';
