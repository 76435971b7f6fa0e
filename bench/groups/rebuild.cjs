// The projection's rebuild command over the whole topic (the seeded tenant and whatever earlier
// groups wrote), wall clock from start to swap, next to the raw limits `bulk` and `seed` measured.
// Runs before `list`, whose slow scans could otherwise still occupy the database server.
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { Kafka, logLevel } = require('kafkajs');
const { MongoClient } = require('mongodb');
const { ROOT, withCpu, cpuMsOf } = require('../lib/processes.cjs');
const { perSecond, ratio, round } = require('../lib/stats.cjs');

/** The rebuild command of contacts-projection, if it has one yet. */
function rebuildScript() {
  return [
    'apps/contacts-projection/dist/rebuild.js',
    'apps/contacts-projection/dist/rebuild-main.js',
    'apps/contacts-projection/dist/rebuild/main.js',
  ].find((f) => fs.existsSync(path.join(ROOT, f)));
}

module.exports = {
  name: 'rebuild',
  title: 'projection rebuild from offset 0 (npm run rebuild:contacts) over the seeded topic',
  order: 60,
  needs: { stack: true },
  uses: ['seed'],
  settings: { rebuildMaxS: { env: 'BENCH_REBUILD_MAX_S', full: 120, quick: 60 } },
  estimateS: () => 60,
  async run(ctx) {
    const { cfg, results } = ctx;
    const name = 'projection rebuild from offset 0';
    const cmd = ctx.reproduce(['BENCH_TENANT_SIZE', 'BENCH_REBUILD_MAX_S']);
    const script = rebuildScript();
    if (!script) return ctx.skip(name, 'not available yet: contacts-projection has no rebuild command');
    const kafka = new Kafka({
      clientId: 'reps-bench-rebuild',
      brokers: ctx.brokers,
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    let events;
    try {
      events = (await admin.fetchTopicOffsets(ctx.topic)).reduce(
        (n, p) => n + Number(p.high) - Number(p.low),
        0,
      );
    } finally {
      await admin.disconnect();
    }
    const client = new MongoClient(ctx.mongoUrl, { retryWrites: false });
    await client.connect();
    const readModel = require('../../libs/contacts-read-model/dist/index.js');
    const catalog = readModel.createReadModelCatalog(client.db(ctx.db.read), '');
    try {
      const before = await catalog.activeGeneration();
      const timeoutMs =
        Math.max(10, Math.min(cfg.rebuildMaxS, ctx.remainingS() - ctx.reserveS() - 15)) * 1000;
      ctx.log(`rebuild: node ${script} over ${events} events (bounded to ${Math.round(timeoutMs / 1000)} s)`);
      const logFile = ctx.logFile('rebuild');
      const err = fs.openSync(logFile, 'a');
      let stdout = '';
      let cpuMs = null;
      const spawnedAt = Date.now();
      const run = await withCpu(ctx.stack.pids, async () => {
        const t0 = performance.now();
        const child = spawn(process.execPath, [path.join(ROOT, script)], {
          cwd: ROOT,
          env: {
            ...process.env,
            NODE_ENV: 'production',
            LOG_LEVEL: 'info',
            KAFKA_BROKERS: ctx.brokers.join(','),
            MONGO_URL: ctx.mongoUrl,
            MONGO_DB: ctx.db.read,
            CONTACTS_TOPIC: ctx.topic,
            PROJECTION_GROUP_ID: `bench-projection-${ctx.runId}`,
            // Keep the old generation (the run's database is dropped at the end): the command would
            // otherwise wait 30 s after the swap before dropping it.
            REBUILD_DROP_OLD_AFTER_MS: '-1',
          },
          stdio: ['ignore', 'pipe', err],
        });
        child.stdout.on('data', (chunk) => {
          stdout += chunk;
        });
        // The child's CPU, sampled while it lives (a pid's /proc entry is gone once it exits).
        const sampler = setInterval(() => {
          cpuMs = cpuMsOf(child.pid) ?? cpuMs;
        }, 250);
        const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
        const code = await new Promise((resolve) => child.once('exit', (c, signal) => resolve(signal ?? c)));
        clearTimeout(timer);
        clearInterval(sampler);
        return { code, ms: performance.now() - t0 };
      });
      fs.closeSync(err);
      if (cpuMs !== null) run.cpu.rebuild = Math.round((cpuMs / run.result.ms) * 100);
      const lines = stdout
        .split('\n')
        .map((line) => {
          try {
            return JSON.parse(line);
          } catch {
            return null;
          }
        })
        .filter(Boolean);
      const report = lines.find((l) => l.messagesPerSecond !== undefined) ?? null;
      const progress = lines.filter((l) => l.msg === 'rebuild progress').pop();
      const after = await catalog.activeGeneration();
      const ok = run.result.code === 0 && after !== before;
      let rate = ok ? perSecond(events, run.result.ms) : null;
      let partial = null;
      if (!ok && progress && progress.messages > 0) {
        // Stopped by the time bound: the rate so far, from its last progress line.
        const at = typeof progress.time === 'string' ? Date.parse(progress.time) : progress.time;
        rate = perSecond(progress.messages, at - spawnedAt);
        partial = `stopped after ${Math.round(run.result.ms / 1000)} s (BENCH_REBUILD_MAX_S / budget): ${progress.messages} of ${events} events replayed, rate so far`;
      }
      const upsert = results.raw.mongo_writes?.bulk_upsert.rate ?? null;
      const consume = results.raw.kafka_consume?.rate ?? null;
      ctx.figure({
        figure: name,
        value: rate,
        unit: 'events/s',
        conditions: {
          events,
          seconds: round(run.result.ms / 1000, 1),
          measured:
            'wall clock from starting the rebuild command to its exit (process start, group join, replay, swap)',
          command_report: report,
          swapped: `${before} → ${after}`,
          ...(partial ? { mode: partial } : {}),
          ...(ok || partial
            ? {}
            : {
                failed: `exit ${run.result.code}, active generation ${after} (log: ${path.relative(ROOT, logFile)})`,
              }),
        },
        raw:
          upsert !== null
            ? { figure: 'raw bulkWrite of 1000 upserts by _id', value: upsert, unit: 'docs/s' }
            : null,
        ratio: ratio(rate, upsert),
        raw_also: [
          ...(results.raw.mongo_writes
            ? [
                {
                  figure: 'raw insertMany, 1000 docs per call',
                  value: results.raw.mongo_writes.insert_many.rate,
                  unit: 'docs/s',
                  ratio: ratio(rate, results.raw.mongo_writes.insert_many.rate),
                },
              ]
            : []),
          ...(consume !== null
            ? [
                {
                  figure: 'raw kafkajs consume from offset 0',
                  value: consume,
                  unit: 'msg/s',
                  ratio: ratio(rate, consume),
                },
              ]
            : []),
        ],
        cpu: run.cpu,
        reproduce: cmd,
      });
    } finally {
      await client.close();
    }
  },
};
