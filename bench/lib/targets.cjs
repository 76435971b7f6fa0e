// The write-throughput targets (issue 14, "Done when") each figure is checked against, in one
// place; the report lists every check with what was measured and whether it was met.

const WRITE_TARGETS = {
  /** Single create through the gateway at c=32 ÷ bare express hello-world at c=32, same run. */
  createRatioC32: 0.14,
  createP99MsC32: 250,
  /** CPU per acknowledged create across every process of ours and every server, catch-up included. */
  cpuPerCreateMs: 5,
  /** Bulk through the gateway ÷ raw insertMany of 1000, same run. */
  bulkRatio: 0.6,
};

/**
 * One check: `what` (e.g. "p99 at c=32"), the `measured` value, `op` ('≥' or '≤') and the `limit`.
 * A missing measurement is not met.
 */
function check(what, measured, op, limit, unit = '') {
  const ok =
    typeof measured === 'number' &&
    Number.isFinite(measured) &&
    (op === '≥' ? measured >= limit : measured <= limit);
  return { target: `${what} ${op} ${limit}${unit}`, measured: measured ?? null, unit, met: ok };
}

module.exports = { WRITE_TARGETS, check };
