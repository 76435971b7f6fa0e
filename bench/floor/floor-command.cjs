#!/usr/bin/env node
// The floor's command service: a yardstick, not a product path. It is the shape of our
// contacts-command's create built from the same stack (express, the mongodb driver, kafkajs) with
// NONE of the product's guarantees: no auth, no rate limit, no logging, no validation, no outbox,
// no idempotency keys, no If-Match / stream reads, no metrics, no fences, no consistency tokens.
// What is left is group commit: the creates that arrive while a flush is in flight share the next
// one — one unordered insertMany of their commit documents, then one idempotent kafkajs send
// (acks -1) of their events — and each is answered 201 with the contact once its flush is done.
// bench/groups/single.cjs measures it next to our own creates, in the same run, the same way.
//   PORT MONGO_URL MONGO_DB KAFKA_BROKERS FLOOR_TOPIC [FLOOR_TOPIC_PARTITIONS=6] node bench/floor/floor-command.cjs
const { randomUUID } = require('node:crypto');
const express = require('express');
const { MongoClient } = require('mongodb');
const { Kafka, logLevel } = require('kafkajs');
const { API } = require('../lib/http.cjs');
const { env, ensureTopic, onSigterm } = require('./floor-env.cjs');

async function main() {
  const topic = env('FLOOR_TOPIC');
  const kafka = new Kafka({
    clientId: 'reps-bench-floor-command',
    brokers: env('KAFKA_BROKERS').split(','),
    logLevel: logLevel.NOTHING,
  });
  await ensureTopic(kafka, topic, Number(process.env.FLOOR_TOPIC_PARTITIONS ?? 6));
  const mongo = new MongoClient(env('MONGO_URL'));
  await mongo.connect();
  const commits = mongo.db(env('MONGO_DB')).collection('commits');
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();

  let pending = [];
  let flushing = false;
  async function flush() {
    if (flushing || pending.length === 0) return;
    flushing = true;
    const batch = pending;
    pending = [];
    try {
      await commits.insertMany(
        batch.map((w) => ({ _id: `${w.event.contact_id}:1`, events_json: JSON.stringify([w.event]) })),
        { ordered: false },
      );
      await producer.send({
        topic,
        acks: -1,
        messages: batch.map((w) => ({ key: w.event.contact_id, value: JSON.stringify(w.event) })),
      });
      for (const w of batch) w.resolve();
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
    flushing = false;
    void flush();
  }
  const write = (event) =>
    new Promise((resolve, reject) => {
      pending.push({ event, resolve, reject });
      void flush();
    });

  const app = express();
  app.use(express.json());
  app.get('/readyz', (_req, res) => res.send('ok'));
  app.post(API, async (req, res) => {
    const id = randomUUID();
    const at = new Date().toISOString();
    const event = { type: 'contact.created', id: randomUUID(), contact_id: id, at, data: req.body };
    try {
      await write(event);
      res.status(201).json({ id, ...req.body, version: 1, created_at: at, updated_at: at });
    } catch {
      res.status(503).json({ error: 'flush failed' });
    }
  });
  const server = app.listen(Number(env('PORT')), '127.0.0.1');
  onSigterm(async () => {
    await new Promise((resolve) => server.close(resolve));
    await producer.disconnect();
    await mongo.close();
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
