import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { resolveTestEnv, type TestEnv } from '@reps/testing';
import { CONTACT_OPERATIONS, scopeBase } from '../contacts/contact-operations';
import { findExecutable } from '../testing/external-tools.spec-helper';
import { startGatewayUnderTest, type GatewayUnderTest } from '../testing/gateway.spec-helper';

const run = promisify(execFile);
// Debian's `chromium` (tools/api-checks.sh installs it); CHROMIUM_BIN overrides.
const chromium = findExecutable('CHROMIUM_BIN', ['chromium', 'chromium-browser', 'google-chrome']);
const describeWithChromium = chromium ? describe : describe.skip;
if (!chromium)
  process.stderr.write(
    '[docs-page] no chromium on PATH: skipped (bash tools/api-checks.sh docs installs it)\n',
  );

describeWithChromium('/docs in headless Chromium', () => {
  let env: TestEnv;
  let gw: GatewayUnderTest;
  let profile: string;

  beforeAll(async () => {
    env = await resolveTestEnv();
    // No upstream is needed: the page and the document are the gateway's own.
    gw = await startGatewayUnderTest(env, {
      CONTACTS_COMMAND_URL: 'http://127.0.0.1:9',
      CONTACTS_QUERY_URL: 'http://127.0.0.1:9',
    });
    profile = await mkdtemp(join(tmpdir(), 'reps-chromium-'));
  });

  afterAll(async () => {
    await gw?.close();
    await env?.close();
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  it('renders every contacts operation from /openapi.json, with nothing loaded from elsewhere', async () => {
    const { stdout } = await run(
      chromium!,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        `--user-data-dir=${profile}`,
        // Lets the page's scripts fetch /openapi.json and render before the DOM is dumped.
        '--virtual-time-budget=8000',
        '--dump-dom',
        `${gw.base}/docs`,
      ],
      { timeout: 90_000, maxBuffer: 32 * 1024 * 1024 },
    );
    expect(stdout).toContain('Reps CRM API');
    for (const op of CONTACT_OPERATIONS) {
      const path = `${scopeBase(op.scope)}${op.path.replace(/:(\w+)/g, '{$1}')}`;
      // Swagger UI renders each operation as an "opblock" with its method, path and summary.
      expect(stdout).toContain(`data-path="${path}"`);
      expect(stdout).toContain(op.summary);
    }
    expect(stdout).toMatch(/opblock-get/);
    expect(stdout).toMatch(/opblock-delete/);
  }, 120_000);
});
