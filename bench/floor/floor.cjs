// Starts and stops the floor pipeline for a benchmark group (bench/groups/single.cjs): the floor
// gateway, command and projection of this directory, on the run's Kafka and database server, with
// a topic of the run (`<topic>.floor`, as many partitions as the run's contacts topic, deleted with
// it by the runner's clean-up), databases and a consumer group of their own (dropped / deleted by
// close()). The floor is a yardstick — our create's pipeline with none of its guarantees — so the
// gateway's rate can be read against what the same stack does on the same machine in the same run.
const { Kafka, logLevel } = require('kafkajs');
const { startNode, stop } = require('../lib/processes.cjs');
const { dropDatabases } = require('../lib/cleanup.cjs');
const { projectionProgress, idleBackground } = require('../lib/write-cost.cjs');

/** The processes a floor create can cost CPU in (measureWriteCost's `system` for the floor). */
const FLOOR_SYSTEM = ['gateway', 'command', 'projection', 'mongo', 'kafka'];

/** Ports named `floorGateway`, `floorCommand`, `floorProjection` in `ctx.ports` (the group declares them). */
const FLOOR_PORTS = ['floorGateway', 'floorCommand', 'floorProjection'];

/** Partitions of the run's contacts topic (contacts-command created it at start). */
async function partitionsOf(ctx, topic) {
  const admin = new Kafka({
    clientId: 'reps-bench-floor-admin',
    brokers: ctx.brokers,
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    return topics[0].partitions.length;
  } finally {
    await admin.disconnect();
  }
}

/**
 * Starts the floor: command (creates the topic), projection (ready once its consumer joined), then
 * gateway. Returns { gateway, command, projection, pids, progress, background, system, close }:
 * `pids` keyed like the stack's (gateway, command, projection, plus the run's mongo and kafka) for
 * measureWriteCost, `progress` the floor consumer's position, `background` its idle CPU.
 */
async function startFloor(ctx) {
  const topic = `${ctx.topic}.floor`;
  const groupId = `bench-floor-${ctx.runId}`;
  const db = { command: `${ctx.db.command}_floor`, read: `${ctx.db.read}_floor` };
  const common = { KAFKA_BROKERS: ctx.brokers.join(','), MONGO_URL: ctx.mongoUrl, FLOOR_TOPIC: topic };
  const handles = [];
  const floor = { topic, groupId, db, system: FLOOR_SYSTEM };
  floor.close = async () => {
    await floor.progress?.close();
    for (const h of handles.reverse()) await stop(h);
    await forget(ctx, groupId, db);
  };
  try {
    const partitions = await partitionsOf(ctx, ctx.topic);
    floor.command = await startNode({
      name: 'floor command',
      script: 'bench/floor/floor-command.cjs',
      port: ctx.ports.floorCommand,
      env: { ...common, MONGO_DB: db.command, FLOOR_TOPIC_PARTITIONS: String(partitions) },
      logFile: ctx.logFile('floor-command'),
    });
    handles.push(floor.command);
    floor.projection = await startNode({
      name: 'floor projection',
      script: 'bench/floor/floor-projection.cjs',
      port: ctx.ports.floorProjection,
      env: { ...common, MONGO_DB: db.read, FLOOR_GROUP_ID: groupId },
      logFile: ctx.logFile('floor-projection'),
      timeoutMs: 60_000,
    });
    handles.push(floor.projection);
    floor.gateway = await startNode({
      name: 'floor gateway',
      script: 'bench/floor/floor-gateway.cjs',
      port: ctx.ports.floorGateway,
      env: { FLOOR_COMMAND_URL: floor.command.url },
      logFile: ctx.logFile('floor-gateway'),
    });
    handles.push(floor.gateway);
    const { mongo, kafka } = ctx.stack.pids;
    floor.pids = {
      gateway: floor.gateway.pid,
      command: floor.command.pid,
      projection: floor.projection.pid,
      ...(mongo ? { mongo } : {}),
      ...(kafka ? { kafka } : {}),
    };
    floor.progress = projectionProgress(ctx, { topic, groupPrefix: groupId });
    floor.background = await idleBackground(floor.pids);
    return floor;
  } catch (error) {
    await floor.close();
    throw error;
  }
}

/** Deletes the floor's consumer group and drops its databases (its topic goes with the run's). */
async function forget(ctx, groupId, db) {
  const admin = new Kafka({
    clientId: 'reps-bench-floor-cleanup',
    brokers: ctx.brokers,
    logLevel: logLevel.NOTHING,
  }).admin();
  try {
    await admin.connect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
  } catch (error) {
    ctx.log(`floor clean-up: kafka: ${error.message}`);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  await dropDatabases(ctx.mongoUrl, Object.values(db), ctx.log, 'floor clean-up');
}

module.exports = { startFloor, FLOOR_PORTS, FLOOR_SYSTEM };
