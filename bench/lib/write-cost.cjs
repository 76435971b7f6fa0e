// What one acknowledged write costs the whole system: the CPU every process of ours and every
// server burns for it (gateway, contacts-command, -projection, -query, FerretDB, Kafka, Redis),
// measured from the start of the load until the projection has applied every event the load
// produced — the projection's catch-up tail belongs to the writes that caused it. The load
// generator (this process) is reported apart and never counted.
const { Kafka, logLevel } = require('kafkajs');
const { cpuSnapshot, cpuBetween } = require('./processes.cjs');
const { sleep } = require('./stats.cjs');

/** The processes a write can cost CPU in (stack.pids keys); one that is missing is named in the report. */
const SYSTEM = ['gateway', 'command', 'projection', 'query', 'mongo', 'kafka', 'redis'];
const POLL_MS = 200;

/**
 * The projection's position on the run's contacts topic, read with a Kafka admin client of the
 * benchmark (so polling costs the projection nothing): `end` = sum of the partitions' high
 * watermarks, `lag` = messages not yet committed by the projection's consumer group. Another
 * consumer (the floor's, bench/floor/) is followed by passing its `topic` and `groupPrefix`.
 */
function projectionProgress(
  ctx,
  // Our projection's group is PROJECTION_GROUP_ID plus its read-model generation (".g1", ...).
  { topic = ctx.topic, groupPrefix = `bench-projection-${ctx.runId}` } = {},
) {
  const kafka = new Kafka({
    clientId: 'reps-bench-write-cost',
    brokers: ctx.brokers,
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  let connected = null;
  let groupIds = [];
  return {
    async read() {
      connected ??= admin.connect();
      await connected;
      if (groupIds.length === 0)
        groupIds = (await admin.listGroups()).groups
          .map((g) => g.groupId)
          .filter((g) => g.startsWith(groupPrefix));
      const ends = await admin.fetchTopicOffsets(topic);
      const end = ends.reduce((n, p) => n + Number(p.high ?? p.offset), 0);
      // The least lag over the projection's groups: the active generation's.
      let lag = groupIds.length ? Infinity : end;
      for (const groupId of groupIds) {
        const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
        const done = new Map((committed?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
        let behind = 0;
        for (const p of ends) {
          const c = done.get(p.partition) ?? -1;
          behind += Math.max(0, Number(p.high ?? p.offset) - (c >= 0 ? c : Number(p.low ?? 0)));
        }
        lag = Math.min(lag, behind);
      }
      return { end, lag };
    },
    async close() {
      if (connected) await admin.disconnect().catch(() => undefined);
    },
  };
}

/**
 * Waits (bounded by `maxMs`) until the projection has committed everything on the topic, and
 * nothing new arrived over one poll (a request still in flight when the load stopped may publish
 * a moment later). Returns { caughtUp, lag, end, ms }.
 */
async function untilCaughtUp(progress, maxMs) {
  const t0 = performance.now();
  let previous = null;
  let now = await progress.read();
  while (performance.now() - t0 < maxMs) {
    if (now.lag === 0 && previous && previous.lag === 0 && previous.end === now.end)
      return { caughtUp: true, ...now, ms: performance.now() - t0 };
    await sleep(POLL_MS);
    previous = now;
    now = await progress.read();
  }
  return { caughtUp: now.lag === 0, ...now, ms: performance.now() - t0 };
}

/** Share of one core each process used while the system was idle for `ms` (its background). */
async function idleBackground(pids, ms = 2000) {
  const before = cpuSnapshot(pids);
  await sleep(ms);
  const { ms: used, wallMs } = cpuBetween(before, cpuSnapshot(pids));
  return Object.fromEntries(Object.entries(used).map(([name, v]) => [name, round1((v / wallMs) * 100)]));
}

const round1 = (v) => Math.round(v * 10) / 10;
const round2 = (v) => Math.round(v * 100) / 100;

/**
 * Runs `load()` (the measured window) with CPU accounting over the load and its catch-up tail:
 * waits for the projection to be caught up first (so an earlier load's tail is not counted), takes
 * CPU snapshots of `pids` at the start, at the end of the load and once the projection has applied
 * everything the load produced (bounded by `tailMaxS`). `ops(result)` = the acknowledged writes, each
 * a `per` ("create", "update").
 *
 * Returns { result, cpu, cost }: `cpu` is the share of a core each process used during the load
 * window (as withCpu reports it), `cost` the CPU ms per acknowledged write over load + tail, by
 * process, with the window, the events the load put on the topic, the idle `background` share
 * (if given) and the processes of `system` (default: all of ours and the servers) that could not
 * be counted.
 */
async function measureWriteCost({
  ctx,
  progress,
  pids,
  load,
  ops,
  per,
  tailMaxS,
  background,
  settleMaxS = 60,
  system = SYSTEM,
}) {
  const settled = await untilCaughtUp(progress, settleMaxS * 1000);
  if (!settled.caughtUp)
    ctx.log(`  (projection still ${settled.lag} behind before the load; measuring anyway)`);
  const start = cpuSnapshot(pids);
  const result = await load();
  const loadEnd = cpuSnapshot(pids);
  const tail = await untilCaughtUp(progress, tailMaxS * 1000);
  const end = cpuSnapshot(pids);

  const during = cpuBetween(start, loadEnd);
  const cpu = Object.fromEntries(
    Object.entries(during.ms).map(([name, v]) => [name, Math.round((v / during.wallMs) * 100)]),
  );
  const whole = cpuBetween(start, end);
  const n = ops(result);
  const perOp = (v) => (n > 0 ? round2(v / n) : null);
  const byProcess = {};
  let total = 0;
  for (const name of Object.keys(pids)) {
    if (whole.ms[name] === undefined) continue;
    byProcess[name] = perOp(whole.ms[name]);
    total += whole.ms[name];
  }
  const counted = Object.keys(byProcess);
  let backgroundMs = null;
  if (background)
    backgroundMs = perOp(
      counted.reduce((sum, name) => sum + ((background[name] ?? 0) / 100) * whole.wallMs, 0),
    );
  const machine = whole.ms.machine;
  const cost = {
    per,
    ops: n,
    ms_per_op: perOp(total),
    by_process: byProcess,
    not_counted: system.filter((name) => !counted.includes(name)),
    load_generator_ms_per_op: perOp(whole.ms.bench),
    rest_of_machine_ms_per_op:
      machine === undefined ? null : perOp(Math.max(0, machine - total - whole.ms.bench)),
    idle_background_ms_per_op: backgroundMs,
    window: {
      load_s: round2(during.wallMs / 1000),
      tail_s: round2((whole.wallMs - during.wallMs) / 1000),
      caught_up: tail.caughtUp,
      ...(tail.caughtUp ? {} : { lag_left: tail.lag }),
      events_on_topic: tail.end - settled.end,
    },
  };
  return { result, cpu, cost };
}

module.exports = { SYSTEM, projectionProgress, untilCaughtUp, idleBackground, measureWriteCost };
