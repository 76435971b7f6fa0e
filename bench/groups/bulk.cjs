// Bulk creates through the gateway (1000 contacts per request, one after another), next to the
// raw write rates of the same database server: insertOne, insertMany, bulkWrite of upserts; CPU
// per contact by process until the projection has applied the bulks (bench/lib/write-cost.cjs),
// and the check against the bulk target (bench/lib/targets.cjs).
const raw = require('../lib/raw.cjs');
const { withCpu, infraPids } = require('../lib/processes.cjs');
const { API, jsonHeaders } = require('../lib/http.cjs');
const { summarize, perSecond, ratio } = require('../lib/stats.cjs');
const { projectionProgress, idleBackground, measureWriteCost } = require('../lib/write-cost.cjs');
const { WRITE_TARGETS, check } = require('../lib/targets.cjs');

module.exports = {
  name: 'bulk',
  title: 'BENCH_BULKS × 1000-contact bulks through the gateway, vs raw insertOne / insertMany / bulk upsert',
  order: 40,
  needs: { stack: true },
  settings: { bulks: { env: 'BENCH_BULKS', full: 10, quick: 3 } },
  estimateS: (cfg) => 60 + Math.min(cfg.catchupMaxS, cfg.bulks * 3),
  async run(ctx) {
    const { cfg } = ctx;
    const cmd = ctx.reproduce(['BENCH_BULKS', 'BENCH_RAW_MS', 'BENCH_CATCHUP_MAX_S']);
    ctx.log('bulk: raw insertMany / bulk upsert rate of the store server');
    const { result: mongo, cpu } = await withCpu(infraPids(ctx.infraDir), () =>
      raw.mongoWrites({
        url: ctx.mongoUrl,
        db: ctx.db.raw,
        count: cfg.rawCount,
        batches: 10,
        ms: cfg.rawMs,
      }),
    );
    ctx.results.raw.mongo_writes = mongo;
    const cmdRaw = ctx.reproduce(['BENCH_RAW_N', 'BENCH_RAW_MS']);
    ctx.figure({
      figure: 'raw: insertOne, awaited one by one',
      value: mongo.insert_one.rate,
      unit: 'docs/s',
      conditions: { docs: mongo.insert_one.docs, doc_bytes: mongo.doc_bytes },
      cpu,
      reproduce: cmdRaw,
    });
    ctx.figure({
      figure: 'raw: insertOne, 8 concurrent loops',
      value: mongo.insert_one_concurrent.rate,
      unit: 'docs/s',
      conditions: {
        docs: mongo.insert_one_concurrent.docs,
        concurrency: mongo.insert_one_concurrent.concurrency,
        doc_bytes: mongo.doc_bytes,
      },
      cpu,
      reproduce: cmdRaw,
    });
    ctx.figure({
      figure: 'raw: insertMany, 1000 docs per call',
      value: mongo.insert_many.rate,
      unit: 'docs/s',
      conditions: { docs: mongo.insert_many.docs, doc_bytes: mongo.doc_bytes },
      cpu,
      reproduce: cmdRaw,
    });
    ctx.figure({
      figure: 'raw: bulkWrite of 1000 upserts by _id',
      value: mongo.bulk_upsert.rate,
      unit: 'docs/s',
      conditions: { docs: mongo.bulk_upsert.docs, doc_bytes: mongo.doc_bytes },
      cpu,
      reproduce: cmdRaw,
    });

    ctx.log(`bulk: ${cfg.bulks} × 1000-contact bulks through the gateway, one after another`);
    const { token } = await ctx.tenant('single');
    const body = JSON.stringify({
      contacts: Array.from({ length: 1000 }, (_, i) => ({
        first_name: `Bulk${i}`,
        last_name: 'Load',
        email: `bulk${i}@example.com`,
        status: 'lead',
      })),
    });
    const durations = [];
    let created = 0;
    let failedItems = 0;
    const statuses = {};
    let firstError = null;
    const progress = projectionProgress(ctx);
    let run;
    try {
      const background = await idleBackground(ctx.stack.pids);
      run = await measureWriteCost({
        background,
        ctx,
        progress,
        pids: ctx.stack.pids,
        per: 'contact',
        ops: () => created,
        tailMaxS: cfg.catchupMaxS,
        load: async () => {
          const t0 = performance.now();
          // Bounded in count (BENCH_BULKS) and time (6 × BENCH_SECONDS).
          for (
            let i = 0;
            i < cfg.bulks &&
            performance.now() - t0 < cfg.seconds * 6000 &&
            Date.now() < ctx.deadline - 60_000;
            i++
          ) {
            const t = performance.now();
            const res = await fetch(`${ctx.stack.services.gateway.url}${API}/bulk`, {
              method: 'POST',
              headers: jsonHeaders(token),
              body,
              signal: AbortSignal.timeout(120_000),
            });
            const answer = await res.json().catch(() => null);
            statuses[res.status] = (statuses[res.status] ?? 0) + 1;
            if (res.status !== 200) {
              firstError ??= `${res.status} ${answer?.error?.code ?? ''}`.trim();
              continue;
            }
            created += answer.meta.created;
            failedItems += answer.meta.failed;
            durations.push(performance.now() - t);
          }
          return performance.now() - t0;
        },
      });
    } finally {
      await progress.close();
    }
    const rate = perSecond(created, run.result);
    const s = summarize(durations);
    const bulkRatio = ratio(rate, mongo.insert_many.rate);
    ctx.figure({
      figure: 'bulk create through the gateway (1000 per bulk)',
      value: rate,
      unit: 'contacts/s',
      p50_ms: s.p50,
      p99_ms: s.p99,
      conditions: {
        bulks: durations.length,
        concurrency: 1,
        created,
        // Bulks answered with anything but 200, and contacts a 200 bulk reported as failed.
        non_2xx: Object.entries(statuses)
          .filter(([code]) => code !== '200')
          .reduce((n, [, count]) => n + count, 0),
        failed_contacts: failedItems,
        status_codes: statuses,
        ...(firstError ? { first_error: firstError } : {}),
      },
      raw: { figure: 'raw insertMany, 1000 docs per call', value: mongo.insert_many.rate, unit: 'docs/s' },
      ratio: bulkRatio,
      cpu: run.cpu,
      cost: run.cost,
      targets: [check('bulk rate ÷ raw insertMany', bulkRatio, '≥', WRITE_TARGETS.bulkRatio)],
      reproduce: cmd,
    });
  },
};
