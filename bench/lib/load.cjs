// HTTP load with autocannon (one well-kept tool for every HTTP figure, ours and the raw one).
const autocannon = require('autocannon');

/**
 * Runs autocannon for `seconds` at `connections` (closed loop, one request in flight per
 * connection) and returns the figures the report uses. Counts non-2xx answers and errors so a
 * figure built on failures is visible as such: `rps` counts every answer, `ok_rps` only those with
 * a status in `okStatus` (default: any 2xx) — a 429 from the rate limiter or a 503 is not a
 * create. autocannon's latency percentiles are of 2xx answers only. `stability` is the spread of
 * the ok answers per whole second of the window (a rate that still climbs or sags shows there).
 */
async function load({ url, method = 'GET', headers = {}, body, connections, seconds, requests, okStatus }) {
  const isOk = okStatus ? (code) => okStatus.includes(code) : (code) => code >= 200 && code < 300;
  const perSecond = [];
  let t0 = null;
  const instance = autocannon({
    url,
    method,
    headers,
    ...(body !== undefined ? { body } : {}),
    ...(requests ? { requests } : {}),
    connections,
    duration: seconds,
    timeout: 30,
  });
  instance.on('start', () => {
    t0 = performance.now();
  });
  instance.on('response', (_client, statusCode) => {
    if (t0 === null || !isOk(Number(statusCode))) return;
    const s = Math.floor((performance.now() - t0) / 1000);
    perSecond[s] = (perSecond[s] ?? 0) + 1;
  });
  const result = await instance;
  const completed = result.requests.total;
  const statusCodes = Object.fromEntries(
    Object.entries(result.statusCodeStats ?? {}).map(([code, stats]) => [code, stats.count]),
  );
  const ok = Object.entries(statusCodes).reduce(
    (n, [code, count]) => n + (isOk(Number(code)) ? count : 0),
    0,
  );
  const duration = result.duration || seconds;
  return {
    connections,
    seconds,
    requests: completed,
    rps: Math.round(completed / duration),
    ok,
    ok_rps: Math.round(ok / duration),
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    max_ms: result.latency.max,
    non_2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    status_codes: statusCodes,
    stability: stabilityOf(perSecond, Math.floor(duration)),
  };
}

/** Ok answers per whole second: min / median / max and first-half ÷ second-half rate. */
function stabilityOf(perSecond, wholeSeconds) {
  const counts = Array.from({ length: Math.max(0, wholeSeconds) }, (_, i) => perSecond[i] ?? 0);
  if (counts.length < 2) return null;
  const sorted = [...counts].sort((a, b) => a - b);
  const half = Math.floor(counts.length / 2);
  const sum = (xs) => xs.reduce((n, x) => n + x, 0);
  const second = sum(counts.slice(half)) / (counts.length - half);
  return {
    per_second_min: sorted[0],
    per_second_median: sorted[Math.floor(sorted.length / 2)],
    per_second_max: sorted[sorted.length - 1],
    first_half_vs_second: second > 0 ? Number((sum(counts.slice(0, half)) / half / second).toFixed(2)) : null,
  };
}

module.exports = { load };
