// contact.updated apply rate of the live projection on a large read model (issue 16): updates
// spread over the whole model, and a burst of many updates to few contacts, each next to the raw
// replaceOne({_id}) and bulk _id-replace rates of the same server on the same collection in the
// same run. Also the raw cost of the filter the projection used before, replaceOne({_id, _v}),
// which FerretDB 1.24 answers with a full scan (only an exact {_id} filter reaches SQLite).
//
// The read model is seeded with raw insertMany of the documents the projector itself builds from
// contact.created events (version 1), so the topic holds only the updates being measured. The
// projection is a process of its own (its own topic, consumer group and collection prefix).
const path = require('node:path');
const { Kafka, Partitioners, logLevel } = require('kafkajs');
const { MongoClient } = require('mongodb');
const { ROOT, startNode, stop, withCpu, infraPids } = require('../lib/processes.cjs');
const { boundedLoop, perSecond, ratio, round, sleep, summarize } = require('../lib/stats.cjs');
const { metricSum } = require('../lib/read-side.cjs');

const PREFIX = 'pu_';
const PARTITIONS = 6;
/** Replaces per raw bulk command: the projection's cap (one command over ~100 hangs FerretDB 1.24). */
const RAW_BULK_PER_COMMAND = 32;

/** `count` distinct indexes of [0, n), drawn from `pool` (which loses them). */
function draw(pool, count) {
  const out = [];
  for (let k = 0; k < count && pool.length > 0; k++) {
    const j = Math.floor(Math.random() * pool.length);
    out.push(pool[j]);
    pool[j] = pool[pool.length - 1];
    pool.pop();
  }
  return out;
}

/** contact events applied to the user model (the service may keep other models per event too). */
async function appliedOf(url) {
  const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) });
  const user = (await res.text()).split('\n').filter((l) => l.includes('model="user"')).join('\n');
  return metricSum(user, 'projection_events_applied_total') ?? 0;
}

module.exports = {
  name: 'projection-updates',
  title:
    'contact.updated apply rate of the projection on a BENCH_UPDATES_MODEL read model (spread; burst), vs raw replaceOne({_id}) and bulk _id-replace',
  order: 80,
  ports: ['updates_projection'],
  settings: {
    modelSize: { env: 'BENCH_UPDATES_MODEL', full: 100_000, quick: 5_000 },
    spread: { env: 'BENCH_UPDATES_SPREAD', full: 20_000, quick: 2_000 },
    burstContacts: { env: 'BENCH_UPDATES_BURST_CONTACTS', full: 500, quick: 100 },
    burstPerContact: { env: 'BENCH_UPDATES_BURST_EACH', full: 10, quick: 10 },
    rawReplaces: { env: 'BENCH_UPDATES_RAW_N', full: 5_000, quick: 1_000 },
    guardedSamples: { env: 'BENCH_UPDATES_GUARDED_SAMPLES', full: 3, quick: 3 },
    phaseMaxS: { env: 'BENCH_UPDATES_PHASE_MAX_S', full: 180, quick: 60 },
  },
  // Seeding (~1,500 docs/s), the bounded raw loops (10 + 20 + 30 s, the scans up to 60 s), the
  // fence warm-up and the two measured phases (each bounded by phaseMaxS).
  estimateS: (cfg) => Math.round(cfg.modelSize / 1500 + 120 + 2 * cfg.phaseMaxS + 30),
  async run(ctx) {
    const { cfg } = ctx;
    const cmd = ctx.reproduce([
      'BENCH_UPDATES_MODEL',
      'BENCH_UPDATES_SPREAD',
      'BENCH_UPDATES_BURST_CONTACTS',
      'BENCH_UPDATES_BURST_EACH',
      'BENCH_UPDATES_RAW_N',
      'BENCH_UPDATES_GUARDED_SAMPLES',
    ]);
    const { contactStream, createReadModelCatalog } = require(path.join(ROOT, 'libs/contacts-read-model/dist/index.js'));
    const { projectContactEvents } = require(path.join(ROOT, 'apps/contacts-projection/dist/projector/contact-projector.js'));
    const { companyId, userId } = await ctx.tenant('projection-updates');
    const n = cfg.modelSize;
    const burstEvents = cfg.burstContacts * cfg.burstPerContact;
    const needed = cfg.spread + cfg.burstContacts + 2 * cfg.rawReplaces + PARTITIONS;
    if (needed > n) throw new Error(`BENCH_UPDATES_MODEL ${n} is smaller than the contacts the phases touch (${needed})`);
    const topic = `${ctx.topic}.updates`;
    const phaseMs = cfg.phaseMaxS * 1000;

    const client = new MongoClient(ctx.mongoUrl, { retryWrites: false });
    await client.connect();
    const catalog = createReadModelCatalog(client.db(ctx.db.read), PREFIX);
    const users = catalog.collections('g1').user;
    const kafka = new Kafka({ clientId: 'reps-bench-updates', brokers: ctx.brokers, logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    let projection = null;
    try {
      // --- the read model: n contacts at version 1, as the projector writes them ---------------
      ctx.log(`projection-updates: seeding a ${n}-contact read model (raw insertMany of projector documents)`);
      const streams = new Array(n);
      const rawDocs = new Map();
      const pool = Array.from({ length: n }, (_, i) => i);
      const spreadSet = draw(pool, cfg.spread);
      const burstSet = draw(pool, cfg.burstContacts);
      const rawSingleSet = draw(pool, cfg.rawReplaces);
      const rawBulkSet = draw(pool, cfg.rawReplaces);
      const warmSet = draw(pool, PARTITIONS);
      const keepDocs = new Set([...rawSingleSet, ...rawBulkSet]);
      // The projection's indexes exist before the documents, as in production (they are created at
      // its start), so every write below maintains them and the projection's start finds them.
      await catalog.ensureIndexes('g1');
      const seedStarted = performance.now();
      for (let start = 0; start < n; start += 1000) {
        const events = [];
        for (let i = start; i < Math.min(n, start + 1000); i++) {
          streams[i] = contactStream({ contactId: 1 + i, tenant: companyId, owner: userId, startAt: new Date(Date.UTC(2025, 0, 1) + i * 1000) });
          events.push(streams[i].created({ first_name: `First${i % 97}`, last_name: `Surname${String(i % 200).padStart(3, '0')}`, city: 'Lisbon', email: `c${i}@example.com` }));
        }
        const { writes } = projectContactEvents(events, { user: new Map(), company: new Map() });
        const docs = writes.map((w) => w.doc);
        for (const doc of docs) {
          const i = Number(doc._id.split(':')[1]) - 1;
          if (keepDocs.has(i)) rawDocs.set(i, doc);
        }
        await users.insertMany(docs, { ordered: false });
      }
      const seedMs = performance.now() - seedStarted;
      // ferretdb-local indexes `_id` lookups of new tables within 2 s (tools/ferretdb/id_index.go).
      await sleep(3000);

      // --- raw limits on the same collection -----------------------------------------------------
      const pids = infraPids(ctx.infraDir);
      ctx.log('projection-updates: raw findOne({_id}), replaceOne({_id}) one by one, bulk _id-replace');
      const reads = [];
      await boundedLoop(300, 10_000, async (k) => {
        const t = performance.now();
        await users.findOne({ _id: `${companyId}:${1 + rawSingleSet[k % rawSingleSet.length]}` });
        reads.push(performance.now() - t);
      });
      const singleLatencies = [];
      const single = await withCpu(pids, () =>
        boundedLoop(rawSingleSet.length, 20_000, async (k) => {
          const doc = rawDocs.get(rawSingleSet[k]);
          const t = performance.now();
          await users.replaceOne({ _id: doc._id }, { ...doc, first_name: 'RawSingle' });
          singleLatencies.push(performance.now() - t);
        }),
      );
      const singleRate = perSecond(single.result.done, single.result.ms);
      const bulk = await withCpu(pids, () =>
        boundedLoop(Math.ceil(rawBulkSet.length / RAW_BULK_PER_COMMAND), 30_000, (k) =>
          users.bulkWrite(
            rawBulkSet.slice(k * RAW_BULK_PER_COMMAND, (k + 1) * RAW_BULK_PER_COMMAND).map((i) => {
              const doc = rawDocs.get(i);
              return { replaceOne: { filter: { _id: doc._id }, replacement: { ...doc, first_name: 'RawBulk' } } };
            }),
            { ordered: false },
          ),
        ),
      );
      const bulkDocs = Math.min(rawBulkSet.length, bulk.result.done * RAW_BULK_PER_COMMAND);
      const bulkRate = perSecond(bulkDocs, bulk.result.ms);

      // The filter the projection sent before: a full scan per replace on FerretDB 1.24.
      ctx.log(`projection-updates: raw replaceOne({_id, _v}) × ${cfg.guardedSamples} (a full scan each on FerretDB)`);
      const guarded = [];
      await boundedLoop(cfg.guardedSamples, 60_000, async (k) => {
        const doc = rawDocs.get(rawSingleSet[k]);
        const t = performance.now();
        await users.replaceOne({ _id: doc._id, _v: doc._v }, { ...doc, first_name: 'Guarded' });
        guarded.push(performance.now() - t);
      });

      // --- the projection ------------------------------------------------------------------------
      projection = await startNode({
        name: 'updates-projection',
        script: 'apps/contacts-projection/dist/main.js',
        port: ctx.ports.updates_projection,
        logFile: ctx.logFile('updates-projection'),
        timeoutMs: 120_000,
        env: {
          LOG_LEVEL: 'warn',
          KAFKA_BROKERS: ctx.brokers.join(','),
          MONGO_URL: ctx.mongoUrl,
          MONGO_DB: ctx.db.read,
          CONTACTS_TOPIC: topic,
          CONTACTS_TOPIC_PARTITIONS: String(PARTITIONS),
          PROJECTION_GROUP_ID: `bench-updates-${ctx.runId}`,
          READ_MODEL_PREFIX: PREFIX,
        },
      });
      const cpuPids = { ...pids, projection: projection.pid };
      const send = async (events, partitionOf = () => undefined) => {
        for (let i = 0; i < events.length; i += 1000) {
          await producer.send({
            topic,
            acks: -1,
            messages: events.slice(i, i + 1000).map((e, j) => ({ key: String(e.aggregate_id), value: JSON.stringify(e), partition: partitionOf(i + j) })),
          });
        }
      };
      /** Publishes the events and waits until the projection applied them all (bounded); events/s. */
      const measure = async (label, events) => {
        const before = await appliedOf(projection.url);
        const run = await withCpu(cpuPids, async () => {
          const t0 = performance.now();
          await send(events);
          let applied = 0;
          while (performance.now() - t0 < phaseMs && !projection.exited) {
            applied = (await appliedOf(projection.url)) - before;
            if (applied >= events.length) break;
            await sleep(200);
          }
          return { applied, ms: performance.now() - t0 };
        });
        const complete = run.result.applied >= events.length;
        ctx.log(`projection-updates: ${label}: ${run.result.applied} of ${events.length} applied in ${Math.round(run.result.ms)} ms`);
        return { ...run.result, complete, rate: perSecond(run.result.applied, run.result.ms), cpu: run.cpu };
      };

      // One update per partition first: each partition's first batch claims its write fence and
      // waits PROJECTION_FENCE_SETTLE_MS, which belongs to a rebalance, not to the apply rate.
      await send(warmSet.map((i) => streams[i].updated({ city: 'Warm' })), (k) => k % PARTITIONS);
      const warmBefore = Date.now();
      while (Date.now() - warmBefore < 60_000 && (await appliedOf(projection.url)) < PARTITIONS) await sleep(200);

      const spread = await measure('spread', spreadSet.map((i) => streams[i].updated({ city: 'Spread', status: 'lead' })));
      const burst = await measure(
        'burst',
        Array.from({ length: cfg.burstPerContact }, (_, r) => burstSet.map((i) => streams[i].updated({ city: `Burst${r}` }))).flat(),
      );

      const raws = {
        raw: { figure: `raw bulkWrite of replaceOne({_id}), ${RAW_BULK_PER_COMMAND} per command, same collection`, value: bulkRate, unit: 'docs/s' },
        single: { figure: 'raw replaceOne({_id}) one by one, same collection', value: singleRate, unit: 'docs/s' },
      };
      const conditions = (phase, extra) => ({
        read_model: `${n} contacts (user model), seeded in ${round(seedMs / 1000, 1)} s`,
        events: phase.applied,
        seconds: round(phase.ms / 1000, 1),
        measured:
          'from the first publish to the projection counting every event applied to the user model (events/s); the service does everything it does per contact event meanwhile',
        partitions: PARTITIONS,
        ...(phase.complete ? {} : { mode: `stopped after ${cfg.phaseMaxS} s (BENCH_UPDATES_PHASE_MAX_S): rate so far` }),
        ...extra,
      });
      ctx.figure({
        figure: `projection apply rate: ${cfg.spread} contact.updated spread over the read model`,
        value: spread.rate,
        unit: 'events/s',
        conditions: conditions(spread, { contacts: cfg.spread, 'events per contact': 1 }),
        raw: raws.raw,
        ratio: ratio(spread.rate, bulkRate),
        raw_also: [{ ...raws.single, ratio: ratio(spread.rate, singleRate) }],
        cpu: spread.cpu,
        reproduce: cmd,
      });
      ctx.figure({
        figure: `projection apply rate: burst of ${burstEvents} updates to ${cfg.burstContacts} contacts`,
        value: burst.rate,
        unit: 'events/s',
        conditions: conditions(burst, {
          contacts: cfg.burstContacts,
          'events per contact': cfg.burstPerContact,
          note: 'a contact’s events in one batch fold into one write, so events/s can pass the raw document rate',
        }),
        raw: raws.raw,
        ratio: ratio(burst.rate, bulkRate),
        raw_also: [{ ...raws.single, ratio: ratio(burst.rate, singleRate) }],
        cpu: burst.cpu,
        reproduce: cmd,
      });
      const singleSummary = summarize(singleLatencies);
      const guardedSummary = summarize(guarded);
      ctx.figure({
        figure: 'raw replaceOne({_id, _v}) on the read model (the filter the projection used before issue 16)',
        value: guardedSummary.p50 === null ? null : round(1000 / guardedSummary.p50, 2),
        unit: 'docs/s',
        p50_ms: guardedSummary.p50,
        p99_ms: guardedSummary.max,
        conditions: {
          read_model: `${n} contacts`,
          samples: guardedSummary.samples,
          why: 'FerretDB 1.24 pushes only an exact {_id} filter down to SQLite; {_id, _v} is evaluated in Go over the whole collection',
          'replaceOne({_id}) p50 ms': singleSummary.p50,
          'findOne({_id}) p50 ms': summarize(reads).p50,
        },
        raw: { ...raws.single },
        ratio: ratio(guardedSummary.p50 === null ? null : 1000 / guardedSummary.p50, singleRate),
        reproduce: cmd,
      });
    } finally {
      await stop(projection);
      await producer.disconnect().catch(() => undefined);
      await users.drop().catch(() => undefined);
      await client.close();
    }
  },
};
