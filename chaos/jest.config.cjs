// The chaos suite's specs in `npm test`: the checker's unit spec (no servers) and the smoke run
// (private servers and the built apps; see chaos/smoke.int.spec.ts).
const preset = require('../jest.preset.cjs');

module.exports = {
  ...preset,
  displayName: 'chaos',
  rootDir: __dirname,
  moduleFileExtensions: [...preset.moduleFileExtensions, 'cjs'],
  // Run logs and the private servers' data, never specs.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/results/'],
};
