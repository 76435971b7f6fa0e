// The faults, one at a time while the load runs: each is injected, held, then healed. An app is
// SIGKILLed and started again; contacts-command is stalled with SIGSTOP and resumed with SIGCONT;
// a private server is stopped and started again; the live projection is SIGKILLed while a rebuild
// runs (after a first rebuild was itself SIGKILLed half-way).
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { ROOT } = require('../../bench/lib/processes.cjs');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function appKill(app) {
  return {
    id: `kill-${app}`,
    name: `SIGKILL ${app}, restart`,
    estimateS: 30,
    inject: (ctx) => ctx.stack.kill(app),
    heal: (ctx) => ctx.stack.start(app),
  };
}

const stall = (app) => ({
  id: `stall-${app}`,
  name: `SIGSTOP ${app} (stalled), SIGCONT`,
  estimateS: 35,
  hold: (cfg) => cfg.stallHoldMs,
  inject: async (ctx) => ctx.stack.signal(app, 'SIGSTOP'),
  heal: async (ctx) => ctx.stack.signal(app, 'SIGCONT'),
});

const serverRestart = (server, label) => ({
  id: `restart-${server}`,
  name: `restart ${label}`,
  estimateS: 45,
  inject: (ctx) => ctx.servers.stop(server),
  heal: (ctx) => ctx.servers.start(server),
});

/** The rebuild command as a child process; resolves `progressed` once it has applied something. */
function startRebuild(ctx, label) {
  const logFile = path.join(ctx.runDir, `rebuild-${label}.log`);
  const out = fs.openSync(logFile, 'a');
  const child = spawn(process.execPath, [path.join(ROOT, 'apps/contacts-projection/dist/rebuild-main.js')], {
    cwd: ROOT,
    // The rebuild's own swap rule (as current as the live projection): under this load a lag of
    // exactly 0 never comes.
    env: { ...ctx.stack.env('contacts-projection'), REBUILD_DROP_OLD_AFTER_MS: '3000' },
    stdio: ['ignore', 'pipe', out],
  });
  fs.closeSync(out);
  const rebuild = { child, exited: false, progressedAt: null, report: null };
  let buffer = '';
  child.stdout.on('data', (chunk) => {
    fs.appendFileSync(logFile, chunk);
    buffer += chunk;
    const lines = buffer.split('\n');
    buffer = lines.pop();
    for (const line of lines) {
      try {
        const entry = JSON.parse(line);
        if (entry.msg === 'rebuild progress' && entry.messages > 0 && entry.lag > 0)
          rebuild.progressedAt ??= Date.now();
        if (entry.to && entry.messagesPerSecond !== undefined) rebuild.report = entry;
      } catch {
        // not JSON
      }
    }
  });
  rebuild.done = new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      rebuild.exited = true;
      resolve(signal ?? code);
    }),
  );
  rebuild.waitForProgress = async (timeoutMs) => {
    const deadline = Date.now() + timeoutMs;
    while (!rebuild.progressedAt && !rebuild.exited && Date.now() < deadline) await sleep(50);
    return rebuild.progressedAt !== null && !rebuild.exited;
  };
  return rebuild;
}

const projectionKilledDuringRebuild = {
  id: 'kill-projection-during-rebuild',
  name: 'rebuild SIGKILLed half-way, then live projection SIGKILLed during a second rebuild',
  estimateS: 60,
  async inject(ctx, fault) {
    const notes = [];
    const first = startRebuild(ctx, 'killed');
    if (await first.waitForProgress(30_000)) {
      first.child.kill('SIGKILL');
      notes.push('first rebuild SIGKILLed while catching up');
    } else notes.push(`first rebuild ended before it could be killed (${await first.done})`);
    await first.done;
    const second = startRebuild(ctx, 'completed');
    fault.rebuild = second;
    if (await second.waitForProgress(30_000))
      notes.push('live projection SIGKILLed while the second rebuild was catching up');
    else notes.push('the second rebuild finished before the projection was killed');
    await ctx.stack.kill('contacts-projection');
    fault.note = notes.join('; ');
  },
  async heal(ctx, fault) {
    await ctx.stack.start('contacts-projection');
    let timer;
    const timedOut = new Promise(
      (resolve) => (timer = setTimeout(resolve, ctx.cfg.rebuildTimeoutMs, 'timeout')),
    );
    const outcome = await Promise.race([fault.rebuild.done, timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      fault.rebuild.child.kill('SIGKILL');
      throw new Error(`the second rebuild did not finish within ${ctx.cfg.rebuildTimeoutMs} ms`);
    }
    if (outcome !== 0) throw new Error(`the second rebuild exited with ${outcome}`);
    fault.note += `; it swapped in ${fault.rebuild.report?.to ?? '?'} (${fault.rebuild.report?.messages ?? '?'} events)`;
  },
};

/** Every fault, in the order they run: apps (each app found in apps/), stall, servers, rebuild. */
function allFaults(apps) {
  return [
    ...apps.map(appKill),
    stall('contacts-command'),
    serverRestart('kafka', 'Kafka'),
    serverRestart('mongo', 'the MongoDB-compatible server (FerretDB)'),
    serverRestart('redis', 'Redis'),
    projectionKilledDuringRebuild,
  ];
}

/** The faults named in `only` (comma-separated ids), or all; unknown ids are an error. */
function selectFaults(apps, only) {
  const all = allFaults(apps);
  if (!only) return all;
  const wanted = only
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = wanted.filter((id) => !all.some((f) => f.id === id));
  if (unknown.length)
    throw new Error(`unknown fault(s) ${unknown.join(', ')}; known: ${all.map((f) => f.id).join(', ')}`);
  return all.filter((f) => wanted.includes(f.id));
}

module.exports = { allFaults, selectFaults };
