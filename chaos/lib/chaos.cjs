// One chaos run: private servers, the whole stack, the load, the faults one at a time, then —
// load stopped, system settled — the evidence collected and checked. Used by chaos/run.cjs
// (`npm run chaos`) and by the smoke spec in `npm test`. Everything is bounded: the run has a
// budget (faults that no longer fit are reported as skipped), every wait has a deadline.
const path = require('node:path');
const fs = require('node:fs');
const { randomUUID } = require('node:crypto');
const { mintToken } = require('../../libs/auth/dist/index.js');
const { startPrivateServers } = require('./servers.cjs');
const { startStack } = require('./stack.cjs');
const { createLoad, SHOP_HOST } = require('./load.cjs');
const { ROOT } = require('../../bench/lib/processes.cjs');
const { selectFaults } = require('./faults.cjs');
const { collect, settle } = require('./collect.cjs');
const { check } = require('./checker.cjs');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Defaults of a full run; the smoke spec and CHAOS_* variables override some. */
const DEFAULTS = {
  rate: 40,
  maxInFlight: 48,
  bulkEvery: 200,
  bulkSize: 50,
  readEveryMs: 200,
  holdMs: 5000,
  stallHoldMs: 12_000,
  warmupMs: 10_000,
  steadyMs: 3000,
  gatewayTimeoutMs: 10_000,
  bulkTimeoutMs: 20_000,
  maxOpMs: 60_000,
  recoverTimeoutMs: 90_000,
  rebuildTimeoutMs: 90_000,
  settleTimeoutMs: 180_000,
  budgetS: 660,
  /** How many SmartLinks the load creates at most (each is opened once, then gets beacons). */
  smartlinksMax: 40,
  /** After settling: how long pushes must stop arriving before they are counted (bounded by pushSettleMaxMs). */
  pushQuietMs: 6000,
  pushSettleMaxMs: 45_000,
  /** Seconds kept for stopping the load, settling, collecting and the final rebuild. */
  reserveS: 110,
  faults: '',
};

/** Reps of two companies and one company API client (its contacts are owned by the first rep). */
async function principals(secret) {
  const defs = [
    { name: 'rep-11@1001', scope: 'user', userId: 11, companyId: 1001 },
    { name: 'rep-12@1001', scope: 'user', userId: 12, companyId: 1001 },
    { name: 'rep-21@1002', scope: 'user', userId: 21, companyId: 1002 },
    { name: 'company-1001', scope: 'company', companyId: 1001, ownerUserId: 11 },
  ];
  const list = [];
  for (const d of defs)
    list.push({
      ...d,
      token: await mintToken(
        secret,
        d.scope === 'user'
          ? { scope: 'user', userId: d.userId, companyId: d.companyId }
          : { scope: 'company', companyId: d.companyId },
        { expiresIn: '3h' },
      ),
    });
  for (const p of list)
    p.userToken = p.scope === 'user' ? p : list.find((q) => q.scope === 'user' && q.userId === p.ownerUserId);
  return list;
}

/** Routes the load exercises only once they exist (built by other issues meanwhile): a rep's GET. */
async function optionalRoutes(gatewayUrl, rep) {
  const out = {};
  for (const [name, p] of [
    ['groups', '/api/user/crm/v202506/groups'],
    ['notes', '/api/user/crm/v202506/notes'],
    ['tasks', '/api/user/crm/v202506/tasks'],
    ['smartlinks', '/api/user/crm/v202506/smartlinks'],
    ['pushSubscriptions', '/api/user/crm/v202506/push_subscriptions'],
  ]) {
    try {
      const res = await fetch(`${gatewayUrl}${p}`, {
        headers: { authorization: `Bearer ${rep.token}` },
        signal: AbortSignal.timeout(10_000),
      });
      await res.arrayBuffer();
      out[name] = res.status === 200;
    } catch {
      out[name] = false;
    }
  }
  return out;
}

/**
 * The local Web Push service (the notifier's spec helper, built into its dist): one device per
 * rep, registered through the gateway. Null when the notifier or its push routes are not there.
 */
async function startPushDevices(gatewayUrl, people, routes, log) {
  const helper = path.join(ROOT, 'apps/notifier/dist/testing/push-service.spec-helper.js');
  if (!routes.pushSubscriptions || !routes.smartlinks || !fs.existsSync(helper)) return null;
  const { startTestPushService } = require(helper);
  const service = await startTestPushService();
  const devices = {};
  try {
    for (const rep of people.filter((p) => p.scope === 'user')) {
      const device = service.device(rep.name);
      let status = 0;
      for (let tries = 0; tries < 10 && status !== 201; tries++) {
        try {
          const res = await fetch(`${gatewayUrl}/api/user/crm/v202506/push_subscriptions`, {
            method: 'POST',
            headers: { authorization: `Bearer ${rep.token}`, 'content-type': 'application/json' },
            body: JSON.stringify(device.subscription),
            signal: AbortSignal.timeout(10_000),
          });
          status = res.status;
          if (status !== 201) log(`push subscription for ${rep.name}: ${status} ${await res.text()}`);
        } catch (error) {
          log(`push subscription for ${rep.name}: ${error.message}`);
        }
        if (status !== 201) await sleep(1000);
      }
      if (status !== 201) throw new Error(`could not register a push subscription for ${rep.name}`);
      devices[`${rep.companyId}:${rep.userId}`] = rep.name;
    }
  } catch (error) {
    await service.close();
    throw error;
  }
  return { service, devices };
}

/** Waits until no push has arrived for `quietMs` (bounded by `maxMs`): the notifier has caught up. */
async function pushesSettled(service, { quietMs, maxMs }) {
  const until = Date.now() + maxMs;
  let count = service.received.length;
  let changedAt = Date.now();
  while (Date.now() < until && Date.now() - changedAt < quietMs) {
    await sleep(500);
    if (service.received.length !== count) {
      count = service.received.length;
      changedAt = Date.now();
    }
  }
  return Date.now() - changedAt >= quietMs;
}

/**
 * `options`: DEFAULTS overrides plus runDir (logs and the private servers' data), log(message),
 * cacheDir (the shared jars and binary). Returns { ok, verdicts, rows, totals, conditions, ... }.
 */
async function runChaos(options) {
  const cfg = { ...DEFAULTS, ...options };
  const log = cfg.log ?? (() => {});
  const t0 = performance.now();
  const clock = () => performance.now() - t0;
  const deadline = t0 + cfg.budgetS * 1000;
  const remainingS = () => (deadline - performance.now()) / 1000;
  fs.mkdirSync(cfg.runDir, { recursive: true });
  const secret = `chaos-${randomUUID()}`;
  const result = {
    startedAt: new Date().toISOString(),
    config: { ...cfg, log: undefined },
    faults: [],
    skipped: [],
    incidents: [],
  };
  let servers;
  let stack;
  let load;
  let push = null;
  try {
    servers = await startPrivateServers({
      dir: path.join(cfg.runDir, 'infra'),
      cacheDir: cfg.cacheDir,
      log,
      removeDir: true,
    });
    result.servers = { ports: servers.ports };
    // For the runner's signal handlers: synchronous, so it works from a process that is exiting.
    cfg.registerCleanup?.(() => {
      for (const handle of Object.values(stack?.handles ?? {})) {
        try {
          handle.child.kill('SIGKILL');
        } catch {
          // gone
        }
      }
      servers.stopAllSync();
    });
    stack = await startStack({
      servers,
      secret,
      logDir: cfg.runDir,
      shopHost: SHOP_HOST,
      gatewayTimeoutMs: cfg.gatewayTimeoutMs,
      bulkTimeoutMs: cfg.bulkTimeoutMs,
      readyTimeoutMs: 120_000,
    });
    await stack.startAll();
    log(`stack up at +${Math.round(clock() / 1000)} s: ${stack.apps.join(', ')}`);
    result.apps = stack.apps;
    const people = await principals(secret);
    result.optionalRoutes = await optionalRoutes(stack.url('gateway'), people[0]);
    push = await startPushDevices(stack.url('gateway'), people, result.optionalRoutes, log);
    const faults = selectFaults(stack.apps, cfg.faults);
    const ctx = { stack, servers, cfg, log, runDir: cfg.runDir, clock };

    load = createLoad({
      gatewayUrl: stack.url('gateway'),
      principals: people,
      groups: result.optionalRoutes.groups,
      notesTasks: result.optionalRoutes.notes && result.optionalRoutes.tasks,
      smartlinks: push !== null,
      smartlinksMax: cfg.smartlinksMax,
      rate: cfg.rate,
      maxInFlight: cfg.maxInFlight,
      timeoutMs: cfg.gatewayTimeoutMs + 5000,
      bulkTimeoutMs: cfg.bulkTimeoutMs + 5000,
      maxOpMs: cfg.maxOpMs,
      bulkEvery: cfg.bulkEvery,
      bulkSize: cfg.bulkSize,
      readEveryMs: cfg.readEveryMs,
      clock,
      log,
    });
    load.start();
    result.faults.push({ id: 'baseline', name: 'none (baseline load)', start: clock() });
    await sleep(cfg.warmupMs);

    /**
     * Until every app is ready and a write is readable with its consistency token; bounded. Notes
     * on the fault record when the apps were all ready again and what was still missing last.
     */
    const waitRecovered = async (record, timeoutMs) => {
      const until = clock() + timeoutMs;
      while (clock() < until) {
        const readiness = await stack.readiness();
        const notReady = Object.entries(readiness)
          .filter(([, s]) => s !== 200)
          .map(([name]) => name);
        if (notReady.length === 0) {
          record.readyAt ??= clock();
          if (await load.probe()) return clock();
          record.waitingFor = 'a new write readable with its consistency token';
        } else record.waitingFor = `/readyz of ${notReady.join(', ')}`;
        await sleep(250);
      }
      return null;
    };

    for (const fault of faults) {
      if (remainingS() < fault.estimateS + cfg.reserveS) {
        result.skipped.push({
          id: fault.id,
          name: fault.name,
          reason: `does not fit the budget (${Math.round(remainingS())} s left)`,
        });
        log(`skipping ${fault.id}: budget`);
        continue;
      }
      const record = { id: fault.id, name: fault.name, start: clock() };
      result.faults.push(record);
      log(`fault ${fault.id} at +${Math.round(record.start / 1000)} s`);
      try {
        await fault.inject(ctx, record);
        await sleep(fault.hold ? fault.hold(cfg) : cfg.holdMs);
        record.healStart = clock();
        await fault.heal(ctx, record);
      } catch (error) {
        record.error = error.message;
        result.incidents.push(`${fault.id}: ${error.message}`);
        log(`  ${fault.id} failed: ${error.message}`);
        record.healStart ??= clock();
        // Put back whatever the fault took away, so the next faults and the checks still run.
        for (const name of stack.exitedUnexpectedly()) await stack.start(name).catch(() => undefined);
        await servers.start().catch(() => undefined);
      }
      const recoveredAt = await waitRecovered(
        record,
        Math.max(20_000, Math.min(cfg.recoverTimeoutMs, (remainingS() - cfg.reserveS) * 1000)),
      );
      if (recoveredAt === null)
        result.incidents.push(`${fault.id}: not recovered (still waiting for ${record.waitingFor})`);
      else record.recoveredAt = recoveredAt;
      const secs = (t) => `${Math.round((t - record.healStart) / 100) / 10} s`;
      log(
        `  healed; ${record.readyAt === undefined ? 'apps never all ready' : `every /readyz 200 after ${secs(record.readyAt)}`}; ${recoveredAt === null ? `NOT recovered (waiting for ${record.waitingFor})` : `a new write readable after ${secs(recoveredAt)}`}`,
      );
      const crashed = stack.exitedUnexpectedly();
      if (crashed.length) {
        result.incidents.push(`${fault.id}: ${crashed.join(', ')} exited on their own; restarted`);
        for (const name of crashed) await stack.start(name);
      }
      await sleep(cfg.steadyMs);
    }

    result.faults.push({ id: 'end', name: 'load stopping', start: clock() });
    const history = await load.stop();
    result.loadStoppedAt = clock();
    log(
      `load stopped at +${Math.round(clock() / 1000)} s: ${history.ops.length} operations, ${history.reads.length} reads, ${history.skippedTicks} ticks skipped (client saturated)`,
    );
    result.faults.at(-1).end = clock();
    result.skippedTicks = history.skippedTicks;

    // Settling waits at most what the budget leaves after the checks (~60 s), and never under 30 s.
    const settleMs = Math.max(30_000, Math.min(cfg.settleTimeoutMs, (remainingS() - 60) * 1000));
    const settled = await settle(servers, { timeoutMs: settleMs, log });
    result.settled = settled;
    log(`settled: ${JSON.stringify(settled)}`);
    if (push) {
      result.pushesSettled = await pushesSettled(push.service, {
        quietMs: cfg.pushQuietMs,
        maxMs: Math.max(cfg.pushQuietMs, Math.min(cfg.pushSettleMaxMs, (remainingS() - 50) * 1000)),
      });
      log(
        `pushes: ${push.service.received.length} received${result.pushesSettled ? '' : ' (still arriving)'}`,
      );
    }
    const readiness = await stack.readiness();
    const evidence = await collect(servers, {
      rebuildEnv: stack.env('contacts-projection'),
      logFile: path.join(cfg.runDir, 'rebuild-check.log'),
    });
    log(`evidence collected and rebuilt at +${Math.round(clock() / 1000)} s`);
    if (evidence.rebuildError) result.incidents.push(`final rebuild: ${evidence.rebuildError}`);
    result.rebuild = evidence.rebuildReport;
    const windows = result.faults.filter((f) => f.id !== 'end');
    windows.at(-1).end = result.loadStoppedAt;
    const verdict = check({
      history,
      faults: windows,
      store: evidence.store,
      kafka: evidence.kafka,
      groupStore: evidence.groupStore,
      groupKafka: evidence.groupKafka,
      aggregates: evidence.aggregates,
      readModels: evidence.readModels,
      rebuilt: evidence.rebuilt,
      dlq: evidence.dlq,
      readiness,
      notifier: push
        ? {
            applicable: true,
            pushes: push.service.received.map((r) => ({ device: r.device, body: r.payload.body })),
            rejected: push.service.rejected,
            events: evidence.aggregates.smartlink?.kafka ?? [],
            devices: push.devices,
          }
        : { applicable: false, reason: 'the notifier or its push and SmartLink routes are not built' },
    });
    Object.assign(result, verdict);
    result.readiness = readiness;
    result.elapsedS = Math.round(clock() / 1000);
    result.historyFile = path.join(cfg.runDir, 'history.json');
    fs.writeFileSync(result.historyFile, JSON.stringify(history));
    if (push)
      fs.writeFileSync(
        path.join(cfg.runDir, 'pushes.json'),
        JSON.stringify({
          received: push.service.received.map((r) => ({ device: r.device, at: r.at, payload: r.payload })),
          rejected: push.service.rejected,
        }),
      );
    if (result.skipped.length || result.incidents.length) result.ok = false;
    return result;
  } finally {
    if (load) await load.stop().catch(() => undefined);
    if (stack) await stack.stopAll().catch((error) => log(`stopping the stack: ${error.message}`));
    if (servers) await servers.stopAll();
    if (push) await push.service.close().catch(() => undefined);
  }
}

module.exports = { runChaos, DEFAULTS };
