// PATCH /contacts/:id through the gateway at BENCH_PATCH_CONNECTIONS (32), closed loop, for
// BENCH_SECONDS after a warm-up, in two shapes:
// - distinct contacts: each connection updates its own BENCH_PATCH_PER_CONNECTION contacts
//   (created beforehand with one bulk), round robin, without If-Match: no two requests contend;
// - one hot contact: every connection updates the same contact with `If-Match` (the ETag it last
//   saw); a 412 is retried the way a client must — the 412 answer names no version (a version
//   ETag on it, W/"<n>", would be used), so it GETs the contact (contacts-query, read model) for
//   its ETag and sends the PATCH again (at most MAX_ATTEMPTS per update, then it gives up). The
//   read model may lag the write side: a GET can return a version already superseded, which
//   costs another 412 — what a real client sees, and counted as a retry.
// Successful updates/s, p50/p99 of an update (first attempt → 200, retries included), retries per
// success, and CPU per successful update by process over the load plus the projection's catch-up
// (bench/lib/write-cost.cjs). Raw limit: the hello-world at the same concurrency when `single` ran.
const { keepAliveClient } = require('../lib/client.cjs');
const { API, jsonHeaders, auth } = require('../lib/http.cjs');
const { summarize, perSecond, ratio } = require('../lib/stats.cjs');
const { projectionProgress, idleBackground, measureWriteCost } = require('../lib/write-cost.cjs');

const MAX_ATTEMPTS = 50;
/** A contact version as the API writes it: W/"<version>". */
const VERSION_ETAG = /^W\/"\d+"$/;
const WARMUP_S = 2;

module.exports = {
  name: 'patch',
  title:
    'PATCH /contacts/:id through the gateway at BENCH_PATCH_CONNECTIONS: distinct contacts, and one hot contact with If-Match (412 retried); CPU per update',
  order: 25,
  needs: { stack: true },
  settings: {
    patchConnections: { env: 'BENCH_PATCH_CONNECTIONS', full: 32, quick: 32 },
    patchPerConnection: { env: 'BENCH_PATCH_PER_CONNECTION', full: 8, quick: 4 },
  },
  estimateS: (cfg) => 2 * (WARMUP_S + cfg.seconds + 20) + 30,
  async run(ctx) {
    const { cfg } = ctx;
    const c = cfg.patchConnections;
    const cmd = ctx.reproduce([
      'BENCH_SECONDS',
      'BENCH_PATCH_CONNECTIONS',
      'BENCH_PATCH_PER_CONNECTION',
      'BENCH_CATCHUP_MAX_S',
    ]);
    const { token } = await ctx.tenant('patch');
    const gateway = ctx.stack.services.gateway.url;
    const client = keepAliveClient(gateway, c);
    const progress = projectionProgress(ctx);
    const single = ctx.outputs.single;
    const hello = single?.hello?.[c];
    const raw = hello
      ? { figure: `bare express hello-world (GET /), c=${c}, single group`, value: hello, unit: 'req/s' }
      : null;
    const rawAlso =
      single?.gatewayCreate?.[c] !== undefined
        ? [
            {
              figure: `single create through the gateway, c=${c}`,
              value: single.gatewayCreate[c],
              unit: 'req/s',
            },
          ]
        : undefined;
    try {
      ctx.log(`patch: creating ${c} × ${cfg.patchPerConnection} contacts (one bulk) and one hot contact`);
      const ids = await bulkCreate(client, token, c * cfg.patchPerConnection);
      const own = Array.from({ length: c }, (_, w) =>
        ids.slice(w * cfg.patchPerConnection, (w + 1) * cfg.patchPerConnection),
      );
      const hot = await client.request('POST', API, {
        headers: jsonHeaders(token),
        body: JSON.stringify({ first_name: 'Hot', last_name: 'Contact', status: 'lead' }),
      });
      if (hot.status !== 201) throw new Error(`creating the hot contact answered ${hot.status}`);
      const hotId = hot.body.contact.id;
      const hotEtags = Array.from({ length: c }, () => hot.etag);

      const background = await idleBackground(ctx.stack.pids);
      const measure = async (label, shape) => {
        ctx.log(
          `patch: ${label}, c=${c}, ${WARMUP_S} s warm-up + ${cfg.seconds} s (CPU until the projection caught up)`,
        );
        await shape(WARMUP_S);
        return measureWriteCost({
          ctx,
          progress,
          pids: ctx.stack.pids,
          load: () => shape(cfg.seconds),
          ops: (r) => r.successful,
          per: 'update',
          tailMaxS: cfg.catchupMaxS,
          background,
        });
      };

      // Every PATCH sets a value never sent before, so none is a no-op answered without an event.
      let seq = 0;
      const distinct = await measure('distinct contacts', (seconds) =>
        closedLoop(c, seconds, async (w, n) => {
          const mine = own[w];
          const id = mine[n % mine.length];
          const r = await client.request('PATCH', `${API}/${id}`, {
            headers: jsonHeaders(token),
            body: JSON.stringify({ first_name: `Patched${seq++}` }),
          });
          return { ok: r.status === 200, status: r.status, ms: r.ms, retries: 0, gets: 0, error: errorOf(r) };
        }),
      );
      report(ctx, {
        figure: `update (PATCH) through the gateway, distinct contacts (${cfg.patchPerConnection} per connection, no If-Match)`,
        run: distinct,
        c,
        seconds: cfg.seconds,
        raw,
        rawAlso,
        cmd,
      });

      const hotRun = await measure('one hot contact with If-Match', (seconds) =>
        closedLoop(c, seconds, async (w, n, deadline) => {
          const t = performance.now();
          let retries = 0;
          let gets = 0;
          let stale = 0;
          for (let attempt = 1; attempt <= MAX_ATTEMPTS && performance.now() < deadline; attempt++) {
            const r = await client.request('PATCH', `${API}/${hotId}`, {
              headers: { ...jsonHeaders(token), 'if-match': hotEtags[w] },
              body: JSON.stringify({ first_name: `Hot${seq++}` }),
            });
            if (r.status === 200) {
              hotEtags[w] = r.etag;
              return { ok: true, status: 200, ms: performance.now() - t, retries, gets, stale };
            }
            if (r.status !== 412)
              return {
                ok: false,
                status: r.status,
                ms: performance.now() - t,
                retries,
                gets,
                stale,
                error: errorOf(r),
              };
            retries += 1;
            // A 412 that names the current version would save the GET; today's names none (its
            // ETag, if any, is express's hash of the error body, not a version: ignored).
            if (VERSION_ETAG.test(r.etag ?? '')) {
              hotEtags[w] = r.etag;
              continue;
            }
            const g = await client.request('GET', `${API}/${hotId}`, { headers: auth(token) });
            gets += 1;
            // The read model has not applied the version that beat us yet: the next try is a 412 too.
            if (g.etag === hotEtags[w]) stale += 1;
            if (g.status === 200 && VERSION_ETAG.test(g.etag ?? '')) hotEtags[w] = g.etag;
          }
          // Out of attempts (or of time: that update is not counted either way).
          return {
            ok: false,
            status: performance.now() < deadline ? 'gave up' : null,
            ms: 0,
            retries,
            gets,
            stale,
          };
        }),
      );
      report(ctx, {
        figure: `update (PATCH) through the gateway, one hot contact, If-Match, 412 retried (≤ ${MAX_ATTEMPTS} attempts)`,
        run: hotRun,
        c,
        seconds: cfg.seconds,
        raw,
        rawAlso,
        cmd,
        hot: true,
      });
    } finally {
      await progress.close();
      client.close();
    }
  },
};

/** What a failed answer said: its status and error code and message (or the socket error). */
function errorOf(r) {
  if (r.status === 200) return undefined;
  if (r.status === 0) return r.error;
  return `${r.status} ${r.body?.error?.code ?? ''}: ${r.body?.error?.message ?? ''}`.slice(0, 200);
}

/** `count` contacts created through the gateway in bulks of ≤ 1000; their ids. */
async function bulkCreate(client, token, count) {
  const ids = [];
  for (let start = 0; start < count; start += 1000) {
    const n = Math.min(1000, count - start);
    const r = await client.request('POST', `${API}/bulk`, {
      headers: jsonHeaders(token),
      body: JSON.stringify({
        contacts: Array.from({ length: n }, (_, i) => ({
          first_name: `Patch${start + i}`,
          last_name: 'Target',
          status: 'lead',
        })),
      }),
      timeoutMs: 120_000,
    });
    if (r.status !== 200) throw new Error(`bulk create for the patch figures answered ${r.status}`);
    for (const result of r.body.results) if (result.status === 201) ids.push(result.contact.id);
  }
  if (ids.length !== count)
    throw new Error(`bulk create for the patch figures made ${ids.length} of ${count}`);
  return ids;
}

/**
 * `connections` workers, each running `op(worker, n, deadline)` one after another until `seconds`
 * have passed (bounded in time; each op bounds its own attempts). Counts what each op answered;
 * an op still running at the deadline is not counted (`status: null`).
 */
async function closedLoop(connections, seconds, op) {
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  const latencies = [];
  const perSec = [];
  const statuses = {};
  let successful = 0;
  let retries = 0;
  let gets = 0;
  let stale = 0;
  let firstError = null;
  await Promise.all(
    Array.from({ length: connections }, async (_, w) => {
      for (let n = 0; performance.now() < deadline; n++) {
        const r = await op(w, n, deadline);
        // The 412s and GETs of an update still retrying at the deadline were spent all the same.
        retries += r.retries;
        gets += r.gets;
        stale += r.stale ?? 0;
        if (r.status === null) break;
        if (performance.now() > deadline && !r.ok) break;
        statuses[r.status] = (statuses[r.status] ?? 0) + 1;
        if (!r.ok) {
          firstError ??= r.error ?? String(r.status);
          continue;
        }
        successful += 1;
        latencies.push(r.ms);
        const s = Math.floor((performance.now() - t0) / 1000);
        perSec[s] = (perSec[s] ?? 0) + 1;
      }
    }),
  );
  const ms = performance.now() - t0;
  const whole = Array.from({ length: Math.floor(seconds) }, (_, i) => perSec[i] ?? 0).sort((a, b) => a - b);
  return {
    successful,
    ms,
    rate: perSecond(successful, ms),
    latency: summarize(latencies),
    statuses,
    retries,
    gets,
    stale,
    first_error: firstError,
    stability: whole.length
      ? {
          per_second_min: whole[0],
          per_second_median: whole[Math.floor(whole.length / 2)],
          per_second_max: whole[whole.length - 1],
        }
      : null,
  };
}

function report(ctx, { figure, run, c, seconds, raw, rawAlso, cmd, hot = false }) {
  const r = run.result;
  const failed = Object.entries(r.statuses)
    .filter(([status]) => status !== '200')
    .reduce((n, [, count]) => n + count, 0);
  ctx.figure({
    figure,
    value: r.rate,
    unit: 'updates/s',
    p50_ms: r.latency.p50,
    p99_ms: r.latency.p99,
    conditions: {
      concurrency: c,
      duration_s: seconds,
      warmup_s: WARMUP_S,
      successful: r.successful,
      // Updates that ended in anything but a 200 (a 412 that was retried is not one of them).
      non_2xx: failed,
      status_codes: r.statuses,
      ...(hot
        ? {
            retries_per_success: r.successful ? Number((r.retries / r.successful).toFixed(2)) : null,
            retries: r.retries,
            gets_for_etag: r.gets,
            // GETs that answered the very ETag the 412 had refused (the read model lagging).
            stale_gets: r.stale,
            gave_up: r.statuses['gave up'] ?? 0,
          }
        : {}),
      ...(r.first_error ? { first_error: r.first_error } : {}),
      stability: r.stability,
      latency: 'first attempt → 200, retries included',
    },
    raw,
    ratio: raw ? ratio(r.rate, raw.value) : null,
    ...(rawAlso ? { raw_also: rawAlso.map((x) => ({ ...x, ratio: ratio(r.rate, x.value) })) } : {}),
    cpu: run.cpu,
    cost: run.cost,
    reproduce: cmd,
  });
}
