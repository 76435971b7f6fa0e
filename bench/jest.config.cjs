// The bench's own unit specs (the runner's group discovery and selection); no servers.
const path = require('node:path');
const preset = require('../jest.preset.cjs');

module.exports = {
  ...preset,
  displayName: 'bench',
  rootDir: __dirname,
  moduleFileExtensions: [...preset.moduleFileExtensions, 'cjs'],
  moduleNameMapper: {
    ...preset.moduleNameMapper,
    // The bench loads the built libs (../libs/<lib>/dist); specs use their sources, as elsewhere.
    '^(?:\\.\\./)+libs/([a-z0-9-]+)/dist/index\\.js$': path.join(__dirname, '../libs/$1/src/index.ts'),
  },
};
