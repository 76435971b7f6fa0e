const preset = require('../../jest.preset.cjs');

module.exports = {
  ...preset,
  displayName: 'testing',
  rootDir: __dirname,
  // github-slugger ships ESM only (the docs link spec uses it): let swc turn it into CommonJS, like jose.
  transformIgnorePatterns: ['/node_modules/(?!(jose|github-slugger)/)'],
};
