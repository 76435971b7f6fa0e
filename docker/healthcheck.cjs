// Container HEALTHCHECK for every app image: GET http://127.0.0.1:$PORT/healthz with Node's fetch,
// exit 0 on a 2xx answer, 1 otherwise (no curl/wget in the slim image). Liveness only: readiness of
// the app's dependencies is /readyz (set HEALTHCHECK_PATH=/readyz to gate on it instead).
'use strict';

// Each app's default PORT (apps/<name>/src/config.ts), for `docker run` without PORT.
const DEFAULT_PORTS = {
  gateway: 8080,
  'contacts-command': 8081,
  'contacts-query': 8082,
  notifier: 8083,
  'contacts-projection': 8084,
};

const port = process.env.PORT || DEFAULT_PORTS[process.env.APP] || 8080;
const path = process.env.HEALTHCHECK_PATH || '/healthz';

fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(2500) }).then(
  (res) => process.exit(res.ok ? 0 : 1),
  () => process.exit(1),
);
