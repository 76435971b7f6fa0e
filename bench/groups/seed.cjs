// Seeds the large tenant the `list` and `rebuild` groups measure on: BENCH_TENANT_SIZE
// contract-valid contact.created events produced straight onto the run's topic in 1000-message
// batches (bench/lib/seed.cjs), built into the read model by the live projection, whose catch-up
// rate is a figure; next to the raw consume rate of the same topic. Reported as part of `list`.
// Returns the tenant ({ applied, companyId, userId, token, upsertRate, cmd }) as ctx.outputs.seed.
const { Kafka, Partitioners, logLevel } = require('kafkajs');
const raw = require('../lib/raw.cjs');
const { withCpu } = require('../lib/processes.cjs');
const { seedBatch } = require('../lib/seed.cjs');
const { projectionMetrics } = require('../lib/read-side.cjs');
const { perSecond, ratio, sleep } = require('../lib/stats.cjs');

module.exports = {
  name: 'seed',
  title: 'seeds a BENCH_TENANT_SIZE tenant through the projection (catch-up rate; used by list and rebuild)',
  order: 50,
  reportAs: 'list',
  needs: { stack: true },
  settings: { tenantSize: { env: 'BENCH_TENANT_SIZE', full: 100_000, quick: 5_000 } },
  estimateS: () => 120,
  async run(ctx) {
    const { cfg, results } = ctx;
    const cmd = ctx.reproduce([
      'BENCH_TENANT_SIZE',
      'BENCH_SECONDS',
      'BENCH_LIST_CONNECTIONS',
      'BENCH_LIST_MAX_MS',
      'BENCH_LIST_SAMPLES',
    ]);
    const n = cfg.tenantSize;
    const { companyId, userId, token } = await ctx.tenant('seed');
    if (!results.raw.mongo_writes)
      results.raw.mongo_writes = await raw.mongoWrites({
        url: ctx.mongoUrl,
        db: ctx.db.raw,
        count: 10,
        batches: 10,
        ms: cfg.rawMs,
      });
    const upsertRate = results.raw.mongo_writes.bulk_upsert.rate;

    // Seed: contact.created events in 1000-message batches straight onto the topic (documented in
    // bench/lib/seed.cjs); the live projection builds the read model from them.
    ctx.log(
      `list: seeding a ${n}-contact tenant (events straight to the topic, the projection builds the read model)`,
    );
    let before = await projectionMetrics(ctx.stack);
    if (before.applied === null) {
      const reason = 'not available: contacts-projection exposes no projection_events_applied_total yet';
      ctx.skip('projection catch-up from offset 0 (seeding)', reason);
      return ctx.skip('list latency on a large tenant', reason);
    }
    // Let the projection finish what earlier groups wrote (bounded), so the count below is the seed's.
    for (let i = 0; i < 120 && before.lag !== 0; i++) {
      await sleep(500);
      before = await projectionMetrics(ctx.stack);
    }
    const kafka = new Kafka({
      clientId: 'reps-bench-seed',
      brokers: ctx.brokers,
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    const at = Date.UTC(2025, 0, 1);
    const t0 = performance.now();
    let produced = 0;
    try {
      for (let from = 0; from < n; from += 1000) {
        await producer.send({
          topic: ctx.topic,
          acks: -1,
          messages: seedBatch({
            from,
            to: Math.min(n, from + 1000),
            firstContactId: 10_000_000,
            companyId,
            userId,
            at,
          }),
        });
        produced = Math.min(n, from + 1000);
      }
    } finally {
      await producer.disconnect();
    }
    const producedMs = performance.now() - t0;
    // Wait for the projection, leaving what the groups after this one need of the budget.
    const reserveS = ctx.reserveS();
    let now = await projectionMetrics(ctx.stack);
    let appliedAt = performance.now();
    let lastApplied = now.applied;
    const catchUp = await withCpu(ctx.stack.pids, async () => {
      while (now.applied - before.applied < produced && ctx.remainingS() > reserveS) {
        await sleep(200);
        now = await projectionMetrics(ctx.stack);
        if (now.applied !== lastApplied) {
          lastApplied = now.applied;
          appliedAt = performance.now();
        }
      }
    });
    const applied = now.applied - before.applied;
    const complete = applied >= produced;
    const catchRate = perSecond(applied, appliedAt - t0);
    results.seed = {
      tenant_contacts: n,
      produced,
      produce_ms: Math.round(producedMs),
      applied,
      complete,
      method:
        'contact.created events produced to the topic in 1000-message batches (bench/lib/seed.cjs); the live projection builds the read model',
    };
    ctx.log('list: raw consume rate of the same topic from offset 0');
    const consumed = await raw.kafkaConsumeFromStart({
      brokers: ctx.brokers,
      topic: ctx.topic,
      expected: produced,
      ms: 60_000,
    });
    results.raw.kafka_consume = consumed;
    ctx.figure({
      figure: 'raw: kafkajs consume from offset 0 (same topic)',
      value: consumed.rate,
      unit: 'msg/s',
      conditions: { messages: consumed.messages },
      reproduce: cmd,
    });
    ctx.figure({
      figure: 'projection catch-up, live consumer (seeding)',
      value: catchRate,
      unit: 'events/s',
      conditions: { data_size: produced, applied, complete },
      raw: { figure: 'raw bulkWrite of 1000 upserts by _id', value: upsertRate, unit: 'docs/s' },
      ratio: ratio(catchRate, upsertRate),
      raw_also: [
        {
          figure: 'raw insertMany, 1000 docs per call',
          value: results.raw.mongo_writes.insert_many.rate,
          unit: 'docs/s',
          ratio: ratio(catchRate, results.raw.mongo_writes.insert_many.rate),
        },
        {
          figure: 'raw kafkajs consume from offset 0',
          value: consumed.rate,
          unit: 'msg/s',
          ratio: ratio(catchRate, consumed.rate),
        },
      ],
      cpu: catchUp.cpu,
      reproduce: cmd,
    });
    if (!complete)
      ctx.skip(
        'seeding',
        `projection applied ${applied} of ${produced} events before the time budget ran out; lists run on what is there`,
      );
    return { applied, companyId, userId, token, upsertRate, cmd };
  },
};
