// Child processes of the benchmark (the services under test and the bare express app), their
// readiness, and the CPU each process — ours and the servers' — burns during a measurement.
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { sleep } = require('./stats.cjs');

const ROOT = path.resolve(__dirname, '../..');
const children = new Set();

/**
 * Starts `node <script>` with `env` on 127.0.0.1:`port` and waits for `readyPath` to answer 200.
 * `nodeArgs` go before the script (e.g. `--cpu-prof`). Output goes to `logFile` so a service that
 * fails to start can be diagnosed; the error message names that file.
 */
async function startNode({
  name,
  script,
  port,
  env = {},
  nodeArgs = [],
  readyPath = '/readyz',
  logFile,
  timeoutMs = 30_000,
}) {
  const out = fs.openSync(logFile, 'a');
  const child = spawn(process.execPath, [...nodeArgs, path.resolve(ROOT, script)], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      ...env,
      HOST: '127.0.0.1',
      PORT: String(port),
    },
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  const options = { name, script, port, env, nodeArgs, readyPath, logFile, timeoutMs };
  const handle = {
    name,
    port,
    child,
    pid: child.pid,
    url: `http://127.0.0.1:${port}`,
    exited: false,
    options,
  };
  child.once('exit', (code, signal) => {
    handle.exited = true;
    handle.exit = signal ?? code;
    handle.exitedAt = performance.now();
    children.delete(handle);
  });
  children.add(handle);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (handle.exited)
      throw new Error(`${name} exited during start-up (log: ${path.relative(ROOT, logFile)})`);
    try {
      const res = await fetch(`${handle.url}${readyPath}`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.ok) return handle;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  await stop(handle);
  throw new Error(`${name} was not ready within ${timeoutMs} ms (log: ${path.relative(ROOT, logFile)})`);
}

/** SIGTERM (graceful shutdown, which also writes a --cpu-prof profile), SIGKILL after 15 s. */
async function stop(handle) {
  if (!handle || handle.exited) return;
  const exited = new Promise((resolve) => handle.child.once('exit', resolve));
  handle.child.kill('SIGTERM');
  const timer = setTimeout(() => handle.child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

async function stopAll() {
  await Promise.all([...children].map(stop));
}

// --- CPU accounting from /proc (Linux): utime + stime of a pid, in ms -----------------------
let ticksPerSecond = 100;
try {
  ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
} catch {
  // keep the usual 100
}

function cpuMsOf(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at state (field 3).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) / ticksPerSecond) * 1000;
  } catch {
    return null;
  }
}

/**
 * Samples the CPU time of every named pid at start and end of `fn`; returns fn's result and the
 * share of one core each process used meanwhile (100 = one full core). The benchmark process
 * itself (autocannon, the drivers) is reported as `bench`.
 */
async function withCpu(pids, fn) {
  const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuMsOf(pid)]));
  const machineBefore = machineBusyMs();
  const self = process.cpuUsage();
  const started = performance.now();
  const result = await fn();
  const wall = performance.now() - started;
  const machineAfter = machineBusyMs();
  const cpu = {};
  // Every process on the machine, ours or not (others may be running tests on the same cores).
  if (machineBefore !== null && machineAfter !== null)
    cpu.machine = Math.round(((machineAfter - machineBefore) / wall) * 100);
  for (const [name, pid] of Object.entries(pids)) {
    const after = cpuMsOf(pid);
    if (before[name] !== null && after !== null)
      cpu[name] = Math.round(((after - before[name]) / wall) * 100);
  }
  const used = process.cpuUsage(self);
  cpu.bench = Math.round(((used.user + used.system) / 1000 / wall) * 100);
  return { result, cpu };
}

/** CPU time all cores spent busy (not idle / iowait), in ms, from the first line of /proc/stat. */
function machineBusyMs() {
  try {
    const [, ...fields] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
    const [user, nice, system, , , irq, softirq, steal] = fields.map(Number);
    return ((user + nice + system + irq + softirq + steal) / ticksPerSecond) * 1000;
  } catch {
    return null;
  }
}

/** CPU ms of each named pid now (null for a pid that is gone), and the machine's busy ms. */
function cpuSnapshot(pids) {
  return {
    at: performance.now(),
    machine: machineBusyMs(),
    pids: Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuMsOf(pid)])),
    self: process.cpuUsage(),
  };
}

/**
 * CPU ms each process spent between two snapshots of the same pids (`bench` is this process, the
 * load generator; `machine` every process on the machine), and the wall ms between them.
 */
function cpuBetween(before, after) {
  const ms = {};
  for (const name of Object.keys(before.pids)) {
    const a = before.pids[name];
    const b = after.pids[name];
    if (a !== null && b !== null && b !== undefined) ms[name] = b - a;
  }
  ms.bench = (after.self.user + after.self.system - before.self.user - before.self.system) / 1000;
  if (before.machine !== null && after.machine !== null) ms.machine = after.machine - before.machine;
  return { ms, wallMs: after.at - before.at };
}

/** Pids of the local servers started by tools/infra.sh (none when the servers are someone else's). */
function infraPids(infraDir) {
  const pids = {};
  for (const [name, label] of [
    ['kafka', 'kafka'],
    ['mongo', 'mongo'],
    ['redis', 'redis'],
  ]) {
    try {
      const pid = Number(fs.readFileSync(path.join(infraDir, 'run', `${name}.pid`), 'utf8').trim());
      if (pid > 0 && cpuMsOf(pid) !== null) pids[label] = pid;
    } catch {
      // not ours
    }
  }
  return pids;
}

module.exports = { ROOT, startNode, stop, stopAll, withCpu, infraPids, cpuMsOf, cpuSnapshot, cpuBetween };
