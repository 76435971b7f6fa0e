module.exports = { ...require('../../jest.preset.cjs'), displayName: 'contacts-query', rootDir: __dirname };
