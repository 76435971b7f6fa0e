// The services under test: contacts-command, contacts-projection, contacts-query and the gateway
// from apps/*/dist/main.js, on the run's own database, topic and ports; started once per run for
// the groups that need them, and revived (reported as an incident) when one exits meanwhile.
const path = require('node:path');
const { ROOT, startNode, infraPids } = require('./processes.cjs');
const { API, auth } = require('./http.cjs');

/**
 * `run`: { cfg, ports, secret, brokers, mongoUrl, redisUrl, infraDir, topic, db, runId, logFile }.
 * Returns the stack: `services` (handles by key), `pids` (services and local servers, for CPU),
 * `commonEnv`, `gatewayEnv(commandPort)`, `revive(phase, incidents, log)`, `readSide(token)`.
 */
async function startStack(run) {
  const { cfg, ports, db, topic } = run;
  const commonEnv = {
    AUTH_JWT_SECRET: run.secret,
    // SmartLink tokens: production requires a key (contacts-command and -query share it).
    SMARTLINK_TOKEN_KEY: `bench-smartlink-key-${run.runId}-${run.secret}`.padEnd(32, '.'),
    KAFKA_BROKERS: run.brokers.join(','),
    MONGO_URL: run.mongoUrl,
    REDIS_URL: run.redisUrl,
  };
  const gatewayEnv = (commandPort) => ({
    ...commonEnv,
    CONTACTS_COMMAND_URL: `http://127.0.0.1:${commandPort}`,
    CONTACTS_QUERY_URL: `http://127.0.0.1:${ports.query}`,
    // The limiter still runs (counting and syncing with Redis as in production), with a ceiling
    // the benchmark never reaches, so no request is refused by it (a 429 would show as non-2xx).
    RATE_LIMIT_POINTS: '1000000',
    RATE_LIMIT_WINDOW_S: '60',
    // The same for the public SmartLink routes (per client IP and per token).
    PUBLIC_RATE_LIMIT_IP_POINTS: '1000000',
    PUBLIC_RATE_LIMIT_TOKEN_POINTS: '1000000',
    UPSTREAM_TIMEOUT_MS: String(cfg.listMaxMs + 2_000),
  });
  const services = {};
  const stack = { services, pids: {}, commonEnv, gatewayEnv };
  const refreshPids = () => {
    stack.pids = {
      gateway: services.gateway.pid,
      command: services.command.pid,
      query: services.query.pid,
      projection: services.projection.pid,
      ...infraPids(run.infraDir),
    };
  };

  services.command = await startNode({
    name: 'contacts-command',
    script: 'apps/contacts-command/dist/main.js',
    port: ports.command,
    env: { ...commonEnv, MONGO_DB: db.command, CONTACTS_TOPIC: topic, SMARTLINKS_TOPIC: `${topic}.smartlinks` },
    logFile: run.logFile('contacts-command'),
  });
  services.projection = await startNode({
    name: 'contacts-projection',
    script: 'apps/contacts-projection/dist/main.js',
    port: ports.projection,
    env: {
      ...commonEnv,
      MONGO_DB: db.read,
      CONTACTS_TOPIC: topic,
      SMARTLINKS_TOPIC: `${topic}.smartlinks`,
      PROJECTION_GROUP_ID: `bench-projection-${run.runId}`,
      GENERATION_POLL_MS: '500',
    },
    logFile: run.logFile('contacts-projection'),
    timeoutMs: 60_000,
  });
  services.query = await startNode({
    name: 'contacts-query',
    script: 'apps/contacts-query/dist/main.js',
    port: ports.query,
    env: { ...commonEnv, MONGO_DB: db.read, LIST_MAX_TIME_MS: String(cfg.listMaxMs) },
    logFile: run.logFile('contacts-query'),
  });
  services.gateway = await startNode({
    name: 'gateway',
    script: 'apps/gateway/dist/main.js',
    port: ports.gateway,
    env: gatewayEnv(ports.command),
    logFile: run.logFile('gateway'),
  });
  refreshPids();

  /**
   * A service that exited while the run went on (a crash, or a signal from outside the benchmark)
   * is started again with the same settings, and the incident is reported with the results.
   */
  stack.revive = async (phase, incidents, log) => {
    for (const [key, handle] of Object.entries(services)) {
      if (!handle.exited) continue;
      const incident = `${handle.name} exited (${typeof handle.exit === 'string' ? handle.exit : `code ${handle.exit}`}) before the ${phase} phase; restarted (log: ${path.relative(ROOT, handle.options.logFile)})`;
      log(incident);
      incidents.push(incident);
      services[key] = await startNode(handle.options);
    }
    refreshPids();
  };

  /** Whether contacts-query serves the list endpoint yet (the read side is built in stages). */
  stack.readSide = async (token) => {
    try {
      const res = await fetch(`${services.query.url}${API}?limit=1`, {
        headers: auth(token),
        signal: AbortSignal.timeout(5000),
      });
      await res.arrayBuffer();
      return res.status === 200
        ? { ok: true }
        : {
            ok: false,
            reason: `contacts-query answers ${res.status} on GET ${API} (list endpoint not built yet)`,
          };
    } catch (error) {
      return { ok: false, reason: `contacts-query list probe failed: ${error.message}` };
    }
  };
  return stack;
}

module.exports = { startStack };
