module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'analytics-consumer-example',
  rootDir: __dirname,
};
