// Renders the results of a run as Markdown: conditions, our figures next to the raw limits of
// the same run with the ratio, the raw limits themselves, what was not measured and why, the
// CPU profile summary, and the command that reproduces each group of figures.

const fmt = (v) =>
  v === null || v === undefined ? 'n/a' : typeof v === 'number' ? v.toLocaleString('en-US') : String(v);

function busiest(cpu, f) {
  if (!cpu) return '';
  const ours = Object.entries(cpu).filter(([name]) => name !== 'machine');
  const others = cpu.machine !== undefined ? cpu.machine - ours.reduce((n, [, v]) => n + v, 0) : null;
  const top = ours
    .filter(([, v]) => v >= 5)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .map(([name, v]) => `${name} ${v}`)
    .join(', ');
  let perOp = '';
  if (f?.cost) perOp = `<br>${costLine(f.cost, f.unit)}`;
  // For a rate, the CPU each operation cost the stack: % of a core × 10 / (ops/s) = ms per op.
  else if (f && typeof f.value === 'number' && f.value > 0 && /\/s$/.test(f.unit) && !/^raw/.test(f.figure)) {
    const stack = ours.filter(([name]) => name !== 'bench');
    const total = stack.reduce((n, [, v]) => n + v, 0);
    const ms = (v) => Math.round(((v * 10) / f.value) * 10) / 10;
    perOp = `<br>CPU per ${f.unit.replace(/\/s$/, '').replace(/s$/, '')}: ${ms(total)} ms (${stack
      .filter(([, v]) => ms(v) >= 0.5)
      .sort((a, b) => b[1] - a[1])
      .map(([name, v]) => `${name} ${ms(v)}`)
      .join(', ')})`;
  }
  return `${others !== null ? `${top}; rest of machine ${Math.max(0, others)}` : top}${perOp}`;
}

/**
 * CPU per acknowledged operation over the load and the projection's catch-up (bench/lib/write-cost.cjs):
 * the total of every counted process, the breakdown, and what was not counted.
 */
function costLine(cost, unit) {
  const what = cost.per ?? unit.replace(/\/s$/, '').replace(/s$/, '');
  const parts = Object.entries(cost.by_process)
    .filter(([, v]) => v !== null)
    .sort((a, b) => b[1] - a[1])
    .map(([name, v]) => `${name} ${v}`)
    .join(', ');
  const w = cost.window;
  const windowText = `${w.load_s} s load + ${w.tail_s} s until the projection had applied ${fmt(w.events_on_topic)} events${w.caught_up ? '' : ` — **not caught up, ${fmt(w.lag_left)} left**`}`;
  const missing = cost.not_counted?.length ? `; **not counted: ${cost.not_counted.join(', ')}**` : '';
  const aside = [
    cost.idle_background_ms_per_op !== null ? `idle background ${cost.idle_background_ms_per_op}` : null,
    cost.load_generator_ms_per_op !== null
      ? `load generator ${cost.load_generator_ms_per_op} (not counted)`
      : null,
    cost.rest_of_machine_ms_per_op !== null ? `rest of machine ${cost.rest_of_machine_ms_per_op}` : null,
  ]
    .filter(Boolean)
    .join(', ');
  return `**CPU per ${what}: ${fmt(cost.ms_per_op)} ms** (${parts})${missing}; over ${windowText}; ${fmt(cost.ops)} acknowledged${aside ? `; ms per ${what} also: ${aside}` : ''}`;
}

function conditionsOf(f) {
  const c = f.conditions ?? {};
  const parts = [];
  if (c.concurrency !== undefined) parts.push(`c=${c.concurrency}`);
  if (c.duration_s !== undefined) parts.push(`${c.duration_s} s`);
  if (c.data_size !== undefined) parts.push(`tenant of ${fmt(c.data_size)} contacts`);
  if (c.read_model_size != null) parts.push(`read model of ${fmt(c.read_model_size)}`);
  if (c.bulks !== undefined) parts.push(`${c.bulks} bulks`);
  if (c.rate_per_s !== undefined) parts.push(`${c.rate_per_s} writes/s`);
  if (c.writes !== undefined) parts.push(`${c.writes} writes`);
  if (c.samples !== undefined) parts.push(`${c.samples} samples`);
  if (c.messages !== undefined) parts.push(`${fmt(c.messages)} msgs`);
  if (c.docs !== undefined) parts.push(`${fmt(c.docs)} docs`);
  if (c.events !== undefined) parts.push(`${fmt(c.events)} events`);
  if (c.seconds !== undefined) parts.push(`${c.seconds} s wall clock`);
  if (c.command_report?.messagesPerSecond !== undefined)
    parts.push(
      `command's own report ${fmt(c.command_report.messagesPerSecond)}/s over ${c.command_report.seconds} s`,
    );
  if (c.requests !== undefined) parts.push(`${fmt(c.requests)} requests`);
  if (c.warmup_s !== undefined) parts.push(`after ${c.warmup_s} s warm-up`);
  if (c.acknowledged !== undefined) parts.push(`${fmt(c.acknowledged)} acknowledged`);
  if (c.successful !== undefined) parts.push(`${fmt(c.successful)} successful`);
  if (c.retries_per_success != null) parts.push(`${fmt(c.retries_per_success)} retries (412) per success`);
  if (c.gets_for_etag)
    parts.push(`${fmt(c.gets_for_etag)} GETs for the ETag (${fmt(c.stale_gets ?? 0)} stale)`);
  if (c.gave_up) parts.push(`**${c.gave_up} gave up**`);
  if (c.stability)
    parts.push(
      `per second min/median/max ${c.stability.per_second_min}/${c.stability.per_second_median}/${c.stability.per_second_max}`,
    );
  if (c.mode) parts.push(c.mode);
  if (c.poll_latency_ms?.p50 != null) parts.push(`poll answers p50 ${fmt(c.poll_latency_ms.p50)} ms`);
  if (c.failed) parts.push(`**failed: ${c.failed}**`);
  if (c.non_2xx) parts.push(`**${c.non_2xx} non-2xx**`);
  if (c.first_error) parts.push(`first failure: ${c.first_error}`);
  if (c.never_seen) parts.push(`**${c.never_seen} never listed**`);
  if (c.complete === false) parts.push('**incomplete**');
  return parts.join(', ');
}

function renderMarkdown(results) {
  const { conditions: k, figures } = results;
  const out = [];
  out.push(`# Benchmark results — ${k.date.slice(0, 16).replace('T', ' ')} UTC`);
  out.push('');
  out.push(
    `- **Machine**: ${k.machine.cores} cores (${k.machine.cpu}), ${k.machine.memory_gib} GiB, ${k.machine.os}, Node ${k.machine.node}; load average at start ${k.machine.load_average_at_start.join(' / ')}`,
  );
  if (k.code)
    out.push(
      `- **Code**: commit ${k.code.commit}${k.code.uncommitted_files_in_apps_libs ? ` plus ${k.code.uncommitted_files_in_apps_libs} uncommitted files under apps/ and libs/ (work in progress of others, built as found)` : ''}`,
    );
  out.push(`- **Database server**: ${k.servers.database}`);
  out.push(
    `- **Kafka**: ${k.servers.kafka}; **Redis**: ${k.servers.redis}; servers from ${k.servers.local_infra}`,
  );
  out.push(`- **Services**: ${k.services}`);
  out.push(
    `- **Load**: ${k.load_tool}; total run time ${results.total_seconds} s${k.settings.quick ? ' (**BENCH_QUICK=1**: short, small run)' : ''}`,
  );
  out.push('');
  out.push(
    'Ratio = our figure / the raw limit measured in the same run on the same servers (for latencies: ours / raw, so higher is slower). ' +
      'CPU = share of one core each process used during that measurement, from /proc (200 = both cores): `bench` is the load generator, ' +
      '"rest of machine" every process that is not part of the benchmark (e.g. other users\' test runs). For rates, CPU per operation = ' +
      'the CPU time of our services and servers (not the load generator) divided by the operations done; for writes (**CPU per create / update / contact**) ' +
      'it is counted from the start of the load until the projection has committed every event the load put on the topic, ' +
      'divided by the acknowledged writes, with every process and server named (`idle background` = what the same processes burn with no load, over the same window).',
  );
  out.push('');
  out.push(
    '| figure | conditions | ours | p50 / p99 ms | raw limit (same run) | raw | ratio | CPU % of a core |',
  );
  out.push('|---|---|---|---|---|---|---|---|');
  for (const f of figures.filter((x) => !x.figure.startsWith('raw'))) {
    const lat = f.p50_ms !== undefined ? `${fmt(f.p50_ms)} / ${fmt(f.p99_ms)}` : '';
    const rawCell = f.raw
      ? `${fmt(f.raw.value)} ${f.raw.unit}${f.raw.p99_ms !== undefined ? ` (p99 ${fmt(f.raw.p99_ms)})` : ''}`
      : '';
    const also = (f.raw_also ?? [])
      .map(
        (r) =>
          `<br>${r.figure}: ${fmt(r.value)} ${r.unit}${r.ratio != null ? ` (ratio ${fmt(r.ratio)})` : ''}`,
      )
      .join('');
    const vs = [
      ['direct', f.vs_direct],
      ['floor', f.vs_floor],
    ].filter(([, v]) => v !== undefined && v !== null);
    const extra = vs.length ? ` (${vs.map(([k, v]) => `vs ${k} ${v}`).join(', ')})` : '';
    out.push(
      `| ${f.figure} | ${conditionsOf(f)} | ${f.value === null ? 'n/a' : `${fmt(f.value)} ${f.unit}`} | ${lat} | ${f.raw?.figure ?? ''} | ${rawCell}${also} | ${fmt(f.ratio)}${extra} | ${busiest(f.cpu, f)} |`,
    );
  }
  const checks = figures.flatMap((f) =>
    (f.targets ?? []).map((t) => ({ ...t, figure: f.figure, c: f.conditions?.concurrency })),
  );
  if (checks.length) {
    out.push('');
    out.push('### Write targets (issue 14)');
    out.push('');
    out.push('| figure | target | measured | met |');
    out.push('|---|---|---|---|');
    for (const t of checks)
      out.push(
        `| ${t.figure}${t.c !== undefined ? ` (c=${t.c})` : ''} | ${t.target} | ${fmt(t.measured)}${t.measured !== null ? t.unit : ''} | ${t.met ? 'yes' : '**no**'} |`,
      );
  }
  out.push('');
  out.push('### Raw limits measured in this run');
  out.push('');
  out.push('| raw figure | conditions | value | p50 / p99 ms | CPU % of a core |');
  out.push('|---|---|---|---|---|');
  for (const f of figures.filter((x) => x.figure.startsWith('raw'))) {
    const lat = f.p50_ms !== undefined ? `${fmt(f.p50_ms)} / ${fmt(f.p99_ms)}` : '';
    out.push(
      `| ${f.figure.replace(/^raw:\s*/, '')} | ${conditionsOf(f)} | ${f.value === null ? 'n/a' : `${fmt(f.value)} ${f.unit}`} | ${lat} | ${busiest(f.cpu)} |`,
    );
  }
  if (results.skipped.length) {
    out.push('');
    out.push('### Not measured');
    out.push('');
    for (const s of results.skipped) out.push(`- ${s.figure}: ${s.reason}`);
  }
  if (results.incidents?.length) {
    out.push('');
    out.push('### Incidents during the run');
    out.push('');
    for (const i of results.incidents) out.push(`- ${i}`);
  }
  if (results.seed) {
    out.push('');
    out.push(
      `Large tenant: ${fmt(results.seed.applied)} of ${fmt(results.seed.tenant_contacts)} contacts applied; seeded by ${results.seed.method}.`,
    );
  }
  for (const [name, p] of Object.entries(results.profiles ?? {})) {
    out.push('');
    out.push(
      `### CPU profile: ${name} (node --cpu-prof, single create at c=${p.load.concurrency}, ${p.load.rps} req/s; process CPU ${p.load.cpu?.[name] ?? 'n/a'}% of a core; ${p.samples} samples in the ${p.window_ms ?? '?'} ms load window, ${p.busy_pct}% not idle)`,
    );
    out.push('');
    out.push(
      `By package (self time): ${p.by_package
        .slice(0, 8)
        .map((x) => `${x.package} ${x.self_pct}%`)
        .join(', ')}`,
    );
    out.push('');
    out.push(
      `Top functions (self time): ${p.top_functions
        .slice(0, 8)
        .map((x) => `\`${x.function}\` ${x.self_pct}%`)
        .join(', ')}`,
    );
  }
  out.push('');
  out.push('### Reproduce');
  out.push('');
  out.push('Everything: `npm run bench` (BENCH_QUICK=1 for a short run). One group of figures:');
  out.push('');
  const seen = new Set();
  for (const f of figures) {
    if (seen.has(f.reproduce)) continue;
    seen.add(f.reproduce);
    out.push(`- ${f.phase}: \`${f.reproduce}\``);
  }
  return `${out.join('\n')}\n`;
}

module.exports = { renderMarkdown };

// Re-renders the Markdown of a results file: node bench/lib/report.cjs bench/results/latest.json
if (require.main === module) {
  const fs = require('node:fs');
  const file = process.argv[2] ?? 'bench/results/latest.json';
  fs.writeFileSync(file.replace(/\.json$/, '.md'), renderMarkdown(JSON.parse(fs.readFileSync(file, 'utf8'))));
}
