module.exports = { ...require('../../jest.preset.cjs'), displayName: 'contacts-read-model', rootDir: __dirname };
