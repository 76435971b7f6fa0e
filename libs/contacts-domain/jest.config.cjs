module.exports = { ...require('../../jest.preset.cjs'), displayName: 'contacts-domain', rootDir: __dirname };
