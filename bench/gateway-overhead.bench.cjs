#!/usr/bin/env node
// Gateway overhead: the same requests straight to the service and through the gateway (auth,
// Redis rate limit, edge validation, pooled undici hop), in one run on this machine.
//
//   npm run build && eval "$(bash tools/infra.sh env)" && node bench/gateway-overhead.bench.cjs
//
// Env: BENCH_SECONDS (default 10), BENCH_CONNECTIONS (default 16). Traffic goes to 127.0.0.1 only;
// every run is bounded in time.
const { spawn } = require('node:child_process');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const autocannon = require('autocannon');
const { MongoClient } = require('mongodb');
const { createKafkaEventBus } = require('../libs/kafka/dist/index.js');
const { mintToken } = require('../libs/auth/dist/index.js');

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const MONGO_URL = process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SECRET = 'bench-secret-0123456789-0123456789';
const suffix = Date.now().toString(36);
const CMD_DB = `bench_gw_cmd_${suffix}`;
const READ_DB = `bench_gw_read_${suffix}`;
const TOPIC = `bench.gw.contacts.${suffix}`;
const USERS = '/api/user/crm/v202506/contacts';

const freePort = () =>
  new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

async function start(app, env) {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(__dirname, `../apps/${app}/dist/main.js`)], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(port),
      AUTH_JWT_SECRET: SECRET,
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600 && child.exitCode === null; i++) {
    try {
      if ((await fetch(`${url}/readyz`)).ok) return { child, url };
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`${app} did not become ready`);
}

async function load(url, options) {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, ...options });
  return {
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

async function main() {
  const common = { KAFKA_BROKERS: BROKERS, MONGO_URL, CONTACTS_TOPIC: TOPIC };
  // Stopped in `finally` whatever happens, including a start that fails half-way.
  const children = [];
  const started = async (app, env) => {
    const service = await start(app, env);
    children.unshift(service);
    return service;
  };
  // Interrupted (Ctrl-C, a timeout): stop the services rather than orphan them.
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      for (const { child } of children) child.kill('SIGTERM');
      process.exit(130);
    });
  }
  try {
    await run(started, common);
  } finally {
    for (const { child } of children) {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
    }
    const client = new MongoClient(MONGO_URL, { retryWrites: false });
    await client.connect();
    await client
      .db(CMD_DB)
      .dropDatabase()
      .catch(() => undefined);
    await client
      .db(READ_DB)
      .dropDatabase()
      .catch(() => undefined);
    await client.close();
    const bus = createKafkaEventBus({ brokers: BROKERS.split(','), clientId: 'bench-gw' });
    const admin = await bus.admin();
    await admin.deleteTopics([TOPIC, `${TOPIC}.dlq`]).catch(() => undefined);
    await admin.close();
    await bus.close();
  }
}

async function run(started, common) {
  const command = await started('contacts-command', { ...common, MONGO_DB: CMD_DB });
  await started('contacts-projection', {
    ...common,
    MONGO_DB: READ_DB,
    PROJECTION_GROUP_ID: `bench-gw-${suffix}`,
  });
  const query = await started('contacts-query', { ...common, MONGO_DB: READ_DB });
  const gateway = await started('gateway', {
    REDIS_URL,
    CONTACTS_COMMAND_URL: command.url,
    CONTACTS_QUERY_URL: query.url,
    RATE_LIMIT_POINTS: '1000000',
  });
  const token = await mintToken(SECRET, { scope: 'user', userId: 42, companyId: 7 });
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  {
    const created = await fetch(`${command.url}${USERS}`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ first_name: 'Read', last_name: 'Me' }),
    });
    const { contact } = await created.json();
    const consistency = created.headers.get('x-consistency-token');
    // Let the read model catch up (when the read side exists) so reads measure a real 200.
    await fetch(`${gateway.url}${USERS}/${contact.id}`, {
      headers: { ...headers, 'x-consistency-token': consistency },
    });
    const readStatus = (await fetch(`${query.url}${USERS}/${contact.id}`, { headers })).status;

    const readPath = `${USERS}/${contact.id}`;
    const body = JSON.stringify({
      first_name: 'Bench',
      last_name: 'Mark',
      email: 'bench@example.com',
      phone: '+1-555-123-4567',
    });
    // Alternate direct/gateway per scenario so both see the same machine state.
    const readDirect = await load(`${query.url}${readPath}`, { headers });
    const readGateway = await load(`${gateway.url}${readPath}`, { headers });
    const writeDirect = await load(`${command.url}${USERS}`, { method: 'POST', headers, body });
    const writeGateway = await load(`${gateway.url}${USERS}`, { method: 'POST', headers, body });

    const row = (name, r) => `| ${name} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.non2xx} | ${r.errors} |`;
    console.log(
      `\ngateway overhead — ${new Date().toISOString()} — ${os.cpus().length} cores, c=${CONNECTIONS}, ${SECONDS} s per run; ` +
        `read answers ${readStatus}${readStatus === 200 ? '' : ' (contacts-query does not serve the route: a bare 404 hop)'}`,
    );
    console.log('| run | req/s | p50 ms | p99 ms | non-2xx | errors |\n|---|---|---|---|---|---|');
    console.log(row('GET contact, straight to contacts-query', readDirect));
    console.log(row('GET contact, through the gateway', readGateway));
    console.log(row('POST contact, straight to contacts-command', writeDirect));
    console.log(row('POST contact, through the gateway', writeGateway));
    const pct = (a, b) => `${Math.round((1 - b / a) * 100)}%`;
    console.log(
      `\nthroughput lost through the gateway: reads ${pct(readDirect.rps, readGateway.rps)}, writes ${pct(writeDirect.rps, writeGateway.rps)}; ` +
        `added p50: reads +${readGateway.p50 - readDirect.p50} ms, writes +${writeGateway.p50 - writeDirect.p50} ms`,
    );
    console.log(
      'All processes share the same 2 cores, so the gateway also takes CPU from the service it fronts.',
    );
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
