// Single creates through the gateway and straight to contacts-command at each concurrency level,
// next to a bare express hello-world under the same load; then a separate pass under
// `node --cpu-prof` (BENCH_PROFILE=0 leaves it out).
const path = require('node:path');
const { load } = require('../lib/load.cjs');
const { startNode, stop, withCpu, infraPids } = require('../lib/processes.cjs');
const { summarizeProfile, newestProfile } = require('../lib/profile.cjs');
const { API, jsonHeaders } = require('../lib/http.cjs');
const { ratio } = require('../lib/stats.cjs');

const CREATE_BODY = JSON.stringify({
  first_name: 'Bench',
  last_name: 'Mark',
  email: 'bench@example.com',
  phone: '+1 555 0100200',
  status: 'lead',
});

module.exports = {
  name: 'single',
  title:
    'POST /contacts through the gateway and direct, at each BENCH_CONNECTIONS level, vs express hello-world',
  order: 20,
  needs: { stack: true },
  ports: ['hello', 'profGateway', 'profCommand'],
  estimateS: (cfg) => cfg.levels.length * 3 * (cfg.seconds + 2) + 30,
  async run(ctx) {
    const { cfg } = ctx;
    const { services } = ctx.stack;
    const { token } = await ctx.tenant('single');
    const cmd = ctx.reproduce(['BENCH_SECONDS', 'BENCH_CONNECTIONS']);
    const hello = await startNode({
      name: 'hello-express',
      script: 'bench/hello-express.cjs',
      port: ctx.ports.hello,
      logFile: ctx.logFile('hello-express'),
    });
    try {
      for (const c of cfg.levels) {
        ctx.log(
          `single create, c=${c}: express hello-world, contacts-command direct, through the gateway (${cfg.seconds} s each)`,
        );
        const h = await withCpu({ hello: hello.pid }, () =>
          load({ url: `${hello.url}/`, connections: c, seconds: cfg.seconds }),
        );
        const d = await withCpu(ctx.stack.pids, () =>
          load({
            url: `${services.command.url}${API}`,
            method: 'POST',
            headers: jsonHeaders(token),
            body: CREATE_BODY,
            connections: c,
            seconds: cfg.seconds,
          }),
        );
        const g = await withCpu(ctx.stack.pids, () =>
          load({
            url: `${services.gateway.url}${API}`,
            method: 'POST',
            headers: jsonHeaders(token),
            body: CREATE_BODY,
            connections: c,
            seconds: cfg.seconds,
          }),
        );
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
        ctx.figure({
          figure: 'single create, contacts-command direct',
          value: d.result.rps,
          unit: 'req/s',
          p50_ms: d.result.p50_ms,
          p99_ms: d.result.p99_ms,
          conditions: {
            concurrency: c,
            duration_s: cfg.seconds,
            non_2xx: d.result.non_2xx + d.result.errors,
            status_codes: d.result.status_codes,
          },
          raw: helloRaw,
          ratio: ratio(d.result.rps, h.result.rps),
          cpu: d.cpu,
          reproduce: cmd,
        });
        ctx.figure({
          figure: 'single create through the gateway',
          value: g.result.rps,
          unit: 'req/s',
          p50_ms: g.result.p50_ms,
          p99_ms: g.result.p99_ms,
          conditions: {
            concurrency: c,
            duration_s: cfg.seconds,
            non_2xx: g.result.non_2xx + g.result.errors,
            status_codes: g.result.status_codes,
          },
          raw: helloRaw,
          ratio: ratio(g.result.rps, h.result.rps),
          vs_direct: ratio(g.result.rps, d.result.rps),
          cpu: g.cpu,
          reproduce: cmd,
        });
      }
    } finally {
      await stop(hello);
    }
    if (cfg.profile) await profileSingleCreate(ctx, token);
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
