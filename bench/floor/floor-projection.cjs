#!/usr/bin/env node
// The floor's projection: a yardstick, not a product path. It is the shape of our
// contacts-projection built from the same stack (kafkajs, the mongodb driver) with NONE of the
// product's guarantees: no auth, no rate limit, no logging, no validation, no outbox, no
// idempotency keys, no If-Match / stream reads, no metrics, no fences, no consistency tokens (and
// no exactly-once effect: a redelivered batch fails on duplicate ids and is committed anyway).
// Each batch Kafka delivers becomes one insertMany of read-model documents and one of activity
// documents (two collections, in parallel), then its offsets are committed.
// GET /readyz answers 200 once the consumer has joined its group.
//   PORT MONGO_URL MONGO_DB KAFKA_BROKERS FLOOR_TOPIC FLOOR_GROUP_ID [FLOOR_PARTITIONS_CONCURRENTLY=3]
//   node bench/floor/floor-projection.cjs
const http = require('node:http');
const { MongoClient } = require('mongodb');
const { Kafka, logLevel } = require('kafkajs');
const { env, onSigterm } = require('./floor-env.cjs');

async function main() {
  const topic = env('FLOOR_TOPIC');
  let joined = false;
  const server = http
    .createServer((req, res) => {
      const ready = req.url === '/readyz' && joined;
      res.writeHead(ready ? 200 : 503).end(ready ? 'ok' : 'not ready');
    })
    .listen(Number(env('PORT')), '127.0.0.1');

  const mongo = new MongoClient(env('MONGO_URL'));
  await mongo.connect();
  const db = mongo.db(env('MONGO_DB'));
  const contacts = db.collection('contacts');
  const activities = db.collection('activities');
  const kafka = new Kafka({
    clientId: 'reps-bench-floor-projection',
    brokers: env('KAFKA_BROKERS').split(','),
    logLevel: logLevel.NOTHING,
  });
  const consumer = kafka.consumer({ groupId: env('FLOOR_GROUP_ID') });
  consumer.on(consumer.events.GROUP_JOIN, () => {
    joined = true;
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const unordered = { ordered: false };
  // Only a duplicate id (a redelivered batch) is expected; anything else fails the batch.
  const duplicatesOnly = (error) => {
    if (!(error.writeErrors ?? []).length || error.writeErrors.some((e) => e.code !== 11000)) throw error;
  };
  await consumer.run({
    autoCommit: false,
    partitionsConsumedConcurrently: Number(process.env.FLOOR_PARTITIONS_CONCURRENTLY ?? 3),
    eachBatch: async ({ batch }) => {
      if (batch.messages.length === 0) return;
      const events = batch.messages.map((m) => JSON.parse(m.value.toString()));
      await Promise.all([
        contacts
          .insertMany(
            events.map((e) => ({ _id: e.contact_id, ...e.data, _v: 1, created_at: new Date(e.at) })),
            unordered,
          )
          .catch(duplicatesOnly),
        activities
          .insertMany(
            events.map((e) => ({ _id: e.id, contact_id: e.contact_id, type: e.type, at: new Date(e.at) })),
            unordered,
          )
          .catch(duplicatesOnly),
      ]);
      const last = batch.messages[batch.messages.length - 1];
      await consumer.commitOffsets([
        { topic: batch.topic, partition: batch.partition, offset: (BigInt(last.offset) + 1n).toString() },
      ]);
    },
  });
  onSigterm(async () => {
    server.close();
    await consumer.disconnect();
    await mongo.close();
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
