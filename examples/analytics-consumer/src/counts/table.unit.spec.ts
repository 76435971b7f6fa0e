import { createTally } from './tally';
import { renderStats, renderTable } from './table';

const columns = { statuses: ['active', 'lead', 'customer'], origins: ['user_app', 'company_api'] };

describe('renderTable', () => {
  it('prints one row per company, a total row, and the discarded column apart', () => {
    const table = renderTable(
      [
        { companyId: 7, live: 3, discarded: 1, byStatus: { active: 2, lead: 1 }, byOrigin: { user_app: 3 } },
        {
          companyId: 1200,
          live: 12,
          discarded: 0,
          byStatus: { customer: 12 },
          byOrigin: { user_app: 2, company_api: 10 },
        },
      ],
      columns,
    );
    expect(table.split('\n')).toEqual([
      '        |      | by status (live)       | by origin (live)      |',
      'company | live | active  lead  customer | user_app  company_api | discarded',
      '--------+------+------------------------+-----------------------+----------',
      '7       |    3 |      2     1         0 |        3            0 |         1',
      '1200    |   12 |      0     0        12 |        2           10 |         0',
      '--------+------+------------------------+-----------------------+----------',
      'total   |   15 |      2     1        12 |        5           10 |         1',
    ]);
  });

  it('adds a column for a value outside the known enum rather than dropping it', () => {
    const table = renderTable(
      [{ companyId: 7, live: 1, discarded: 0, byStatus: { vip: 1 }, byOrigin: { user_app: 1 } }],
      columns,
    );
    expect(table.split('\n')[1]).toContain('customer  vip');
  });

  it('says so when there is nothing to count yet', () => {
    expect(renderTable([], columns)).toBe('(no contacts yet)');
  });
});

describe('renderStats', () => {
  it('names what happened to every message, and the rarer outcomes only when they occur', () => {
    const stats = createTally().stats;
    expect(renderStats(stats)).toBe(
      'messages 0 · applied 0 · duplicates skipped 0 · invalid 0 · unknown types ignored 0',
    );
    Object.assign(stats, {
      messages: 9,
      applied: 4,
      duplicates: 1,
      invalid: 1,
      unseenContacts: 1,
      unknownTypes: { 'contact.merged': 2 },
    });
    expect(renderStats(stats)).toBe(
      'messages 9 · applied 4 · duplicates skipped 1 · invalid 1 · unknown types ignored 2 (contact.merged: 2) · ' +
        'events of contacts created before the start 1',
    );
  });
});
