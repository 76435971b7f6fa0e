// Single creates through the gateway and straight to contacts-command at each concurrency level,
// next to a bare express hello-world under the same load; each create load after a warm-up, with
// its CPU per acknowledged create across every process and server, counted until the projection
// has applied the creates (bench/lib/write-cost.cjs); checked against the write targets
// (bench/lib/targets.cjs). Then the same load, measured the same way, through the floor pipeline
// (bench/floor/: our create's shape built from the same stack with none of its guarantees), the
// yardstick the gateway's rate is read against. Then a separate pass under `node --cpu-prof`
// (BENCH_PROFILE=0 leaves it out).
const path = require('node:path');
const { load } = require('../lib/load.cjs');
const { startNode, stop, withCpu, infraPids } = require('../lib/processes.cjs');
const { summarizeProfile, newestProfile } = require('../lib/profile.cjs');
const { API, jsonHeaders } = require('../lib/http.cjs');
const { ratio } = require('../lib/stats.cjs');
const { projectionProgress, idleBackground, measureWriteCost } = require('../lib/write-cost.cjs');
const { WRITE_TARGETS, check } = require('../lib/targets.cjs');
const { startFloor, FLOOR_PORTS } = require('../floor/floor.cjs');

const CREATE_BODY = JSON.stringify({
  first_name: 'Bench',
  last_name: 'Mark',
  email: 'bench@example.com',
  phone: '+1 555 0100200',
  status: 'lead',
});
/** Only a 201 is an acknowledged create (a 429 or 503 answers fast and would flatter the rate). */
const CREATED = [201];
const WARMUP_S = 2;

module.exports = {
  name: 'single',
  title:
    'POST /contacts through the gateway, direct and through the floor pipeline (same stack, no guarantees), at each BENCH_CONNECTIONS level, vs express hello-world; CPU per create by process',
  order: 20,
  needs: { stack: true },
  ports: ['hello', 'profGateway', 'profCommand', ...FLOOR_PORTS],
  // Per level: hello-world, then direct, gateway and floor each with warm-up, settle and catch-up
  // tail; plus starting the floor.
  estimateS: (cfg) => cfg.levels.length * (cfg.seconds + 2 + 3 * (WARMUP_S + cfg.seconds + 15)) + 55,
  async run(ctx) {
    const { cfg } = ctx;
    const { services } = ctx.stack;
    const { token } = await ctx.tenant('single');
    const cmd = ctx.reproduce([
      'BENCH_SECONDS',
      'BENCH_CONNECTIONS',
      'BENCH_CATCHUP_MAX_S',
      'BENCH_BASELINE_C1_P50_MS',
    ]);
    const baselineC1 = Number(ctx.env.BENCH_BASELINE_C1_P50_MS) || null;
    const hello = await startNode({
      name: 'hello-express',
      script: 'bench/hello-express.cjs',
      port: ctx.ports.hello,
      logFile: ctx.logFile('hello-express'),
    });
    const progress = projectionProgress(ctx);
    // For later groups (patch): the hello-world and gateway-create rates of this run, by concurrency.
    const out = { hello: {}, gatewayCreate: {} };
    let floor = null;
    try {
      const background = await idleBackground(ctx.stack.pids);
      ctx.log(`single: idle background (% of a core): ${JSON.stringify(background)}`);
      floor = await startFloor(ctx);
      ctx.log(`single: floor pipeline idle background (% of a core): ${JSON.stringify(floor.background)}`);
      const ours = { progress, pids: ctx.stack.pids, background };
      const creates = (url, c, seconds) =>
        load({
          url,
          method: 'POST',
          headers: jsonHeaders(token),
          body: CREATE_BODY,
          connections: c,
          seconds,
          okStatus: CREATED,
        });
      // `pipeline`: whose processes and projection the cost is counted over (ours, or the floor's).
      const measured = async (url, c, pipeline = ours) => {
        await creates(url, c, Math.min(WARMUP_S, cfg.seconds)); // warm-up, not reported
        return measureWriteCost({
          ctx,
          progress: pipeline.progress,
          pids: pipeline.pids,
          load: () => creates(url, c, cfg.seconds),
          ops: (r) => r.ok,
          per: 'create',
          tailMaxS: cfg.catchupMaxS,
          background: pipeline.background,
          ...(pipeline.system ? { system: pipeline.system } : {}),
        });
      };
      for (const c of cfg.levels) {
        ctx.log(
          `single create, c=${c}: express hello-world, contacts-command direct, through the gateway, through the floor pipeline (${cfg.seconds} s each, after ${WARMUP_S} s warm-up; CPU until the projection caught up)`,
        );
        const h = await withCpu({ hello: hello.pid }, () =>
          load({ url: `${hello.url}/`, connections: c, seconds: cfg.seconds }),
        );
        const d = await measured(`${services.command.url}${API}`, c);
        const g = await measured(`${services.gateway.url}${API}`, c);
        const f = await measured(`${floor.gateway.url}${API}`, c, floor);
        out.hello[c] = h.result.rps;
        out.gatewayCreate[c] = g.result.ok_rps;
        const helloRaw = {
          figure: 'bare express hello-world (GET /)',
          value: h.result.rps,
          unit: 'req/s',
          p50_ms: h.result.p50_ms,
          p99_ms: h.result.p99_ms,
        };
        ctx.figure({
          figure: 'raw: bare express hello-world',
          value: h.result.rps,
          unit: 'req/s',
          p50_ms: h.result.p50_ms,
          p99_ms: h.result.p99_ms,
          conditions: {
            concurrency: c,
            duration_s: cfg.seconds,
            non_2xx: h.result.non_2xx + h.result.errors,
          },
          cpu: h.cpu,
          reproduce: cmd,
        });
        const createConditions = (r) => ({
          concurrency: c,
          duration_s: cfg.seconds,
          warmup_s: WARMUP_S,
          acknowledged: r.ok,
          // Every answer that is not a 201, and every error or timeout: none of them is a create.
          non_2xx: r.requests - r.ok + r.errors,
          status_codes: r.status_codes,
          stability: r.stability,
        });
        ctx.figure({
          figure: 'single create, contacts-command direct',
          value: d.result.ok_rps,
          unit: 'req/s',
          p50_ms: d.result.p50_ms,
          p99_ms: d.result.p99_ms,
          conditions: createConditions(d.result),
          raw: helloRaw,
          ratio: ratio(d.result.ok_rps, h.result.rps),
          cpu: d.cpu,
          cost: d.cost,
          reproduce: cmd,
        });
        const gRatio = ratio(g.result.ok_rps, h.result.rps);
        const fRatio = ratio(f.result.ok_rps, h.result.rps);
        // The targets are for the burst (c=32); at c=1 the same CPU figure also carries the idle
        // background of seven processes spread over few creates, and is reported, not checked.
        const targets = [];
        if (c === 32)
          targets.push(
            check('rate ÷ hello-world at c=32', gRatio, '≥', WRITE_TARGETS.createRatioC32),
            check('p99 at c=32', g.result.p99_ms, '≤', WRITE_TARGETS.createP99MsC32, ' ms'),
            check(
              'CPU per acknowledged create at c=32',
              g.cost.ms_per_op,
              '≤',
              WRITE_TARGETS.cpuPerCreateMs,
              ' ms',
            ),
          );
        if (c === 1 && baselineC1)
          targets.unshift(
            check('p50 at c=1 (BENCH_BASELINE_C1_P50_MS)', g.result.p50_ms, '≤', baselineC1, ' ms'),
          );
        ctx.figure({
          figure: 'single create through the gateway',
          value: g.result.ok_rps,
          unit: 'req/s',
          p50_ms: g.result.p50_ms,
          p99_ms: g.result.p99_ms,
          conditions: createConditions(g.result),
          raw: helloRaw,
          ratio: gRatio,
          vs_direct: ratio(g.result.ok_rps, d.result.ok_rps),
          vs_floor: ratio(g.result.ok_rps, f.result.ok_rps),
          // The floor next to the hello-world in the raw column, with our rate ÷ the floor's.
          raw_also: [
            {
              figure: 'vs floor pipeline (no guarantees)',
              value: f.result.ok_rps,
              unit: 'req/s',
              ratio: ratio(g.result.ok_rps, f.result.ok_rps),
            },
          ],
          cpu: g.cpu,
          cost: g.cost,
          targets,
          reproduce: cmd,
        });
        // Not a target: what the same stack reaches on this machine in this run with none of the
        // product's guarantees — the yardstick for the gateway's ratio target above.
        ctx.figure({
          figure: 'single create through the floor pipeline (no guarantees)',
          value: f.result.ok_rps,
          unit: 'req/s',
          p50_ms: f.result.p50_ms,
          p99_ms: f.result.p99_ms,
          conditions: createConditions(f.result),
          raw: helloRaw,
          ratio: fRatio,
          cpu: f.cpu,
          cost: f.cost,
          reproduce: cmd,
        });
      }
    } finally {
      await progress.close();
      await floor?.close();
      await stop(hello);
    }
    if (cfg.profile) await profileSingleCreate(ctx, token);
    return out;
  },
};

/**
 * A separate, profiled pass (so the profiler's overhead touches no reported figure): a second
 * contacts-command and gateway with `node --cpu-prof`, loaded at the middle concurrency level;
 * SIGTERM makes both write their profile, summarised as top functions and packages by self time.
 */
async function profileSingleCreate(ctx, token) {
  const { cfg, stack } = ctx;
  const c = cfg.levels[Math.floor(cfg.levels.length / 2)];
  ctx.log(
    `profile: gateway and contacts-command under node --cpu-prof, single create at c=${c} for ${cfg.seconds} s`,
  );
  const dirs = {
    gateway: path.join(ctx.runDir, 'profiles/gateway'),
    command: path.join(ctx.runDir, 'profiles/contacts-command'),
  };
  const command = await startNode({
    name: 'contacts-command (profiled)',
    script: 'apps/contacts-command/dist/main.js',
    port: ctx.ports.profCommand,
    nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dirs.command}`],
    env: { ...stack.commonEnv, MONGO_DB: ctx.db.command, CONTACTS_TOPIC: ctx.topic },
    logFile: ctx.logFile('contacts-command-profiled'),
  });
  const gateway = await startNode({
    name: 'gateway (profiled)',
    script: 'apps/gateway/dist/main.js',
    port: ctx.ports.profGateway,
    nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dirs.gateway}`],
    env: stack.gatewayEnv(ctx.ports.profCommand),
    logFile: ctx.logFile('gateway-profiled'),
  });
  let run;
  let loadStart;
  let loadEnd;
  try {
    await load({
      url: `${gateway.url}${API}`,
      method: 'POST',
      headers: jsonHeaders(token),
      body: CREATE_BODY,
      connections: c,
      seconds: 1,
    }); // warm-up
    loadStart = performance.now();
    run = await withCpu({ gateway: gateway.pid, command: command.pid, ...infraPids(ctx.infraDir) }, () =>
      load({
        url: `${gateway.url}${API}`,
        method: 'POST',
        headers: jsonHeaders(token),
        body: CREATE_BODY,
        connections: c,
        seconds: cfg.seconds,
      }),
    );
    loadEnd = performance.now();
  } finally {
    await stop(gateway);
    await stop(command);
  }
  for (const [name, dir] of Object.entries(dirs)) {
    const file = newestProfile(dir);
    const exitedAt = name === 'gateway' ? gateway.exitedAt : command.exitedAt;
    // Only the samples of the measured load: the profile ends at the process exit.
    const window = { fromEndMs: exitedAt - loadStart, toEndMs: exitedAt - loadEnd };
    if (file)
      ctx.results.profiles[name] = {
        ...summarizeProfile(file, { window }),
        load: { concurrency: c, seconds: cfg.seconds, rps: run.result.rps, cpu: run.cpu },
      };
  }
}
