// chaos/results/latest.md from a run's result: the verdicts, one row per fault, the totals, what
// was not exercised, and the commands that reproduce it.
const s = (ms) => (ms === null || ms === undefined ? 'n/a' : `${(ms / 1000).toFixed(1)} s`);

/** The load's mix as the report states it (load.cjs nextOperation). */
function loadMix(routes, config) {
  const parts = ['30% creates', '28% updates with If-Match'];
  if (routes.groups) parts.push('7% group memberships');
  if (routes.notes && routes.tasks) parts.push('7% notes and tasks');
  if (config.smartlinksMax && routes.smartlinks && routes.pushSubscriptions)
    parts.push('6% SmartLink creates, opens and beacons');
  parts.push('10% deletes', '12% restores (a kind that is off goes to updates)');
  return parts.join(', ');
}

function renderMarkdown(r) {
  const lines = [];
  const pushes = (r.verdicts ?? []).find((v) => v.id === 'n')?.pushes;
  const c = r.conditions ?? {};
  lines.push(`# Chaos run — ${c.date ?? r.startedAt}`, '');
  lines.push(`**${r.ok ? 'PASS' : 'FAIL'}** in ${r.elapsedS} s. Reproduce: \`${r.reproduce}\`.`, '');
  lines.push(
    `- **Machine**: ${c.cores} cores, load average at start ${c.loadAverageAtStart?.join(' / ')}, Node ${c.node}; code ${c.commit}${c.uncommittedFilesInAppsLibs ? ` + ${c.uncommittedFilesInAppsLibs} uncommitted files in apps/ and libs/` : ''}`,
    `- **Servers**: private Kafka (KRaft, single node), FerretDB (SQLite) and Redis started by tools/infra.sh for this run only (ports ${Object.entries(
      r.servers?.ports ?? {},
    )
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}); the shared servers are never touched`,
    `- **Apps**: ${r.apps?.join(', ')} from apps/*/dist, one process each`,
    `- **Load**: ${r.config.rate} writes/s offered through the gateway (${loadMix(r.optionalRoutes ?? {}, r.config)}, every ${r.config.bulkEvery}th a bulk create of ${r.config.bulkSize}), Idempotency-Key on every POST, 503s and timeouts retried with the same key; a single-contact read every ${r.config.readEveryMs} ms; ${r.skippedTicks ?? 0} ticks skipped because ${r.config.maxInFlight} requests were already in flight`,
    `- **Faults** held ${s(r.config.holdMs)} (SIGSTOP ${s(r.config.stallHoldMs)}), then healed; "recover" = from the heal until every app's /readyz is 200 and a new write is readable with its consistency token (\`X-Consistency: fresh\`)`,
    `- **Routes**: ${Object.entries(r.optionalRoutes ?? {})
      .map(([k, v]) => `${k} ${v ? 'in the load' : 'not routed by the gateway yet (skipped)'}`)
      .join('; ')}`,
    ...(pushes
      ? [
          `- **Pushes**: ${pushes.received} received by the local push service for ${pushes.events} SmartLink opens and activities: ${pushes.pushed} named by a push, ${pushes.toldUnnamed} told by a shortened or digest push, ${pushes.noDevice} of reps without a device`,
        ]
      : []),
    '',
  );
  lines.push(
    '| fault | acknowledged | lost | duplicated | 5xx (unexpected) | 503s | refused / unknown | longest write outage | longest read outage | time to recover | reproduce |',
  );
  lines.push('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const row of r.rows ?? []) {
    const fault = (r.faults ?? []).find((f) => f.id === row.id);
    const reproduce = fault && fault.id !== 'baseline' ? `\`CHAOS_FAULTS=${fault.id} npm run chaos\`` : '';
    lines.push(
      `| ${row.fault}${row.note ? `<br>_${row.note}_` : ''}${fault?.error ? `<br>**error**: ${fault.error}` : ''} | ${row.acknowledged} | ${row.lost} | ${row.duplicated} | ${row.unexpected5xx}${row.hung ? ` (+${row.hung} hung)` : ''} | ${row.status503} | ${row.refused} / ${row.unknown} | ${s(row.writeOutageMs)} | ${s(row.readOutageMs)} | ${s(row.recoverMs)} | ${reproduce} |`,
    );
  }
  const t = r.totals ?? {};
  lines.push(
    '',
    `**Totals**: ${t.operations} operations, ${t.acknowledged} acknowledged writes (${t.groupWrites ?? 0} to groups, ${t.noteTaskWrites ?? 0} to notes and tasks, ${t.smartlinkWrites ?? 0} SmartLink creates, opens and beacons), ${t.refused} refused, ${t.unknown} unknown (no definitive answer within ${s(r.config.maxOpMs)}), ${t.lost} lost, ${t.duplicated} duplicated, ${t.unexpected5xx} unexpected 5xx, ${t.hung} hung, ${t.status503} 503s; ${t.reads} reads; contacts event store ${t.storeEvents} events, contacts topic ${t.topicMessages} messages; ${t.redeliveredCopies} redelivered copies of an event already on its topic (at-least-once delivery, deduplicated by consumers).`,
    '',
  );
  lines.push('## Verdicts', '');
  for (const v of r.verdicts ?? []) {
    lines.push(
      `- (${v.id}) ${v.notApplicable ? 'n/a' : v.ok ? 'ok' : `**FAIL** (${v.problems})`} — ${v.name}${v.notApplicable ? `: ${v.notApplicable}` : ''}`,
    );
    for (const example of v.examples) lines.push(`  - ${example}`);
  }
  if (r.settled && !r.settled.settled) lines.push('', `Did not settle: ${JSON.stringify(r.settled)}`);
  if (r.rebuild)
    lines.push(
      '',
      `Final fresh rebuild from offset 0: ${r.rebuild.messages} events in ${r.rebuild.seconds} s (${r.rebuild.messagesPerSecond ?? Math.round(r.rebuild.messages / r.rebuild.seconds)}/s) into generation ${r.rebuild.to}, compared document for document with the live read models.`,
    );
  if (r.skipped?.length) {
    lines.push('', '## Not run', '');
    for (const k of r.skipped) lines.push(`- ${k.name}: ${k.reason}`);
  }
  if (r.incidents?.length) {
    lines.push('', '## Incidents', '');
    for (const i of r.incidents) lines.push(`- ${i}`);
  }
  lines.push(
    '',
    '## Reproduce',
    '',
    `- Everything: \`npm run chaos\` (after \`npm test\` once: it builds and caches the servers). One fault: \`CHAOS_FAULTS=<id> npm run chaos\`.`,
  );
  lines.push(
    '- Fault ids: ' +
      (r.faults ?? [])
        .filter((f) => !['baseline', 'end'].includes(f.id))
        .map((f) => `\`${f.id}\``)
        .join(', ') +
      '.',
    '',
  );
  return `${lines.join('\n')}\n`;
}

module.exports = { renderMarkdown };
