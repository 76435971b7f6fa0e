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
/** The other aggregates the load writes: their event store collection and topic. */
const AGGREGATES = {
  note: { commits: 'note_commits', topic: 'crm.notes.v1' },
  task: { commits: 'task_commits', topic: 'crm.tasks.v1' },
  smartlink: { commits: 'smartlink_commits', topic: 'crm.smartlinks.v1' },
};

/**
 * The marker an event carries (the load writes a unique one into each): a note's or task's body,
 * a SmartLink's shareable_name (copied into its opens), an activity's item name.
 */
function markerOf(event) {
  const data = event.data ?? {};
  switch (event.type) {
    case 'note.created':
    case 'task.created':
      return data.body;
    case 'smartlink.created':
    case 'smartlink.opened':
      return data.shareable_name ?? undefined;
    case 'smartlink.activity_recorded':
      return data.item?.name ?? undefined;
    default:
      return undefined;
  }
}

/** What the checker keeps of an event (store or topic). */
const eventFacts = (e) => ({
  id: e.id,
  type: e.type,
  aggregate_id: e.aggregate_id,
  aggregate_version: e.aggregate_version,
  company_id: e.company_id,
  user_id: e.user_id,
  marker: markerOf(e),
});
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

/** Every topic the projection reads (the ones that exist yet). */
const projectedTopics = async (admin) => {
  const existing = new Set(await admin.listTopics());
  return [TOPIC, GROUPS_TOPIC, ...Object.values(AGGREGATES).map((a) => a.topic)].filter((t) =>
    existing.has(t),
  );
};

/** Messages on the projected topics not yet committed by the live projection's group; null if unknown. */
async function projectionLag(admin, generation) {
  try {
    const topics = await projectedTopics(admin);
    const committed = await admin.fetchOffsets({ groupId: `${PROJECTION_GROUP}.${generation}`, topics });
    let lag = 0;
    for (const topic of topics) {
      const ends = await admin.fetchTopicOffsets(topic);
      const mine = committed.find((c) => c.topic === topic)?.partitions ?? [];
      const byPartition = new Map(mine.map((p) => [p.partition, Math.max(0, Number(p.offset))]));
      lag += sumBy(ends, (p) => Number(p.high) - (byPartition.get(p.partition) ?? 0));
    }
    return lag;
  } catch {
    return null;
  }
}

/** Outbox entries not yet published, over every aggregate's outbox. */
async function outboxSize(db) {
  let n = 0;
  for (const name of ['contact', 'group', ...Object.keys(AGGREGATES)])
    n += await db.collection(`${name}_outbox`).countDocuments({});
  return n;
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
        const outbox = await outboxSize(mongo.db(COMMAND_DB));
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

/**
 * Every message of each of `topics` (those that exist) up to its current end, with one throwaway
 * consumer group (one group join, not one per topic); bounded by timeoutMs. { topic: messages }.
 */
async function readTopics(kafka, topics, timeoutMs) {
  const admin = kafka.admin();
  await admin.connect();
  const existing = new Set(await admin.listTopics());
  const wanted = topics.filter((t) => existing.has(t));
  const target = new Map();
  let total = 0;
  for (const topic of wanted) {
    const ends = await admin.fetchTopicOffsets(topic);
    for (const p of ends) target.set(`${topic}/${p.partition}`, Number(p.high));
    total += sumBy(ends, (p) => Number(p.high) - Number(p.low));
  }
  await admin.disconnect();
  const out = Object.fromEntries(topics.map((t) => [t, []]));
  if (total === 0) return out;
  const consumer = kafka.consumer({
    groupId: `chaos-checker-${Date.now()}-${Math.random().toString(36).slice(2)}`,
  });
  const reached = new Map();
  const done = () => [...target].every(([tp, high]) => high === 0 || (reached.get(tp) ?? 0) >= high);
  await consumer.connect();
  for (const topic of wanted) await consumer.subscribe({ topic, fromBeginning: true });
  const finished = new Promise((resolve) => {
    consumer.run({
      eachBatchAutoResolve: true,
      eachBatch: async ({ batch }) => {
        const tp = `${batch.topic}/${batch.partition}`;
        for (const m of batch.messages) {
          if (Number(m.offset) >= target.get(tp)) continue;
          let value;
          try {
            value = JSON.parse(m.value.toString());
          } catch {
            value = {};
          }
          out[batch.topic].push({
            ...eventFacts(value),
            partition: batch.partition,
            offset: Number(m.offset),
          });
          reached.set(tp, Number(m.offset) + 1);
        }
        if (done()) resolve();
      },
    });
  });
  let timer;
  const timedOut = new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs, 'timeout')));
  const outcome = await Promise.race([finished, timedOut]);
  clearTimeout(timer);
  await consumer.disconnect().catch(() => undefined);
  if (outcome === 'timeout') {
    const read = sumBy(Object.values(out), (list) => list.length);
    throw new Error(`read ${read} of ${total} messages of ${wanted.join(', ')} within ${timeoutMs} ms`);
  }
  return out;
}

async function dlqSize(kafka) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = new Set(await admin.listTopics());
    let n = 0;
    for (const topic of [TOPIC, GROUPS_TOPIC, ...Object.values(AGGREGATES).map((a) => a.topic)])
      if (topics.has(`${topic}.dlq`))
        n += sumBy(await admin.fetchTopicOffsets(`${topic}.dlq`), (p) => Number(p.high) - Number(p.low));
    return n;
  } finally {
    await admin.disconnect();
  }
}

async function readModels(db, generation) {
  const { user, company, groups, notesTasks } = createReadModelCatalog(db, '').collections(generation);
  return {
    generation,
    user: (await user.find({}).toArray()).map(plain),
    company: (await company.find({}).toArray()).map(plain),
    groups: (await groups.groups.find({}).toArray()).map(plain),
    notes: (await notesTasks.notes.find({}).toArray()).map(plain),
    tasks: (await notesTasks.tasks.find({}).toArray()).map(plain),
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

/**
 * The events of one commit document: JSON text in `events_json` (since issue 14), or the `events`
 * array of older commits (mirrors `storedEvents` in apps/contacts-command's event store).
 */
const storedEvents = (commit) => (typeof commit.events_json === 'string' ? JSON.parse(commit.events_json) : (commit.events ?? []));

/** Everything the checker needs; `rebuildEnv` is the projection's environment. */
async function collect(servers, { rebuildEnv, logFile, timeoutMs = 180_000 }) {
  const { kafka, mongo } = connect(servers);
  await mongo.connect();
  try {
    const commits = await mongo.db(COMMAND_DB).collection('contact_commits').find({}).toArray();
    const store = commits
      .flatMap(storedEvents)
      .map((e) => ({
        id: e.id,
        type: e.type,
        aggregate_id: e.aggregate_id,
        aggregate_version: e.aggregate_version,
        data: e.data,
      }));
    const topics = await readTopics(
      kafka,
      [TOPIC, GROUPS_TOPIC, ...Object.values(AGGREGATES).map((a) => a.topic)],
      timeoutMs,
    );
    const topic = topics[TOPIC];
    const groupCommits = await mongo.db(COMMAND_DB).collection('group_commits').find({}).toArray();
    const groupStore = groupCommits
      .flatMap(storedEvents)
      .map((e) => ({
        id: e.id,
        type: e.type,
        aggregate_id: e.aggregate_id,
        aggregate_version: e.aggregate_version,
        data: { name: e.data?.name },
      }));
    const groupKafka = topics[GROUPS_TOPIC];
    const aggregates = {};
    for (const [name, where] of Object.entries(AGGREGATES)) {
      const commits = await mongo.db(COMMAND_DB).collection(where.commits).find({}).toArray();
      aggregates[name] = {
        store: commits.flatMap(storedEvents).map(eventFacts),
        kafka: topics[where.topic],
      };
    }
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
      aggregates,
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

module.exports = {
  collect,
  settle,
  markerOf,
  runRebuild,
  projectionLag,
  activeGeneration,
  TOPIC,
  READ_DB,
  COMMAND_DB,
};
