// Every app of apps/* (built: apps/<app>/dist/main.js) as a child process on the private servers
// and free ports, with the handles the faults need: SIGKILL, SIGSTOP/SIGCONT, restart.
// Process start and readiness are the bench's (bench/lib/processes.cjs).
const fs = require('node:fs');
const path = require('node:path');
const { ROOT, startNode, stop } = require('../../bench/lib/processes.cjs');
const { distinctFreePorts } = require('./servers.cjs');

// Start order: what others depend on first (the gateway's /readyz needs command and query).
const KNOWN_ORDER = ['contacts-command', 'contacts-projection', 'contacts-query', 'notifier', 'gateway'];

/** Apps present in apps/ with a built entry point, in start order (unknown apps before the gateway). */
function discoverApps() {
  const dir = path.join(ROOT, 'apps');
  const built = fs
    .readdirSync(dir)
    .filter((name) => fs.existsSync(path.join(dir, name, 'dist/main.js')))
    .sort();
  const unknown = built.filter((name) => !KNOWN_ORDER.includes(name));
  const order = [...KNOWN_ORDER.slice(0, -1), ...unknown, 'gateway'];
  return order.filter((name) => built.includes(name));
}

/**
 * `run`: { servers, secret, logDir, gatewayTimeoutMs, bulkTimeoutMs }. The settings are the
 * defaults of docs/operations.md except where a fault would otherwise wait for nothing: the
 * projection's session timeout (6 s, the minimum, so a killed instance's partitions move quickly),
 * the generation poll, the gateway's rate limit (never reached) and its Retry-After (1 s).
 */
async function startStack(run) {
  const apps = discoverApps();
  const ports = Object.fromEntries(apps.map((name, i) => [name, i]));
  const free = await distinctFreePorts(apps.length);
  for (const name of apps) ports[name] = free[ports[name]];
  const url = (name) => `http://127.0.0.1:${ports[name]}`;
  const common = {
    // As `npm start` runs them: production mode would demand every production secret (push keys,
    // token keys …) that other issues keep adding; the run's own JWT secret is set either way.
    NODE_ENV: 'development',
    AUTH_JWT_SECRET: run.secret,
    KAFKA_BROKERS: run.servers.brokers.join(','),
    MONGO_URL: run.servers.mongoUrl,
    REDIS_URL: run.servers.redisUrl,
  };
  const specific = {
    // The SmartLinks the load creates point at this shop.
    'contacts-command': { SMARTLINK_DEFAULT_ALLOWED_HOSTS: run.shopHost ?? 'shop.example.com' },
    'contacts-projection': { PROJECTION_SESSION_TIMEOUT_MS: '6000', GENERATION_POLL_MS: '500' },
    'contacts-query': {},
    // Pushes go to the run's local push service on 127.0.0.1, two seconds of coalescing, no
    // per-rep rate limit (the load is far above a person's) and quick send retries.
    notifier: {
      NOTIFIER_DATA_DIR: path.join(run.logDir, 'notifier-data'),
      PUSH_ALLOW_INSECURE_ENDPOINTS: 'true',
      PUSH_COALESCE_MS: '2000',
      PUSH_RATE_PER_MINUTE: '1000000',
      PUSH_RETRY_BASE_MS: '200',
    },
    gateway: {
      CONTACTS_COMMAND_URL: url('contacts-command'),
      CONTACTS_QUERY_URL: url('contacts-query'),
      ...(apps.includes('notifier') ? { NOTIFIER_URL: url('notifier') } : {}),
      RATE_LIMIT_POINTS: '1000000',
      RATE_LIMIT_WINDOW_S: '60',
      PUBLIC_RATE_LIMIT_IP_POINTS: '1000000',
      PUBLIC_RATE_LIMIT_TOKEN_POINTS: '1000000',
      UPSTREAM_TIMEOUT_MS: String(run.gatewayTimeoutMs),
      UPSTREAM_BULK_TIMEOUT_MS: String(run.bulkTimeoutMs),
      UPSTREAM_RETRY_AFTER_S: '1',
    },
  };
  const options = (name) => ({
    name,
    script: `apps/${name}/dist/main.js`,
    port: ports[name],
    env: { ...common, ...(specific[name] ?? {}) },
    logFile: path.join(run.logDir, `${name}.log`),
    timeoutMs: run.readyTimeoutMs ?? 90_000,
  });

  const handles = {};
  const stack = {
    apps,
    ports,
    url,
    env: (name) => ({ ...process.env, ...options(name).env }),
    handles,
    async startAll() {
      for (const name of apps) handles[name] = await startNode(options(name));
    },
    async start(name) {
      handles[name] = await startNode(options(name));
      return handles[name];
    },
    /** SIGKILL and wait for the exit. */
    async kill(name) {
      const handle = handles[name];
      if (!handle || handle.exited) return;
      const exited = new Promise((resolve) => handle.child.once('exit', resolve));
      handle.child.kill('SIGKILL');
      await exited;
    },
    signal(name, signal) {
      handles[name].child.kill(signal);
    },
    /** Apps that exited on their own (a crash): the fault's report names them. */
    exitedUnexpectedly: () => apps.filter((name) => handles[name]?.exited),
    /** GET /readyz of every app: { name: status } (0 when it does not answer). */
    async readiness() {
      const out = {};
      await Promise.all(
        apps.map(async (name) => {
          try {
            const res = await fetch(`${url(name)}/readyz`, { signal: AbortSignal.timeout(3000) });
            await res.arrayBuffer();
            out[name] = res.status;
          } catch {
            out[name] = 0;
          }
        }),
      );
      return out;
    },
    async stopAll() {
      for (const name of [...apps].reverse()) {
        const handle = handles[name];
        if (!handle) continue;
        try {
          handle.child.kill('SIGCONT'); // a stalled app cannot shut down
        } catch {
          // gone
        }
        await stop(handle);
      }
    },
  };
  return stack;
}

module.exports = { startStack, discoverApps };
