export { resolveTestEnv, type TestEnv } from './test-env';
export { uniqueName, waitFor } from './isolation';
