// What the checker compares, read from the private servers once the load has stopped: the event
// store, every message on the contacts topic, the DLQ's size, the live read models and a fresh
// rebuild of them from offset 0 (npm run rebuild:contacts' entry point, with the stack's settings).
const { spawn } = require('node:child_process');
const path = require('node:path');
const { Kafka, logLevel } = require('kafkajs');
const { MongoClient } = require('mongodb');
const { ROOT } = require('../../bench/lib/processes.cjs');
const { createReadModelCatalog } = require('../../libs/contacts-read-model/dist/index.js');

const TOPIC = 'crm.contacts.v1';
const GROUPS_TOPIC = 'crm.groups.v1';
const COMMAND_DB = 'reps_contacts_command';
const READ_DB = 'reps_contacts_read';
const PROJECTION_GROUP = 'contacts-projection';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const plain = (doc) => JSON.parse(JSON.stringify(doc));

function connect(servers) {
  const kafka = new Kafka({
    clientId: 'chaos-checker',
    brokers: servers.brokers,
    logLevel: logLevel.NOTHING,
  });
  const mongo = new MongoClient(servers.mongoUrl, { retryWrites: false, serverSelectionTimeoutMS: 5000 });
  return { kafka, mongo };
}

async function activeGeneration(db) {
  const meta = await db.collection('contacts_read_meta').findOne({ _id: 'active' });
  return meta?.generation ?? 'g1';
}

const sumBy = (list, f) => list.reduce((n, x) => n + f(x), 0);

/** Messages on the topic not yet committed by the live projection's group; null if unknown. */
async function projectionLag(admin, generation) {
  try {
    const ends = await admin.fetchTopicOffsets(TOPIC);
    const [committed] = await admin.fetchOffsets({
      groupId: `${PROJECTION_GROUP}.${generation}`,
      topics: [TOPIC],
    });
    const byPartition = new Map(
      committed.partitions.map((p) => [p.partition, Math.max(0, Number(p.offset))]),
    );
    return sumBy(ends, (p) => Number(p.high) - (byPartition.get(p.partition) ?? 0));
  } catch {
    return null;
  }
}

/**
 * Waits (at most `timeoutMs`) until the outbox is empty and the live projection has consumed the
 * whole topic; returns what it saw last, so a run that never settles says why.
 */
async function settle(servers, { timeoutMs, log }) {
  const { kafka, mongo } = connect(servers);
  const admin = kafka.admin();
  const deadline = Date.now() + timeoutMs;
  let last = {};
  let polls = 0;
  try {
    await mongo.connect();
    await admin.connect();
    for (;;) {
      try {
        const outbox = await mongo.db(COMMAND_DB).collection('contact_outbox').countDocuments({});
        const generation = await activeGeneration(mongo.db(READ_DB));
        const lag = await projectionLag(admin, generation);
        last = { outbox, lag, generation };
        if (outbox === 0 && lag === 0) return { settled: true, ...last };
      } catch (error) {
        last = { error: error.message };
      }
      if (Date.now() > deadline) return { settled: false, ...last };
      await sleep(1000);
      if (++polls % 10 === 0) log?.(`settling: ${JSON.stringify(last)}`);
    }
  } finally {
    await admin.disconnect().catch(() => undefined);
    await mongo.close().catch(() => undefined);
  }
}

/** Every message of `topic` up to its current end, with a throwaway group; bounded by timeoutMs. */
async function readTopic(kafka, topic, timeoutMs) {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const target = new Map(ends.map((p) => [p.partition, Number(p.high)]));
  const total = sumBy(ends, (p) => Number(p.high) - Number(p.low));
  const messages = [];
  if (total === 0) return messages;
  const consumer = kafka.consumer({
    groupId: `chaos-checker-${Date.now()}-${Math.random().toString(36).slice(2)}`,
  });
  const reached = new Map();
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const done = new Promise((resolve) => {
    consumer.run({
      eachBatchAutoResolve: true,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          if (Number(m.offset) >= target.get(batch.partition)) continue;
          let value;
          try {
            value = JSON.parse(m.value.toString());
          } catch {
            value = {};
          }
          messages.push({
            id: value.id,
            type: value.type,
            aggregate_id: value.aggregate_id,
            aggregate_version: value.aggregate_version,
            partition: batch.partition,
            offset: Number(m.offset),
          });
          reached.set(batch.partition, Number(m.offset) + 1);
        }
        if ([...target].every(([p, high]) => (reached.get(p) ?? 0) >= high || high === 0)) resolve();
      },
    });
  });
  let timer;
  const timedOut = new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs, 'timeout')));
  const outcome = await Promise.race([done, timedOut]);
  clearTimeout(timer);
  await consumer.disconnect().catch(() => undefined);
  if (outcome === 'timeout')
    throw new Error(`read ${messages.length} of ${total} messages of ${topic} within ${timeoutMs} ms`);
  return messages;
}

async function topicExists(kafka, topic) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.listTopics()).includes(topic);
  } finally {
    await admin.disconnect();
  }
}

async function dlqSize(kafka) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = await admin.listTopics();
    if (!topics.includes(`${TOPIC}.dlq`)) return 0;
    return sumBy(await admin.fetchTopicOffsets(`${TOPIC}.dlq`), (p) => Number(p.high) - Number(p.low));
  } finally {
    await admin.disconnect();
  }
}

async function readModels(db, generation) {
  const { user, company } = createReadModelCatalog(db, '').collections(generation);
  return {
    generation,
    user: (await user.find({}).toArray()).map(plain),
    company: (await company.find({}).toArray()).map(plain),
  };
}

/** Runs the rebuild command to completion (bounded), keeping the old generation; its JSON report. */
function runRebuild(env, { timeoutMs, logFile }) {
  return new Promise((resolve, reject) => {
    const fs = require('node:fs');
    const out = fs.openSync(logFile, 'a');
    const child = spawn(
      process.execPath,
      [path.join(ROOT, 'apps/contacts-projection/dist/rebuild-main.js')],
      {
        cwd: ROOT,
        env: { ...env, REBUILD_DROP_OLD_AFTER_MS: '-1' },
        stdio: ['ignore', 'pipe', out],
      },
    );
    fs.closeSync(out);
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const line = stdout.trim().split('\n').pop();
      if (code === 0 && line) resolve(JSON.parse(line));
      else reject(new Error(`rebuild exited with ${signal ?? code} (log: ${path.relative(ROOT, logFile)})`));
    });
  });
}

/** Everything the checker needs; `rebuildEnv` is the projection's environment. */
async function collect(servers, { rebuildEnv, logFile, timeoutMs = 180_000 }) {
  const { kafka, mongo } = connect(servers);
  await mongo.connect();
  try {
    const commits = await mongo.db(COMMAND_DB).collection('contact_commits').find({}).toArray();
    const store = commits
      .flatMap((c) => c.events)
      .map((e) => ({
        id: e.id,
        type: e.type,
        aggregate_id: e.aggregate_id,
        aggregate_version: e.aggregate_version,
        data: e.data,
      }));
    const topic = await readTopic(kafka, TOPIC, timeoutMs);
    const groupCommits = await mongo.db(COMMAND_DB).collection('group_commits').find({}).toArray();
    const groupStore = groupCommits
      .flatMap((c) => c.events)
      .map((e) => ({
        id: e.id,
        type: e.type,
        aggregate_id: e.aggregate_id,
        aggregate_version: e.aggregate_version,
        data: { name: e.data?.name },
      }));
    const groupKafka = (await topicExists(kafka, GROUPS_TOPIC))
      ? await readTopic(kafka, GROUPS_TOPIC, timeoutMs)
      : [];
    const dlq = await dlqSize(kafka);
    const readDb = mongo.db(READ_DB);
    const live = await readModels(readDb, await activeGeneration(readDb));
    let rebuilt = null;
    let rebuildReport = null;
    let rebuildError = null;
    try {
      rebuildReport = await runRebuild(rebuildEnv, { timeoutMs, logFile });
      rebuilt = await readModels(readDb, rebuildReport.to);
    } catch (error) {
      rebuildError = error.message;
    }
    return {
      store,
      kafka: topic,
      groupStore,
      groupKafka,
      dlq,
      readModels: live,
      rebuilt,
      rebuildReport,
      rebuildError,
    };
  } finally {
    await mongo.close().catch(() => undefined);
  }
}

module.exports = { collect, settle, runRebuild, projectionLag, activeGeneration, TOPIC, READ_DB, COMMAND_DB };
