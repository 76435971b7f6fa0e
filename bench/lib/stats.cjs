// Small numeric helpers shared by the benchmarks (autocannon reports its own percentiles; these
// are for the loops we time ourselves: raw driver calls, write-to-read lag).

/** Nearest-rank percentile of a list of numbers (ms); null for an empty list. */
function percentile(values, p) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return round(sorted[rank], 1);
}

function summarize(values) {
  return {
    samples: values.length,
    p50: percentile(values, 50),
    p99: percentile(values, 99),
    max: percentile(values, 100),
  };
}

/** Operations per second. */
const perSecond = (count, ms) => (ms > 0 ? Math.round((count / ms) * 1000) : null);

function round(value, digits = 0) {
  if (value === null || value === undefined || !Number.isFinite(value)) return null;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** ours / raw, two significant decimals; null when either side is missing. */
function ratio(ours, raw) {
  if (!Number.isFinite(ours) || !Number.isFinite(raw) || raw === 0) return null;
  return Number((ours / raw).toPrecision(2));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `step(i)` (awaited, one at a time) until `count` steps are done or `ms` have passed,
 * whichever comes first; returns how many ran and how long it took. Every raw loop uses it, so
 * none can run away on a slow machine.
 */
async function boundedLoop(count, ms, step) {
  const started = performance.now();
  let done = 0;
  while (done < count && performance.now() - started < ms) {
    await step(done);
    done += 1;
  }
  return { done, ms: performance.now() - started };
}

module.exports = { percentile, summarize, perSecond, round, ratio, sleep, boundedLoop };
