// What the floor's three processes share (bench/floor/): required settings from the environment,
// the topic created like our contacts-command creates its own, and a bounded graceful stop.
const { setTimeout: sleep } = require('node:timers/promises');

/** A required environment variable (the floor processes have no defaults for where they connect). */
function env(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

/**
 * Creates `topic` with `partitions` unless it exists, and waits (bounded) until every partition has
 * a leader: a fresh KRaft broker answers "unknown topic" for a moment after creating one.
 */
async function ensureTopic(kafka, topic, partitions, timeoutMs = 30_000) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic))
      await admin
        .createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true })
        .catch(() => undefined); // created meanwhile, or not visible yet: the wait below decides
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const led = await admin
        .fetchTopicMetadata({ topics: [topic] })
        .then(
          ({ topics }) => topics[0].partitions.length > 0 && topics[0].partitions.every((p) => p.leader >= 0),
        )
        .catch(() => false);
      if (led) return;
      if (Date.now() > deadline) throw new Error(`topic ${topic} has no leaders after ${timeoutMs} ms`);
      await sleep(200);
    }
  } finally {
    await admin.disconnect();
  }
}

/** On SIGTERM: `close()`, then exit (forced after 5 s). */
function onSigterm(close) {
  process.once('SIGTERM', () => {
    setTimeout(() => process.exit(0), 5000).unref();
    close()
      .catch(() => undefined)
      .finally(() => process.exit(0));
  });
}

module.exports = { env, ensureTopic, onSigterm };
