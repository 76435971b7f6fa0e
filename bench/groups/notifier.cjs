// The notifier: SmartLink events produced to Kafka → BullMQ (intake, delivery, send jobs) →
// encrypted Web Push to a local push service in this process, which decrypts each push
// (aes128gcm) to learn which event it carries. Two figures — pushes/s sustained (a backlog
// produced at once) and event → push latency at a fixed rate — next to the raw BullMQ
// add+process rate of the same Redis, measured in the same run. Each event is about another
// contact and coalescing is off (PUSH_COALESCE_MS=0), so every event is one push; the per-rep
// rate limit is raised out of the way (the figures measure the pipeline, not the policy).
const { createECDH, randomBytes, randomUUID } = require('node:crypto');
const http = require('node:http');
const { Queue, Worker } = require('bullmq');
const { Redis } = require('ioredis');
const { Kafka, Partitioners, logLevel } = require('kafkajs');
const { MongoClient } = require('mongodb');
const ece = require('http_ece');
const { startNode, stop, withCpu, infraPids } = require('../lib/processes.cjs');
const { percentile, perSecond, ratio, round, sleep } = require('../lib/stats.cjs');

const BASE = '/api/user/crm/v202506';

/** The local push service: decrypts every push with its device's keys, answers 201. */
async function startPushService() {
  const devices = new Map();
  const received = [];
  let failures = 0;
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const keys = devices.get(req.url);
      try {
        const plain = ece.decrypt(Buffer.concat(chunks), {
          version: 'aes128gcm',
          privateKey: keys.ecdh,
          authSecret: keys.auth,
        });
        received.push({ at: performance.now(), payload: JSON.parse(plain.toString('utf8')) });
        res.writeHead(201).end();
      } catch {
        failures += 1;
        res.writeHead(400).end();
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    received,
    failures: () => failures,
    device(name) {
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      const auth = randomBytes(16);
      devices.set(`/push/${name}`, { ecdh, auth });
      return {
        endpoint: `${origin}/push/${name}`,
        keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') },
      };
    },
    close: () => new Promise((resolve) => server.close(resolve)).then(() => server.closeAllConnections?.()),
  };
}

/** Raw BullMQ on the same Redis: jobs added in bulk while a no-op worker (same concurrency as our send worker) takes them. */
async function rawBullmq({ redisUrl, prefix, count, ms }) {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const name = `bench-raw-${randomUUID().slice(0, 8)}`;
  const queue = new Queue(name, { connection, prefix, defaultJobOptions: { removeOnComplete: true } });
  let processed = 0;
  const worker = new Worker(name, async () => undefined, {
    connection,
    prefix,
    concurrency: 32,
    autorun: false,
  });
  worker.on('completed', () => (processed += 1));
  try {
    const started = performance.now();
    worker.run().catch(() => undefined);
    let added = 0;
    while (added < count && performance.now() - started < ms) {
      const batch = Math.min(100, count - added);
      await queue.addBulk(
        Array.from({ length: batch }, (_, i) => ({ name: 'noop', data: { i: added + i } })),
      );
      added += batch;
    }
    while (processed < added && performance.now() - started < ms * 2) await sleep(5);
    const elapsed = performance.now() - started;
    return { jobs: processed, ms: Math.round(elapsed), rate: perSecond(processed, elapsed) };
  } finally {
    await worker.close();
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    connection.disconnect();
  }
}

module.exports = {
  name: 'notifier',
  title:
    'SmartLink event → Web Push through the notifier (pushes/s; latency at a fixed rate) vs raw BullMQ add+process',
  order: 90,
  ports: ['notifier'],
  settings: {
    notifierEvents: { env: 'BENCH_NOTIFIER_EVENTS', full: 3000, quick: 400 },
    notifierRate: { env: 'BENCH_NOTIFIER_RATE', full: 50, quick: 20 },
    notifierRateS: { env: 'BENCH_NOTIFIER_RATE_S', full: 20, quick: 8 },
  },
  estimateS: (cfg) => 30 + Math.ceil(cfg.rawMs / 1000) * 2 + cfg.notifierRateS + 90,
  async run(ctx) {
    const { cfg } = ctx;
    const cmd = ctx.reproduce([
      'BENCH_NOTIFIER_EVENTS',
      'BENCH_NOTIFIER_RATE',
      'BENCH_NOTIFIER_RATE_S',
      'BENCH_RAW_N',
      'BENCH_RAW_MS',
    ]);
    const prefix = `bench_nt_${ctx.runId}`;
    const dbName = `bench_notifier_${ctx.runId}`;
    const topics = {
      smartlinks: `${ctx.topic}.smartlinks`,
      tasks: `${ctx.topic}.tasks`,
      contacts: `${ctx.topic}.contacts-nt`,
    };
    const push = await startPushService();
    const kafka = new Kafka({
      clientId: `bench-notifier-${ctx.runId}`,
      brokers: ctx.brokers,
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    let notifier;
    try {
      ctx.log(`notifier: raw BullMQ add+process on the same Redis (${cfg.rawCount} jobs or ${cfg.rawMs} ms)`);
      const rawRun = await withCpu(infraPids(ctx.infraDir), () =>
        rawBullmq({ redisUrl: ctx.redisUrl, prefix, count: cfg.rawCount * 5, ms: cfg.rawMs }),
      );
      const raw = rawRun.result;
      ctx.figure({
        figure: 'raw BullMQ add (bulks of 100) + process (no-op worker, concurrency 32)',
        value: raw.rate,
        unit: 'jobs/s',
        conditions: { jobs: raw.jobs, duration_ms: raw.ms },
        cpu: rawRun.cpu,
        reproduce: cmd,
      });

      notifier = await startNode({
        name: 'notifier',
        script: 'apps/notifier/dist/main.js',
        port: ctx.ports.notifier,
        logFile: ctx.logFile('notifier'),
        // BENCH_NOTIFIER_PROFILE=1: a V8 CPU profile of the notifier into the run folder (bench/results/run/<run>/).
        nodeArgs: ctx.env.BENCH_NOTIFIER_PROFILE === '1' ? ['--cpu-prof', '--cpu-prof-dir', `${ctx.runDir}/notifier-profile`] : [],
        env: {
          // test, not production: the push service is on 127.0.0.1, which production refuses.
          NODE_ENV: 'test',
          LOG_LEVEL: 'warn',
          AUTH_JWT_SECRET: ctx.secret,
          KAFKA_BROKERS: ctx.brokers.join(','),
          MONGO_URL: ctx.mongoUrl,
          REDIS_URL: ctx.redisUrl,
          MONGO_DB: dbName,
          QUEUE_PREFIX: prefix,
          NOTIFIER_GROUP_ID: `bench-notifier-${ctx.runId}`,
          SMARTLINKS_TOPIC: topics.smartlinks,
          TASKS_TOPIC: topics.tasks,
          CONTACTS_TOPIC: topics.contacts,
          TOPIC_PARTITIONS: '6',
          PUSH_ALLOW_INSECURE_ENDPOINTS: 'true',
          PUSH_COALESCE_MS: '0',
          PUSH_RATE_PER_MINUTE: '1000000',
          NOTIFIER_DATA_DIR: `${ctx.runDir}/notifier-data`,
        },
      });
      const pids = { notifier: notifier.pid, ...infraPids(ctx.infraDir) };
      // A few reps, one device each: pushes spread over reps as they would in real use.
      const reps = [];
      for (let i = 0; i < 8; i += 1) {
        const tenant = await ctx.tenant(`notifier-${i}`);
        const res = await fetch(`${notifier.url}${BASE}/push_subscriptions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${tenant.token}`, 'content-type': 'application/json' },
          body: JSON.stringify(push.device(`rep-${i}`)),
        });
        if (res.status !== 201)
          throw new Error(`subscribing a bench device answered ${res.status}: ${await res.text()}`);
        reps.push(tenant);
      }
      await producer.connect();
      let contactSeq = 1;
      const sentAt = new Map();
      const eventMessage = () => {
        const rep = reps[contactSeq % reps.length];
        const contactId = contactSeq++;
        const event = {
          id: randomUUID(),
          type: 'smartlink.activity_recorded',
          schema_version: 1,
          occurred_at: new Date().toISOString(),
          aggregate_id: 1_000_000 + contactId,
          aggregate_version: 2,
          company_id: rep.companyId,
          user_id: rep.userId,
          company_visible: false,
          actor: { scope: 'user', user_id: rep.userId, company_id: rep.companyId },
          correlation_id: `bench-${ctx.runId}`,
          causation_id: null,
          data: {
            contact_id: contactId,
            type: 'viewed',
            item: { type: 'product', id: 'p-1', name: 'Collagen Boost' },
            properties: {},
            occurred_at: new Date().toISOString(),
          },
        };
        return { contactId, message: { key: String(event.aggregate_id), value: JSON.stringify(event) } };
      };
      const waitForPushes = async (ids, ms) => {
        const until = performance.now() + ms;
        const wanted = new Set(ids);
        let seen = 0;
        while (performance.now() < until) {
          seen = push.received.filter((r) => wanted.has(r.payload.contact_id)).length;
          if (seen >= wanted.size) break;
          await sleep(20);
        }
        return seen;
      };

      // Warm-up: the consumer group joins and the first pushes open their connections.
      const warm = Array.from({ length: 20 }, eventMessage);
      await producer.send({ topic: topics.smartlinks, acks: -1, messages: warm.map((e) => e.message) });
      await waitForPushes(
        warm.map((e) => e.contactId),
        60_000,
      );

      // Sustained: a backlog produced at once, drained as fast as the notifier can.
      ctx.log(`notifier: ${cfg.notifierEvents} events produced at once, pushes/s until the last arrives`);
      const backlog = Array.from({ length: cfg.notifierEvents }, eventMessage);
      const drain = await withCpu(pids, async () => {
        const started = performance.now();
        for (let i = 0; i < backlog.length; i += 500)
          await producer.send({
            topic: topics.smartlinks,
            acks: -1,
            messages: backlog.slice(i, i + 500).map((e) => e.message),
          });
        const delivered = await waitForPushes(
          backlog.map((e) => e.contactId),
          Math.min(180_000, Math.max(10_000, (ctx.remainingS() - ctx.reserveS() - 40) * 1000)),
        );
        return { delivered, ms: performance.now() - started };
      });
      const pushesPerS = perSecond(drain.result.delivered, drain.result.ms);
      ctx.figure({
        figure: 'pushes/s sustained (event backlog → decrypted at the push service)',
        value: pushesPerS,
        unit: 'push/s',
        conditions: {
          events: backlog.length,
          delivered: drain.result.delivered,
          duration_ms: Math.round(drain.result.ms),
          reps: reps.length,
          jobs_per_push: 3,
          push_service_rejects: push.failures(),
        },
        raw: { figure: 'raw BullMQ add+process', value: raw.rate, unit: 'jobs/s' },
        ratio: ratio(pushesPerS, raw.rate),
        cpu: drain.cpu,
        reproduce: cmd,
      });

      // Latency at a fixed rate, well under the sustained rate: each event's produce → its push.
      ctx.log(`notifier: ${cfg.notifierRate} events/s for ${cfg.notifierRateS} s, event → push latency`);
      const paced = [];
      const fixed = await withCpu(pids, async () => {
        const started = performance.now();
        const total = cfg.notifierRate * cfg.notifierRateS;
        for (let i = 0; i < total; i += 1) {
          const due = started + (i * 1000) / cfg.notifierRate;
          const wait = due - performance.now();
          if (wait > 0) await sleep(wait);
          const e = eventMessage();
          sentAt.set(e.contactId, performance.now());
          paced.push(e.contactId);
          // Not awaited: a slow acknowledgement must not hold the next event back.
          producer.send({ topic: topics.smartlinks, acks: -1, messages: [e.message] }).catch(() => undefined);
        }
        return waitForPushes(paced, 30_000);
      });
      const latencies = push.received
        .filter((r) => sentAt.has(r.payload.contact_id))
        .map((r) => r.at - sentAt.get(r.payload.contact_id));
      ctx.figure({
        figure: `event → push latency at ${cfg.notifierRate} events/s`,
        value: percentile(latencies, 50),
        unit: 'ms (p50)',
        p50_ms: percentile(latencies, 50),
        p99_ms: percentile(latencies, 99),
        conditions: {
          rate_per_s: cfg.notifierRate,
          duration_s: cfg.notifierRateS,
          events: paced.length,
          delivered: fixed.result,
          max_ms: percentile(latencies, 100),
          measured:
            'Kafka produce call → push decrypted at the local push service (includes the Kafka acknowledgement, three BullMQ hops, MongoDB reads, encryption, HTTP)',
        },
        raw: { figure: 'raw BullMQ add+process', value: raw.rate, unit: 'jobs/s' },
        cpu: fixed.cpu,
        reproduce: cmd,
      });
      return { pushes_per_s: pushesPerS, latency_p50_ms: round(percentile(latencies, 50), 1) };
    } finally {
      await producer.disconnect().catch(() => undefined);
      if (notifier) await stop(notifier);
      await push.close();
      const mongo = new MongoClient(ctx.mongoUrl);
      await mongo
        .connect()
        .then(() => mongo.db(dbName).dropDatabase())
        .catch(() => undefined);
      await mongo.close().catch(() => undefined);
      const redis = new Redis(ctx.redisUrl, { maxRetriesPerRequest: 1 });
      try {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
          if (keys.length) await redis.del(...keys);
          cursor = next;
        } while (cursor !== '0');
      } catch {
        // Redis gone: nothing to clean.
      } finally {
        redis.disconnect();
      }
    }
  },
};
