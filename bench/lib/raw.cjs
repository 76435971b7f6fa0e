// The raw limits of the same servers, measured with the plain drivers in the same run: what
// Kafka and the Mongo-compatible server can do for this machine when nothing of ours is in the
// way. Every loop is bounded in count and in time.
const { Kafka, Partitioners, logLevel } = require('kafkajs');
const { MongoClient } = require('mongodb');
const { boundedLoop, perSecond, summarize, sleep } = require('./stats.cjs');
const { rawContactDoc } = require('./seed.cjs');

function kafkaClient(brokers) {
  return new Kafka({ clientId: 'reps-bench-raw', brokers, logLevel: logLevel.NOTHING });
}

/** The producer settings contacts-command uses (libs/kafka): idempotent, acks=all, one in flight. */
async function sameProducer(kafka) {
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  return producer;
}

const VALUE = JSON.stringify(rawContactDoc(0)); // ~1 KB, the size of a contact.created event

/** kafkajs produce rate: awaited one by one, and 1000-message batches. */
async function kafkaProduce({ brokers, topic, count, batches, ms }) {
  const kafka = kafkaClient(brokers);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [{ topic, numPartitions: 6, replicationFactor: 1 }],
    waitForLeaders: true,
  });
  const producer = await sameProducer(kafka);
  try {
    await producer.send({ topic, acks: -1, messages: [{ key: 'warm-up', value: VALUE }] });
    const one = await boundedLoop(count, ms, (i) =>
      producer.send({ topic, acks: -1, messages: [{ key: String(i), value: VALUE }] }),
    );
    const batch = Array.from({ length: 1000 }, (_, i) => ({ key: String(i), value: VALUE }));
    const many = await boundedLoop(batches, ms, () => producer.send({ topic, acks: -1, messages: batch }));
    return {
      one_by_one: { rate: perSecond(one.done, one.ms), messages: one.done, seconds: one.ms / 1000 },
      batched: {
        rate: perSecond(many.done * 1000, many.ms),
        messages: many.done * 1000,
        seconds: many.ms / 1000,
      },
      value_bytes: Buffer.byteLength(VALUE),
    };
  } finally {
    await producer.disconnect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
}

/**
 * Kafka end-to-end latency: produce at `rate`/s for `seconds` (same producer settings), a
 * kafkajs consumer in a fresh group receives; latency = receipt − send start. The raw floor
 * under the write-to-read lag (which adds our command, the projection's write, and the poll).
 */
async function kafkaEndToEnd({ brokers, topic, rate, seconds }) {
  const kafka = kafkaClient(brokers);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [{ topic, numPartitions: 6, replicationFactor: 1 }],
    waitForLeaders: true,
  });
  const consumer = kafka.consumer({
    groupId: `${topic}.g`,
    sessionTimeout: 30_000,
    heartbeatInterval: 3000,
    maxWaitTimeInMs: 100,
  });
  const producer = await sameProducer(kafka);
  const sent = new Map();
  const latencies = [];
  let joined = false;
  try {
    await consumer.connect();
    consumer.on(consumer.events.GROUP_JOIN, () => {
      joined = true;
    });
    await consumer.subscribe({ topic, fromBeginning: false });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const started = sent.get(message.key.toString());
        if (started !== undefined) latencies.push(performance.now() - started);
      },
    });
    for (let i = 0; i < 300 && !joined; i++) await sleep(100); // group join, bounded to 30 s
    if (!joined) throw new Error('raw consumer did not join its group within 30 s');
    await sleep(500);
    const total = Math.round(rate * seconds);
    const t0 = performance.now();
    const sends = [];
    for (let i = 0; i < total; i++) {
      const due = t0 + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      sent.set(String(i), performance.now());
      sends.push(producer.send({ topic, acks: -1, messages: [{ key: String(i), value: VALUE }] }));
    }
    await Promise.all(sends);
    for (let i = 0; i < 100 && latencies.length < total; i++) await sleep(100);
    return { rate, seconds, ...summarize(latencies), lost: total - latencies.length };
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.deleteGroups([`${topic}.g`]).catch(() => undefined);
    await admin.disconnect();
  }
}

/** How fast a fresh consumer group reads `expected` messages of `topic` from offset 0. */
async function kafkaConsumeFromStart({ brokers, topic, expected, ms }) {
  const kafka = kafkaClient(brokers);
  const groupId = `reps-bench-raw-consume-${Date.now().toString(36)}`;
  const consumer = kafka.consumer({
    groupId,
    sessionTimeout: 30_000,
    heartbeatInterval: 3000,
    maxWaitTimeInMs: 100,
  });
  let received = 0;
  let first = null;
  let last = null;
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        first ??= performance.now();
        received += batch.messages.length;
        for (const m of batch.messages) JSON.parse(m.value.toString()); // what any consumer must do
        last = performance.now();
      },
    });
    const started = performance.now();
    while (received < expected && performance.now() - started < ms) await sleep(50);
    return {
      rate: first !== null && last > first ? perSecond(received, last - first) : null,
      messages: received,
    };
  } finally {
    await consumer.disconnect().catch(() => undefined);
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}

/**
 * The Mongo-compatible server's raw write rates with contact-sized documents: insertOne awaited
 * one by one, insertMany of 1000, and bulkWrite of 1000 upserts by _id (what a projection does).
 */
async function mongoWrites({ url, db, count, batches, ms, concurrency = 8 }) {
  const client = new MongoClient(url, { retryWrites: false });
  await client.connect();
  const database = client.db(db);
  try {
    const col = database.collection('raw_docs');
    const one = await boundedLoop(count, ms, (i) => col.insertOne({ _id: `one-${i}`, ...rawContactDoc(i) }));
    // The same, from `concurrency` loops at once: does the server scale with concurrent writers?
    let next = 0;
    const t0 = performance.now();
    const loops = await Promise.all(
      Array.from({ length: concurrency }, () =>
        boundedLoop(Math.ceil(count / concurrency), ms, () =>
          col.insertOne({ _id: `par-${next}`, ...rawContactDoc(next++) }),
        ),
      ),
    );
    const parallel = { done: loops.reduce((n, l) => n + l.done, 0), ms: performance.now() - t0 };
    const many = await boundedLoop(batches, ms, (b) =>
      col.insertMany(
        Array.from({ length: 1000 }, (_, i) => ({ _id: `many-${b}-${i}`, ...rawContactDoc(b * 1000 + i) })),
        { ordered: false },
      ),
    );
    const upsertCol = database.collection('raw_upserts');
    const upsert = await boundedLoop(batches, ms, (b) =>
      upsertCol.bulkWrite(
        Array.from({ length: 1000 }, (_, i) => {
          const doc = rawContactDoc(b * 1000 + i, { _v: 1 });
          return { updateOne: { filter: { _id: `up-${b}-${i}` }, update: { $set: doc }, upsert: true } };
        }),
        { ordered: false },
      ),
    );
    return {
      insert_one: { rate: perSecond(one.done, one.ms), docs: one.done },
      insert_one_concurrent: {
        rate: perSecond(parallel.done, parallel.ms),
        docs: parallel.done,
        concurrency,
      },
      insert_many: { rate: perSecond(many.done * 1000, many.ms), docs: many.done * 1000 },
      bulk_upsert: { rate: perSecond(upsert.done * 1000, upsert.ms), docs: upsert.done * 1000 },
      doc_bytes: Buffer.byteLength(JSON.stringify(rawContactDoc(0))),
    };
  } finally {
    await database.dropDatabase().catch(() => undefined);
    await client.close();
  }
}

/** Which Mongo-compatible server answers, from buildInfo (FerretDB adds `ferretdbVersion`). */
async function describeMongo(url) {
  const client = new MongoClient(url, { retryWrites: false, serverSelectionTimeoutMS: 5000 });
  await client.connect();
  try {
    const info = await client.db('admin').command({ buildInfo: 1 });
    if (info.ferretdbVersion !== undefined) {
      return {
        kind: 'ferretdb',
        version: info.ferretdbVersion,
        wire_version: info.version,
        backend: 'SQLite (tools/ferretdb)',
      };
    }
    return { kind: 'mongod', version: info.version };
  } finally {
    await client.close();
  }
}

module.exports = { kafkaProduce, kafkaEndToEnd, kafkaConsumeFromStart, mongoWrites, describeMongo };
