module.exports = { ...require('../../jest.preset.cjs'), displayName: 'mongo', rootDir: __dirname };
