// The chaos suite's own Kafka, MongoDB-compatible server and Redis: tools/infra.sh with a private
// INFRA_DIR and free ports, reusing the shared Kafka jars and FerretDB binary (INFRA_CACHE_DIR).
// The shared servers on 9092/27017/6379 are never touched: the suite restarts and kills only these.
// They are stopped on every path: by stop(), by the runner's signal handlers, and — should the
// runner itself be SIGKILLed — by a detached watchdog that waits for the runner's pid to go away.
const { execFile, spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { ROOT } = require('../../bench/lib/processes.cjs');

const INFRA = path.join(ROOT, 'tools/infra.sh');
const SERVERS = ['kafka', 'mongo', 'redis'];
// The shared servers' ports (and Kafka's controller): a private server must never land on one.
const SHARED_PORTS = new Set([9092, 9093, 27017, 6379]);

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function distinctFreePorts(count) {
  const ports = new Set();
  for (let tries = 0; ports.size < count && tries < 100; tries++) {
    const port = await freePort();
    if (!SHARED_PORTS.has(port)) ports.add(port);
  }
  if (ports.size < count) throw new Error('could not find free ports for the private servers');
  return [...ports];
}

/**
 * Starts the private servers under `dir` (created; removed again by stop() when `removeDir`).
 * `cacheDir` is where the shared jars and binary are (default <repo>/.infra, as after `npm test`).
 * Returns { brokers, mongoUrl, redisUrl, start(name), stop(name), pids(), stopAll() }.
 */
async function startPrivateServers({
  dir,
  cacheDir = path.join(ROOT, '.infra'),
  log = () => {},
  removeDir = false,
}) {
  fs.mkdirSync(dir, { recursive: true });
  const [kafka, controller, mongo, redis] = await distinctFreePorts(4);
  const env = {
    ...process.env,
    INFRA_DIR: dir,
    INFRA_CACHE_DIR: cacheDir,
    KAFKA_PORT: String(kafka),
    KAFKA_CONTROLLER_PORT: String(controller),
    MONGO_PORT: String(mongo),
    REDIS_PORT: String(redis),
    STOP_TIMEOUT: '20',
  };
  const outFile = path.join(dir, 'infra-sh.log');
  const infra = (...args) =>
    new Promise((resolve, reject) => {
      const started = Date.now();
      execFile(
        'bash',
        [INFRA, ...args],
        { env, timeout: 300_000, maxBuffer: 8 << 20 },
        (error, stdout, stderr) => {
          fs.appendFileSync(outFile, `$ infra.sh ${args.join(' ')}\n${stdout}${stderr}`);
          if (error)
            reject(
              new Error(
                `tools/infra.sh ${args.join(' ')} failed: ${stderr.trim().split('\n').slice(-5).join(' | ')}`,
              ),
            );
          else resolve(Date.now() - started);
        },
      );
    });

  // The watchdog: a detached shell in its own session that outlives a SIGKILLed runner and then
  // stops exactly these servers (their pid files are under `dir`).
  const watchdog = spawn(
    'setsid',
    [
      'bash',
      '-c',
      `while kill -0 ${process.pid} 2>/dev/null; do sleep 2; done; bash "$0" stop >/dev/null 2>&1; ${removeDir ? 'rm -rf "$1"' : 'true'}`,
      INFRA,
      dir,
    ],
    { env, detached: true, stdio: 'ignore' },
  );
  watchdog.unref();

  let stopped = false;
  const handle = {
    dir,
    ports: { kafka, controller, mongo, redis },
    brokers: [`127.0.0.1:${kafka}`],
    mongoUrl: `mongodb://127.0.0.1:${mongo}`,
    redisUrl: `redis://127.0.0.1:${redis}`,
    /** Starts one server (or all) and waits until it answers; resolves to the milliseconds it took. */
    start: (name) => infra('start', ...(name ? [name] : [])),
    /** Stops one server gracefully (SIGTERM, SIGKILL after 20 s). */
    stop: (name) => infra('stop', name),
    /** Pids of the running servers (for SIGKILL-style faults and CPU accounting). */
    pids() {
      const pids = {};
      for (const name of SERVERS) {
        try {
          const pid = Number(fs.readFileSync(path.join(dir, 'run', `${name}.pid`), 'utf8').trim());
          if (pid > 0) pids[name] = pid;
        } catch {
          // not running
        }
      }
      return pids;
    },
    async stopAll() {
      if (stopped) return;
      stopped = true;
      await infra('stop').catch((error) => log(`stopping the private servers: ${error.message}`));
      try {
        process.kill(watchdog.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      if (removeDir) {
        // The servers' logs outlive their data: next to the run's other logs.
        const keep = path.join(path.dirname(dir), 'server-logs');
        fs.mkdirSync(keep, { recursive: true });
        for (const file of ['logs/kafka.log', 'logs/mongo.log', 'logs/redis.log', 'infra-sh.log'])
          if (fs.existsSync(path.join(dir, file)))
            fs.copyFileSync(path.join(dir, file), path.join(keep, path.basename(file)));
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
    /** Synchronous last resort for process 'exit' handlers. */
    stopAllSync() {
      if (stopped) return;
      stopped = true;
      require('node:child_process').spawnSync('bash', [INFRA, 'stop'], {
        env,
        stdio: 'ignore',
        timeout: 60_000,
      });
    },
  };
  try {
    const ms = await infra('start');
    log(
      `private servers up in ${Math.round(ms / 1000)} s under ${path.relative(ROOT, dir) || dir}: kafka ${kafka}, mongo ${mongo}, redis ${redis}`,
    );
  } catch (error) {
    await handle.stopAll();
    throw error;
  }
  return handle;
}

module.exports = { startPrivateServers, SERVERS, SHARED_PORTS, distinctFreePorts };
