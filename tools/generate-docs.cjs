#!/usr/bin/env node
// Writes the event JSON Schemas (docs/events/*.schema.json) and the AsyncAPI document
// (docs/asyncapi.json) generated from the zod contracts in libs/contracts, and the gateway's
// OpenAPI 3.1 document (docs/openapi.json) generated from the same contracts.
//
//   node tools/generate-docs.cjs           write the files
//   node tools/generate-docs.cjs --check   exit 1 if the files on disk are not what would be written (CI)
//
// Plain CommonJS because Node 20 cannot run TypeScript: the generator itself is TypeScript in
// libs/contracts (generateEventDocs), compiled here first so the docs always come from the
// current sources rather than from a stale dist/.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const eventsDir = path.join(root, 'docs', 'events');

function buildContracts() {
  const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
  const build = spawnSync(process.execPath, [tsc, '-b', 'libs/contracts/tsconfig.json', 'apps/gateway/tsconfig.json'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (build.status !== 0) {
    console.error('generate-docs: building libs/contracts and apps/gateway failed (see above)');
    process.exit(build.status ?? 1);
  }
}

// Formatted as Prettier would, so `npm run format` and this script never disagree.
async function render(file, content) {
  const prettier = require(require.resolve('prettier', { paths: [root] }));
  const options = (await prettier.resolveConfig(file)) ?? {};
  return prettier.format(JSON.stringify(content), { ...options, filepath: file });
}

async function main() {
  const check = process.argv.includes('--check');
  const unknown = process.argv.slice(2).filter((arg) => arg !== '--check');
  if (unknown.length > 0) {
    console.error(
      `generate-docs: unknown argument(s) ${unknown.join(' ')}; usage: node tools/generate-docs.cjs [--check]`,
    );
    process.exit(2);
  }

  buildContracts();
  const { generateEventDocs } = require(path.join(root, 'libs/contracts/dist/index.js'));

  const { buildOpenApiDocument } = require(path.join(root, 'apps/gateway/dist/openapi/openapi-document.js'));

  const expected = new Map();
  const docs = [...generateEventDocs(), { path: 'docs/openapi.json', content: buildOpenApiDocument() }];
  for (const doc of docs) {
    const file = path.join(root, doc.path);
    expected.set(file, await render(file, doc.content));
  }
  // A schema of an event type that no longer exists must not linger in docs/events.
  const stale = fs.existsSync(eventsDir)
    ? fs
        .readdirSync(eventsDir)
        .filter((name) => name.endsWith('.schema.json'))
        .map((name) => path.join(eventsDir, name))
        .filter((file) => !expected.has(file))
    : [];

  if (check) {
    const outdated = [...expected].filter(
      ([file, text]) => !fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== text,
    );
    const problems = [
      ...outdated.map(
        ([file]) =>
          `  ${path.relative(root, file)} ${fs.existsSync(file) ? 'differs from' : 'is missing, expected from'} the contracts`,
      ),
      ...stale.map((file) => `  ${path.relative(root, file)} is not generated from any contract (stale)`),
    ];
    if (problems.length > 0) {
      console.error(
        `generate-docs --check: the generated docs are out of date:\n${problems.join('\n')}\n` +
          'Run `node tools/generate-docs.cjs` and commit the result.',
      );
      process.exit(1);
    }
    console.log(`generate-docs --check: ${expected.size} files up to date`);
    return;
  }

  for (const [file, text] of expected) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
  for (const file of stale) fs.rmSync(file);
  console.log(
    `generate-docs: wrote ${expected.size} files${stale.length ? `, removed ${stale.length} stale` : ''}`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
