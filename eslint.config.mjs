import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

// The domain stays pure: no I/O clients may be imported from it (DESIGN §2, developers' brief).
const IO_CLIENTS = ['mongodb', 'kafkajs', 'express', 'bullmq', 'ioredis', 'pino', 'undici', 'prom-client'];

// Module boundaries between the projects (Nx tags in each package.json).
const DEP_CONSTRAINTS = [
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:contracts', 'type:domain', 'type:infra', 'type:util', 'type:testing'] },
  { sourceTag: 'type:infra', onlyDependOnLibsWithTags: ['type:contracts', 'type:infra', 'type:util', 'type:testing'] },
  { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:contracts', 'type:domain', 'type:util'], bannedExternalImports: IO_CLIENTS },
  { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts', 'type:util'], bannedExternalImports: IO_CLIENTS },
  { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util'] },
  { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:util', 'type:infra', 'type:contracts'] },
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
  { sourceTag: 'scope:contacts', onlyDependOnLibsWithTags: ['scope:shared', 'scope:contacts'] },
  { sourceTag: 'scope:gateway', onlyDependOnLibsWithTags: ['scope:shared', 'scope:contacts'] },
  { sourceTag: 'scope:notifier', onlyDependOnLibsWithTags: ['scope:shared', 'scope:notifier'] },
];

// examples/ is code as an outside team writes it: its sources may import no workspace lib (that team
// would not have them); its tests may use the test helpers and event factories.
const boundaries = (exampleLibs) => [
  'error',
  {
    enforceBuildableLibDependency: true,
    allow: [],
    depConstraints: [
      ...DEP_CONSTRAINTS,
      { sourceTag: 'type:example', onlyDependOnLibsWithTags: exampleLibs },
      { sourceTag: 'scope:examples', onlyDependOnLibsWithTags: exampleLibs.length ? ['scope:shared', 'scope:contacts'] : [] },
    ],
  },
];

export default [
  { ignores: ['**/dist', '**/node_modules', '**/.infra', '**/.nx', '**/coverage', 'docs/**'] },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...tseslint.configs.recommended,
  prettier,
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': boundaries([]),
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-throw-literal': 'error',
    },
  },
  {
    files: ['**/*.spec.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    files: ['examples/**/*.spec.ts', 'examples/**/*.spec-*.ts'],
    rules: { '@nx/enforce-module-boundaries': boundaries(['type:testing', 'type:contracts', 'type:infra', 'type:util']) },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
];
