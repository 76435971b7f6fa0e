// HTTP load with autocannon (one well-kept tool for every HTTP figure, ours and the raw one).
const autocannon = require('autocannon');

/**
 * Runs autocannon for `seconds` at `connections` (closed loop, one request in flight per
 * connection) and returns the figures the report uses. Counts non-2xx answers and errors so a
 * figure built on failures is visible as such.
 */
async function load({ url, method = 'GET', headers = {}, body, connections, seconds, requests }) {
  const result = await autocannon({
    url,
    method,
    headers,
    ...(body !== undefined ? { body } : {}),
    ...(requests ? { requests } : {}),
    connections,
    duration: seconds,
    timeout: 30,
  });
  const completed = result.requests.total;
  return {
    connections,
    seconds,
    requests: completed,
    rps: Math.round(completed / (result.duration || seconds)),
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    max_ms: result.latency.max,
    non_2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    status_codes: Object.fromEntries(
      Object.entries(result.statusCodeStats ?? {}).map(([code, stats]) => [code, stats.count]),
    ),
  };
}

module.exports = { load };
