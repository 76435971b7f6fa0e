module.exports = { ...require('../../jest.preset.cjs'), displayName: 'contacts-command', rootDir: __dirname };
