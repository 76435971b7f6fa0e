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
  // For a rate, the CPU each operation cost the stack: % of a core × 10 / (ops/s) = ms per op.
  if (f && typeof f.value === 'number' && f.value > 0 && /\/s$/.test(f.unit) && !/^raw/.test(f.figure)) {
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
  if (c.mode) parts.push(c.mode);
  if (c.poll_latency_ms?.p50 != null) parts.push(`poll answers p50 ${fmt(c.poll_latency_ms.p50)} ms`);
  if (c.failed) parts.push(`**failed: ${c.failed}**`);
  if (c.non_2xx) parts.push(`**${c.non_2xx} non-2xx**`);
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
      'the CPU time of our services and servers (not the load generator) divided by the operations done.',
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
    const extra = f.vs_direct !== undefined && f.vs_direct !== null ? ` (vs direct ${f.vs_direct})` : '';
    out.push(
      `| ${f.figure} | ${conditionsOf(f)} | ${f.value === null ? 'n/a' : `${fmt(f.value)} ${f.unit}`} | ${lat} | ${f.raw?.figure ?? ''} | ${rawCell}${also} | ${fmt(f.ratio)}${extra} | ${busiest(f.cpu, f)} |`,
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
