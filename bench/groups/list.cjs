// List latency on the large tenant `seed` built: four shapes through the gateway (first page,
// status filter, search, filters + search + sort), each next to the same find with the driver.
// A list too slow for a load level is timed with a few sequential requests instead; one whose
// raw find alone exceeds BENCH_LIST_MAX_MS is not sent at all (see below).
const { load } = require('../lib/load.cjs');
const { withCpu } = require('../lib/processes.cjs');
const { API, auth } = require('../lib/http.cjs');
const { readModelSize, rawListLatency, rawFindCell, timedGet } = require('../lib/read-side.cjs');
const { SEARCH_TERM, FILTER_STATUS, FILTER_LEAD_TYPE } = require('../lib/seed.cjs');
const { summarize, ratio, round } = require('../lib/stats.cjs');

const SHAPES = [
  { name: 'first page (newest 25)', query: 'limit=25', raw: {} },
  {
    name: `status filter (status=${FILTER_STATUS})`,
    query: `status=${FILTER_STATUS}&limit=25`,
    raw: { status: FILTER_STATUS },
  },
  {
    name: `search (q=${SEARCH_TERM})`,
    query: `q=${SEARCH_TERM}&limit=25`,
    raw: { _search: { $regex: SEARCH_TERM.toLowerCase() } },
  },
  {
    name: 'filters + search + sort',
    query: `status=${FILTER_STATUS}&lead_type=${FILTER_LEAD_TYPE}&q=${SEARCH_TERM}&sort=last_name&limit=50`,
    raw: {
      status: FILTER_STATUS,
      lead_type: FILTER_LEAD_TYPE,
      _search: { $regex: SEARCH_TERM.toLowerCase() },
    },
    sort: { _ln: 1, id: 1 },
    limit: 51,
  },
];

module.exports = {
  name: 'list',
  title: 'list latency of four shapes on the seeded tenant through the gateway, vs the same driver find',
  order: 70,
  needs: { stack: true },
  uses: ['seed'],
  settings: { listConnections: { env: 'BENCH_LIST_CONNECTIONS', full: 4, quick: 2 } },
  /** The four shapes: raw find ≤ BENCH_LIST_MAX_MS, then the HTTP measurement. */
  estimateS: (cfg) =>
    cfg.listMaxMs > 10_000
      ? // Four shapes, each timed listSamples times raw and through the gateway, at up to half the limit.
        Math.round((4 * 2 * cfg.listSamples * cfg.listMaxMs) / 2 / 1000) + 20
      : 4 * (cfg.seconds + 15) + 20,
  async run(ctx) {
    const { cfg, stack } = ctx;
    const seeded = ctx.outputs.seed;
    if (!seeded)
      return ctx.skip('list latency on a large tenant', 'not available: no seeded tenant (see above)');
    if (!ctx.readSide.ok)
      return ctx.skip('list latency on a large tenant', `not available: ${ctx.readSide.reason}`);
    const { applied, companyId, userId, token, upsertRate, cmd } = seeded;
    const size = await readModelSize(stack);
    let directProbed = false;
    for (const shape of SHAPES) {
      if (ctx.remainingS() < cfg.seconds + 25) {
        ctx.skip(`list latency: ${shape.name}`, 'skipped: time budget');
        continue;
      }
      const url = `${stack.services.gateway.url}${API}?${shape.query}`;
      // The raw limit right before ours: the same find with the driver, bounded by maxTimeMS.
      const [r] = await rawListLatency(ctx, [shape], { companyId, userId });
      const base = {
        figure: `list latency: ${shape.name}`,
        unit: 'ms (p50)',
        raw: r ? rawFindCell(r) : null,
        raw_also: [
          { figure: 'raw bulkWrite of 1000 upserts by _id', value: upsertRate, unit: 'docs/s', ratio: null },
        ],
        reproduce: cmd,
      };
      const conditions = { data_size: applied, read_model_size: size, query: `GET ${API}?${shape.query}` };
      if (r && r.samples === 0 && r.timed_out_after_ms) {
        // Sending it would not measure anything the raw find did not: contacts-query sets no
        // maxTimeMS, so a request the gateway abandons at its upstream timeout (10 s, then 503)
        // leaves the scan running in the database server for minutes, slowing everything after it
        // (and anyone else sharing the server).
        ctx.figure({
          ...base,
          value: null,
          conditions: {
            ...conditions,
            mode: `not sent: the database alone needs > ${r.timed_out_after_ms} ms for this find; through the gateway it would be a 503 after UPSTREAM_TIMEOUT_MS (BENCH_LIST_MAX_MS + 2 s) and leave an unbounded scan running in the server`,
          },
          ratio: null,
        });
        continue;
      }
      // One request first, bounded: a list that scans a large collection may take seconds, and a
      // load level must not be shorter than a few of its requests.
      const probe = await timedGet(url, token, cfg.listMaxMs + 10_000);
      if (!probe.ok) {
        ctx.figure({
          ...base,
          value: null,
          conditions: {
            ...conditions,
            failed: `first request: ${probe.error} after ${Math.round(probe.ms)} ms`,
          },
          ratio: null,
        });
        if (!directProbed && ctx.remainingS() > 90) {
          // The gateway gives up after UPSTREAM_TIMEOUT_MS (10 s): how long does the list really take?
          directProbed = true;
          ctx.log(
            `list: ${shape.name} failed through the gateway (${probe.error}); one request straight to contacts-query`,
          );
          const direct = await timedGet(
            `${stack.services.query.url}${API}?${shape.query}`,
            token,
            cfg.listMaxMs + 10_000,
          );
          ctx.figure({
            ...base,
            figure: `list latency: ${shape.name}, contacts-query direct (no gateway timeout)`,
            value: direct.ok ? round(direct.ms, 1) : null,
            p50_ms: direct.ok ? round(direct.ms, 1) : null,
            p99_ms: direct.ok ? round(direct.ms, 1) : null,
            conditions: {
              ...conditions,
              concurrency: 1,
              requests: 1,
              ...(direct.ok ? {} : { failed: `${direct.error} after ${Math.round(direct.ms)} ms` }),
            },
            ratio:
              direct.ok && r && typeof r.p50 === 'number' && r.samples > 0 ? ratio(direct.ms, r.p50) : null,
          });
        }
        continue;
      }
      if (probe.ms <= (cfg.seconds * 1000) / 3) {
        ctx.log(`list: ${shape.name} through the gateway, c=${cfg.listConnections}, ${cfg.seconds} s`);
        const run = await withCpu(stack.pids, () =>
          load({ url, headers: auth(token), connections: cfg.listConnections, seconds: cfg.seconds }),
        );
        const ok = run.result.requests - run.result.non_2xx > 0;
        ctx.figure({
          ...base,
          value: ok ? run.result.p50_ms : null,
          p50_ms: ok ? run.result.p50_ms : null,
          p99_ms: ok ? run.result.p99_ms : null,
          conditions: {
            ...conditions,
            concurrency: cfg.listConnections,
            duration_s: cfg.seconds,
            requests: run.result.requests,
            rps: run.result.rps,
            non_2xx: run.result.non_2xx + run.result.errors,
          },
          ratio: ok && r ? ratio(run.result.p50_ms, r.p50) : null,
          cpu: run.cpu,
        });
      } else {
        // Too slow for a load level within the budget: a few requests one after another instead.
        ctx.log(
          `list: ${shape.name} took ${Math.round(probe.ms)} ms; timing up to ${cfg.listSamples} sequential requests instead of a load level`,
        );
        const samples = [probe.ms];
        let failed = null;
        const run = await withCpu(stack.pids, async () => {
          const t0 = performance.now();
          while (
            samples.length < cfg.listSamples &&
            performance.now() - t0 < Math.max(cfg.seconds * 1000, cfg.listSamples * cfg.listMaxMs)
          ) {
            const next = await timedGet(url, token, cfg.listMaxMs + 10_000);
            if (!next.ok) {
              failed = next.error;
              break;
            }
            samples.push(next.ms);
          }
        });
        const sum = summarize(samples);
        ctx.figure({
          ...base,
          value: sum.p50,
          p50_ms: sum.p50,
          p99_ms: sum.p99,
          conditions: {
            ...conditions,
            concurrency: 1,
            requests: samples.length,
            mode: 'sequential (too slow for a load level)',
            ...(failed ? { failed } : {}),
          },
          ratio: r ? ratio(sum.p50, r.p50) : null,
          cpu: run.cpu,
        });
      }
    }
  },
};
