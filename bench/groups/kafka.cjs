// Raw Kafka produce rate with contacts-command's producer settings: the limit the write-side
// figures are compared with. Needs no service of ours.
const raw = require('../lib/raw.cjs');
const { withCpu, infraPids } = require('../lib/processes.cjs');

module.exports = {
  name: 'kafka',
  title: 'raw kafkajs produce rate, awaited one by one and in 1000-message batches',
  order: 10,
  estimateS: () => 30,
  async run(ctx) {
    const { cfg } = ctx;
    ctx.log('kafka: raw kafkajs produce rate (awaited one by one, then 1000-message batches)');
    const { result: r, cpu } = await withCpu(infraPids(ctx.infraDir), () =>
      raw.kafkaProduce({
        brokers: ctx.brokers,
        topic: `${ctx.topic}.raw-produce`,
        count: cfg.rawCount * 2,
        batches: 30,
        ms: cfg.rawMs,
      }),
    );
    ctx.results.raw.kafka_produce = r;
    const cmd = ctx.reproduce(['BENCH_RAW_N', 'BENCH_RAW_MS']);
    ctx.figure({
      figure: 'raw kafkajs produce, awaited one by one',
      value: r.one_by_one.rate,
      unit: 'msg/s',
      conditions: {
        messages: r.one_by_one.messages,
        value_bytes: r.value_bytes,
        settings: 'idempotent, acks=all, 1 in flight (as contacts-command)',
      },
      cpu,
      reproduce: cmd,
    });
    ctx.figure({
      figure: 'raw kafkajs produce, 1000-message batches',
      value: r.batched.rate,
      unit: 'msg/s',
      conditions: {
        messages: r.batched.messages,
        value_bytes: r.value_bytes,
        settings: 'idempotent, acks=all, 1 in flight',
      },
      cpu,
      reproduce: cmd,
    });
  },
};
