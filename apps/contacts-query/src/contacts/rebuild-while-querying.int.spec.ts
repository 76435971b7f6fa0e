import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Principal } from '@reps/auth';
import { createReadModelCatalog } from '@reps/contacts-read-model';
import { connectMongo, type MongoHandle } from '@reps/mongo';
import { resolveTestEnv, waitFor, type TestEnv } from '@reps/testing';
import { startReadStack, type ReadStack } from '../testing/read-stack.spec-helper';

const USERS = '/api/user/crm/v202506/contacts';
const COMPANY = '/api/company/crm/v202506/contacts';
const REBUILD = join(__dirname, '..', '..', '..', 'contacts-projection', 'dist', 'rebuild-main.js');

const rep: Principal = { scope: 'user', userId: 5, companyId: 21 };
const company: Principal = { scope: 'company', companyId: 21 };

describe('a rebuild (npm run rebuild:contacts) while a client keeps querying', () => {
  let env: TestEnv;
  let stack: ReadStack;
  let mongo: MongoHandle;

  beforeAll(async () => {
    env = await resolveTestEnv();
    stack = await startReadStack(env);
    mongo = await connectMongo({ url: env.mongoUrl, dbName: stack.readDb, appName: 'rebuild-test' });
  }, 120_000);

  afterAll(async () => {
    await mongo?.close();
    await stack?.close();
    await env?.close();
  });

  it('swaps in the rebuilt read models with no error and no empty page for the client', async () => {
    const bulk = await stack.write(rep, 'POST', `${USERS}/bulk`, {
      contacts: Array.from({ length: 40 }, (_, i) => ({ first_name: `Rebuilt${i}`, status: i % 2 ? 'lead' : 'active' })),
    });
    expect(bulk.status).toBe(200);
    for (let i = 0; i < 10; i++) {
      const res = await stack.write(company, 'POST', COMPANY, { first_name: `Web${i}`, user_id: 5, origin: 'company_website' });
      expect(res.status).toBe(201);
    }
    await waitFor(async () => ((await (await stack.read(rep, `${USERS}?limit=100`)).json()) as { contacts: unknown[] }).contacts.length === 50, {
      what: 'all 50 contacts projected',
      timeoutMs: 30_000,
    });
    const catalog = createReadModelCatalog(mongo.db, stack.prefix);
    const before = await catalog.activeGeneration();

    const problems: string[] = [];
    let reads = 0;
    let querying = true;
    const client = (async () => {
      while (querying) {
        for (const [principal, path, least] of [
          [rep, `${USERS}?limit=10`, 10],
          [rep, `${USERS}?status=lead&limit=100`, 20],
          [company, `${COMPANY}?limit=100`, 10],
        ] as const) {
          const res = await stack.read(principal, path);
          reads++;
          if (res.status !== 200) problems.push(`${path}: ${res.status}`);
          else {
            const count = ((await res.json()) as { contacts: unknown[] }).contacts.length;
            if (count < least) problems.push(`${path}: ${count} contacts`);
          }
        }
      }
    })();

    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const proc = spawn(process.execPath, [REBUILD], {
        env: { ...process.env, ...stack.projectionEnv, LOG_LEVEL: 'warn', REBUILD_DROP_OLD_AFTER_MS: '1500' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      proc.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
      proc.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
      proc.on('exit', (exitCode) => resolve({ code: exitCode, stdout: out, stderr: err }));
    });
    expect({ code, stderr: stderr.slice(-2000) }).toEqual({ code: 0, stderr: expect.any(String) });
    const report = JSON.parse(stdout.trim().split('\n').pop()!) as { from: string; to: string; messages: number; droppedOld: boolean };
    expect(report).toMatchObject({ from: before, droppedOld: true });
    expect(report.messages).toBeGreaterThanOrEqual(50);
    expect(await catalog.activeGeneration()).toBe(report.to);

    // The live projection followed the swap: a new write is read back from the new collections.
    const created = await stack.write(rep, 'POST', USERS, { first_name: 'AfterSwap' });
    const fresh = await stack.read(rep, `${USERS}/${((await created.json()) as { contact: { id: number } }).contact.id}`, {
      'x-consistency-token': created.headers.get('x-consistency-token')!,
    });
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get('x-consistency')).toBe('fresh');

    querying = false;
    await client;
    expect(reads).toBeGreaterThan(10);
    expect(problems).toEqual([]);
  }, 180_000);
});
