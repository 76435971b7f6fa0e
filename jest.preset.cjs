// Shared jest settings: swc for speed (type checking is tsc's job), workspace libs mapped to
// their sources so tests never depend on a prior build.
const path = require('node:path');

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }],
    // jose ships ESM only; jest on Node 20 cannot require() it, so swc turns it into CommonJS.
    '^.+\\.js$': ['@swc/jest', { jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['**/*.spec.ts'],
  moduleNameMapper: {
    '^@reps/([a-z0-9-]+)$': path.join(__dirname, 'libs/$1/src/index.ts'),
  },
  testTimeout: 60_000,
  passWithNoTests: true,
  reporters: ['default', path.join(__dirname, 'tools/jest-summary-reporter.cjs')],
};
