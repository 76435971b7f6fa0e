module.exports = { ...require('../../jest.preset.cjs'), displayName: 'contacts-projection', rootDir: __dirname };
