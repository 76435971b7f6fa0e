// What a benchmark leaves behind on the servers, removed after it: its databases.
const { MongoClient } = require('mongodb');

/** Drops each database in `names`; a failure is logged with `label`, never thrown (cleanup must not fail a run). */
async function dropDatabases(mongoUrl, names, log, label) {
  const client = new MongoClient(mongoUrl, { retryWrites: false });
  try {
    await client.connect();
    for (const name of names)
      await client
        .db(name)
        .dropDatabase()
        .catch(() => undefined);
  } catch (error) {
    log(`${label}: mongo: ${error.message}`);
  } finally {
    await client.close().catch(() => undefined);
  }
}

module.exports = { dropDatabases };
