// The conditions every figure of a run was measured under: machine, code, server versions,
// settings, how the services ran. Reported at the top of the results.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const IORedis = require('ioredis');
const raw = require('./raw.cjs');
const { ROOT, infraPids } = require('./processes.cjs');
const { round } = require('./stats.cjs');

async function describeConditions({ started, cfg, brokers, mongoUrl, redisUrl, infraDir }) {
  const cpus = os.cpus();
  const db = await raw.describeMongo(mongoUrl);
  const redis = new IORedis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  let redisVersion = null;
  try {
    await redis.connect();
    redisVersion = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? null;
  } finally {
    redis.disconnect();
  }
  const local = infraPids(infraDir);
  let kafkaVersion = 'external';
  if (local.kafka)
    kafkaVersion =
      /<kafka.version>([^<]+)</.exec(fs.readFileSync(path.join(ROOT, 'tools/kafka/pom.xml'), 'utf8'))?.[1] ??
      'local';
  if (db.kind === 'ferretdb' && local.mongo) {
    const v = /FerretDB\/FerretDB (v[\d.]+)/.exec(
      fs.readFileSync(path.join(ROOT, 'tools/ferretdb/go.mod'), 'utf8'),
    )?.[1];
    if (v && db.version === 'unknown') db.version = v;
  }
  const git = (...args) => {
    try {
      return require('node:child_process').execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
    } catch {
      return null;
    }
  };
  const dirty = git('status', '--porcelain', '--', 'apps', 'libs');
  return {
    date: new Date(started).toISOString(),
    code: {
      commit: git('rev-parse', '--short', 'HEAD'),
      uncommitted_files_in_apps_libs: dirty === null ? null : dirty.split('\n').filter(Boolean).length,
    },
    machine: {
      cpu: cpus[0]?.model ?? 'unknown',
      cores: cpus.length,
      memory_gib: round(os.totalmem() / 2 ** 30, 1),
      load_average_at_start: os.loadavg().map((l) => round(l, 2)),
      os: `${os.type()} ${os.release()}`,
      node: process.version,
    },
    servers: {
      database:
        db.kind === 'ferretdb'
          ? `FerretDB ${db.version} (${db.backend}; MongoDB wire ${db.wire_version})`
          : `MongoDB ${db.version} (mongod)`,
      database_kind: db.kind,
      kafka: `Apache Kafka ${kafkaVersion} (KRaft, single node) at ${brokers.join(',')}`,
      redis: `Redis ${redisVersion}`,
      local_infra:
        Object.keys(local).length > 0
          ? `tools/infra.sh (${infraDir})`
          : 'given by KAFKA_BROKERS / MONGO_URL / REDIS_URL',
    },
    settings: { ...cfg, budgetS: undefined },
    services:
      'each app from apps/*/dist/main.js as a child process, NODE_ENV=production, LOG_LEVEL=info (the default: one access-log line per request, to a file), isolated MONGO_DB / CONTACTS_TOPIC; gateway rate limit raised to 1,000,000 per 60 s (the limiter still runs, with its Redis sync, as in production)',
    load_tool: `autocannon ${require('autocannon/package.json').version} in the benchmark process (same cores as the services)`,
  };
}

module.exports = { describeConditions };
