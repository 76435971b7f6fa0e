#!/usr/bin/env node
// Read-side probe: raw bulk-upsert rate of the MongoDB-compatible server next to list latency of
// contacts-query over a large tenant, in one run. Needs `npm run build` and MONGO_URL.
//   PROBE_TENANT_SIZE=10000 node bench/read-side-probe.cjs
// Prints one JSON line. The rebuild rate comes from `npm run rebuild:contacts` (its JSON report).
const { spawn } = require('node:child_process');
const path = require('node:path');
const { MongoClient } = require('mongodb');

const ROOT = path.join(__dirname, '..');
const readModel = require(path.join(ROOT, 'libs/contacts-read-model/dist/index.js'));
const { projectContactEvents } = require(path.join(ROOT, 'apps/contacts-projection/dist/projector/contact-projector.js'));
const { mintToken } = require(path.join(ROOT, 'libs/auth/dist/index.js'));

const MONGO_URL = process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017';
const SIZE = Number(process.env.PROBE_TENANT_SIZE ?? 10_000);
const REQUESTS = Number(process.env.PROBE_REQUESTS ?? 30);
// Upserts into a growing collection; on FerretDB each one scans it, so keep this modest there.
const UPSERTS = Number(process.env.PROBE_UPSERT_DOCS ?? 2000);
const SECRET = 'read-side-probe-secret-0123456789abcdef';
const TENANT = 4242;

const started = performance.now();
const progress = (what) => process.stderr.write(`read-side-probe: ${what} (${Math.round((performance.now() - started) / 1000)} s)\n`);
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function main() {
  const client = new MongoClient(MONGO_URL, { retryWrites: false });
  await client.connect();
  const dbName = `read_probe_${Date.now().toString(36)}`;
  const db = client.db(dbName);
  const out = { server: MONGO_URL, tenant_size: SIZE };
  try {
    // Documents exactly as the projection writes them (pure projector over generated events).
    const events = [];
    for (let i = 0; i < SIZE; i++) {
      const s = readModel.contactStream({ contactId: i + 1, tenant: TENANT, owner: 1 + (i % 10), origin: i % 2 ? 'company_api' : 'user_app' });
      events.push(s.created({ first_name: `Probe${i}`, last_name: `Name${i % 997}`, email: `p${i}@example.com`, phone: `+1 555 ${String(1000000 + i)}` }));
    }
    const empty = { user: new Map(), company: new Map() };
    const docs = projectContactEvents(events, empty).writes.filter((w) => w.scope === 'user').map((w) => w.doc);

    progress(`projected ${docs.length} documents in memory`);
    const raw = db.collection('raw_upsert');
    const upserted = docs.slice(0, Math.min(UPSERTS, docs.length));
    let t = performance.now();
    for (let i = 0; i < upserted.length; i += 100) {
      await raw.bulkWrite(upserted.slice(i, i + 100).map((doc) => ({ replaceOne: { filter: { _id: doc._id }, replacement: doc, upsert: true } })), { ordered: false });
    }
    out.raw_bulk_upsert_new_docs_per_s = Math.round(upserted.length / ((performance.now() - t) / 1000));
    out.raw_bulk_upsert_docs = upserted.length;
    progress('raw upserts of new documents measured');
    const sample = docs.slice(0, Math.min(20, docs.length)).map((d) => ({ ...d, city: 'Changed' }));
    t = performance.now();
    await raw.bulkWrite(sample.map((doc) => ({ replaceOne: { filter: { _id: doc._id }, replacement: doc, upsert: true } })), { ordered: false });
    out.raw_bulk_upsert_existing_docs_per_s = Math.round(sample.length / ((performance.now() - t) / 1000));
    await raw.drop();
    progress('raw upserts measured');

    const catalog = readModel.createReadModelCatalog(db, '');
    await catalog.ensureActiveGeneration();
    await catalog.ensureIndexes('g1');
    const { user } = catalog.collections('g1');
    for (let i = 0; i < docs.length; i += 1000) await user.insertMany(docs.slice(i, i + 1000));

    progress(`seeded ${docs.length} documents`);
    const port = 18000 + Math.floor(Math.random() * 1000);
    const query = spawn(process.execPath, [path.join(ROOT, 'apps/contacts-query/dist/main.js')], {
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', MONGO_URL, MONGO_DB: dbName, AUTH_JWT_SECRET: SECRET, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    try {
      for (let i = 0; ; i++) {
        try {
          if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) break;
        } catch {}
        if (i > 300) throw new Error('contacts-query did not start');
        await new Promise((r) => setTimeout(r, 100));
      }
      const token = await mintToken(SECRET, { scope: 'user', userId: 1, companyId: TENANT });
      for (const [name, qs] of [
        ['first page, default sort', 'limit=25'],
        ['search q', 'q=probe12&limit=25'],
        ['sort last_name, status filter', 'sort=last_name&status=active&limit=25'],
      ]) {
        const times = [];
        for (let i = 0; i < REQUESTS; i++) {
          const t0 = performance.now();
          const res = await fetch(`http://127.0.0.1:${port}/api/user/crm/v202506/contacts?${qs}`, { headers: { authorization: `Bearer ${token}` } });
          await res.arrayBuffer();
          if (res.status !== 200) throw new Error(`list answered ${res.status}`);
          times.push(performance.now() - t0);
        }
        times.sort((a, b) => a - b);
        out[`list_ms ${name}`] = { p50: Math.round(pct(times, 50)), p99: Math.round(pct(times, 99)), n: REQUESTS };
      }
      const one = [];
      for (let i = 0; i < REQUESTS; i++) {
        const t0 = performance.now();
        const res = await fetch(`http://127.0.0.1:${port}/api/user/crm/v202506/contacts/${1 + 10 * i}`, { headers: { authorization: `Bearer ${token}` } });
        await res.arrayBuffer();
        one.push(performance.now() - t0);
      }
      one.sort((a, b) => a - b);
      out['single_read_ms'] = { p50: Math.round(pct(one, 50)), p99: Math.round(pct(one, 99)), n: REQUESTS };
    } finally {
      query.kill('SIGTERM');
    }
  } finally {
    await db.dropDatabase().catch(() => undefined);
    await client.close();
  }
  console.log(JSON.stringify(out));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
