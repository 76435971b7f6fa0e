#!/usr/bin/env node
// Write-side throughput of contacts-command next to the raw speed of the same Kafka and
// Mongo-compatible server, measured in one run on this machine.
//
//   npm run build && eval "$(bash tools/infra.sh env)" && node bench/command-write.bench.cjs
//
// Env: BENCH_SECONDS (default 15), BENCH_CONNECTIONS (default 16), BENCH_RAW_N (default 3000),
// BENCH_BULKS (default 10). Traffic goes to 127.0.0.1 only; every loop is bounded.
const { spawn } = require('node:child_process');
const { randomUUID } = require('node:crypto');
const os = require('node:os');
const path = require('node:path');
const autocannon = require('autocannon');
const { MongoClient } = require('mongodb');
const { createKafkaEventBus } = require('../libs/kafka/dist/index.js');
const { mintToken } = require('../libs/auth/dist/index.js');

const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const RAW_N = Number(process.env.BENCH_RAW_N ?? 3000);
const BULKS = Number(process.env.BENCH_BULKS ?? 10);
const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const MONGO_URL = process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017';
const SECRET = 'bench-secret-0123456789-0123456789';
const suffix = `${Date.now().toString(36)}`;
const DB = `bench_cmd_${suffix}`;
const TOPIC = `bench.contacts.${suffix}`;
const PORT = 18181;

const rate = (n, ms) => Math.round((n / ms) * 1000);

async function rawKafka(bus) {
  const admin = await bus.admin();
  const topic = `${TOPIC}.raw`;
  await admin.ensureTopics([{ name: topic, partitions: 6, retentionMs: 3_600_000 }]);
  const producer = await bus.producer();
  const value = JSON.stringify({ id: randomUUID(), type: 'contact.created', data: { first_name: 'Raw', email: 'raw@example.com' } });
  let t = Date.now();
  for (let i = 0; i < RAW_N; i++) await producer.send(topic, [{ key: String(i), value }]);
  const oneByOne = rate(RAW_N, Date.now() - t);
  t = Date.now();
  const batch = Array.from({ length: 1000 }, (_, i) => ({ key: String(i), value }));
  for (let i = 0; i < Math.ceil((RAW_N * 10) / 1000); i++) await producer.send(topic, batch);
  const batched = rate(Math.ceil((RAW_N * 10) / 1000) * 1000, Date.now() - t);
  await admin.deleteTopics([topic]);
  return { oneByOne, batched };
}

async function rawMongo() {
  const client = new MongoClient(MONGO_URL, { retryWrites: false });
  await client.connect();
  const col = client.db(`${DB}_raw`).collection('docs');
  const doc = (i) => ({ _id: `raw-${i}`, stream: `contact-${i}`, events: [{ type: 'contact.created', data: { first_name: 'Raw', email: 'raw@example.com' } }] });
  let t = Date.now();
  for (let i = 0; i < RAW_N; i++) await col.insertOne(doc(i));
  const insertOne = rate(RAW_N, Date.now() - t);
  t = Date.now();
  for (let b = 0; b < 10; b++) await col.insertMany(Array.from({ length: 1000 }, (_, i) => doc(`m${b}-${i}`)), { ordered: false });
  const insertMany = rate(10_000, Date.now() - t);
  await client.db(`${DB}_raw`).dropDatabase();
  await client.close();
  return { insertOne, insertMany };
}

async function startService() {
  const child = spawn(process.execPath, [path.join(__dirname, '../apps/contacts-command/dist/main.js')], {
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'warn', PORT: String(PORT), HOST: '127.0.0.1', MONGO_DB: DB, CONTACTS_TOPIC: TOPIC, AUTH_JWT_SECRET: SECRET },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${PORT}/readyz`)).ok) return child;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('contacts-command did not become ready');
}

async function main() {
  const bus = createKafkaEventBus({ brokers: BROKERS, clientId: 'bench' });
  const kafka = await rawKafka(bus);
  const mongo = await rawMongo();
  const service = await startService();
  const token = await mintToken(SECRET, { scope: 'user', userId: 42, companyId: 7 });
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  try {
    const single = await autocannon({
      url: `http://127.0.0.1:${PORT}/api/user/crm/v202506/contacts`,
      method: 'POST',
      headers,
      body: JSON.stringify({ first_name: 'Bench', last_name: 'Mark', email: 'bench@example.com', phone: '+1-555-123-4567' }),
      connections: CONNECTIONS,
      duration: SECONDS,
    });
    const bulkBody = JSON.stringify({ contacts: Array.from({ length: 1000 }, (_, i) => ({ first_name: `Bulk ${i}`, email: `bulk${i}@example.com` })) });
    const t = Date.now();
    for (let i = 0; i < BULKS; i++) {
      const res = await fetch(`http://127.0.0.1:${PORT}/api/user/crm/v202506/contacts/bulk`, { method: 'POST', headers, body: bulkBody });
      if (res.status !== 200) throw new Error(`bulk answered ${res.status}`);
      await res.arrayBuffer();
    }
    const bulkRate = rate(BULKS * 1000, Date.now() - t);
    const non2xx = single.non2xx + single.errors;
    const rows = [
      ['single create (POST, c=' + CONNECTIONS + ')', `${Math.round(single.requests.average)} req/s`, `p50 ${single.latency.p50} ms, p99 ${single.latency.p99} ms, non-2xx ${non2xx}`],
      ['bulk create (1000/bulk, sequential)', `${bulkRate} contacts/s`, `${BULKS} bulks`],
      ['raw kafkajs produce, awaited one by one', `${kafka.oneByOne} msg/s`, `${RAW_N} msgs, acks=all, idempotent`],
      ['raw kafkajs produce, 1000/batch', `${kafka.batched} msg/s`, ''],
      ['raw insertOne (store server)', `${mongo.insertOne} docs/s`, `${RAW_N} docs`],
      ['raw insertMany 1000 (store server)', `${mongo.insertMany} docs/s`, '10,000 docs'],
    ];
    console.log(`\ncontacts-command write throughput — ${new Date().toISOString()} — ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Mongo at ${MONGO_URL}`);
    console.log('| figure | rate | notes |\n|---|---|---|');
    for (const row of rows) console.log(`| ${row.join(' | ')} |`);
    console.log(`\nsingle create / raw insertOne: ${(single.requests.average / mongo.insertOne).toFixed(2)}; bulk / raw insertMany: ${(bulkRate / mongo.insertMany).toFixed(2)}`);
    console.log('reproduce: npm run build && eval "$(bash tools/infra.sh env)" && node bench/command-write.bench.cjs');
  } finally {
    service.kill('SIGTERM');
    await new Promise((r) => service.once('exit', r));
    const client = new MongoClient(MONGO_URL, { retryWrites: false });
    await client.connect();
    await client.db(DB).dropDatabase().catch(() => undefined);
    await client.close();
    const admin = await bus.admin();
    await admin.deleteTopics([TOPIC]).catch(() => undefined);
    await bus.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
