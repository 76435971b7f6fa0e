import type { CompanyCounts } from './company-counts';
import type { TallyStats } from './tally';

export interface TableColumns {
  /** Status values in display order (the published enum); values seen outside it are appended. */
  statuses: string[];
  origins: string[];
}

interface Column {
  header: string;
  /** Columns of one group sit under one title, between vertical bars. */
  group: number;
  cell: (c: CompanyCounts) => number;
}

const GROUP_TITLES = ['', '', 'by status (live)', 'by origin (live)', ''];

/** The per-company counts as a fixed-width text table with a total row. */
export function renderTable(companies: CompanyCounts[], columns: TableColumns): string {
  if (companies.length === 0) return '(no contacts yet)';
  const statuses = withSeen(columns.statuses, companies, (c) => c.byStatus);
  const origins = withSeen(columns.origins, companies, (c) => c.byOrigin);
  const cols: Column[] = [
    { header: 'live', group: 1, cell: (c) => c.live },
    ...statuses.map((s) => ({ header: s, group: 2, cell: (c: CompanyCounts) => c.byStatus[s] ?? 0 })),
    ...origins.map((o) => ({ header: o, group: 3, cell: (c: CompanyCounts) => c.byOrigin[o] ?? 0 })),
    { header: 'discarded', group: 4, cell: (c) => c.discarded },
  ];
  const total = (label: string) => [
    label,
    ...cols.map((col) => String(companies.reduce((n, c) => n + col.cell(c), 0))),
  ];
  const rows = [
    ['company', ...cols.map((col) => col.header)],
    ...companies.map((c) => [String(c.companyId), ...cols.map((col) => String(col.cell(c)))]),
    total('total'),
  ];
  const groupOf = [0, ...cols.map((col) => col.group)];
  const widths = groupOf.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  const groupWidth = (g: number) =>
    groupOf.reduce((sum, group, i) => (group === g ? sum + (widths[i] ?? 0) + 2 : sum), 0) - 2;
  // A title wider than its group's columns widens the group's last column.
  GROUP_TITLES.forEach((title, g) => {
    const missing = title.length - groupWidth(g);
    if (missing > 0) widths[groupOf.lastIndexOf(g)] = (widths[groupOf.lastIndexOf(g)] ?? 0) + missing;
  });

  const render = (cells: string[]) => {
    let line = '';
    cells.forEach((cell, i) => {
      const width = widths[i] ?? 0;
      if (i > 0) line += groupOf[i] === groupOf[i - 1] ? '  ' : ' | ';
      line += i === 0 ? cell.padEnd(width) : cell.padStart(width);
    });
    return line;
  };
  const titles = GROUP_TITLES.map((title, g) => title.padEnd(groupWidth(g))).join(' | ');
  const rule = GROUP_TITLES.map((_, g) => '-'.repeat(groupWidth(g))).join('-+-');
  const body = rows.slice(1).map(render);
  const totalLine = body.pop() ?? '';
  return [titles.trimEnd(), render(rows[0] ?? []), rule, ...body, rule, totalLine].join('\n');
}

/** One line saying what the consumer did with every message so far. */
export function renderStats(stats: TallyStats): string {
  const unknown = Object.entries(stats.unknownTypes);
  const unknownCount = unknown.reduce((n, [, count]) => n + count, 0);
  const parts = [
    `messages ${stats.messages}`,
    `applied ${stats.applied}`,
    `duplicates skipped ${stats.duplicates}`,
    `invalid ${stats.invalid}`,
    `unknown types ignored ${unknownCount}${unknown.length ? ` (${unknown.map(([t, n]) => `${t}: ${n}`).join(', ')})` : ''}`,
  ];
  if (stats.notCounted) parts.push(`other events ${stats.notCounted}`);
  if (stats.unseenContacts) parts.push(`events of contacts created before the start ${stats.unseenContacts}`);
  if (stats.gaps) parts.push(`version gaps ${stats.gaps}`);
  return parts.join(' · ');
}

function withSeen(
  known: string[],
  companies: CompanyCounts[],
  pick: (c: CompanyCounts) => Record<string, number>,
) {
  const seen = new Set(companies.flatMap((c) => Object.keys(pick(c))));
  return [...known, ...[...seen].filter((v) => !known.includes(v)).sort()];
}
