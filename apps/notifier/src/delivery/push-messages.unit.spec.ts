import { PUSH_PAYLOAD_MAX_BYTES } from '@reps/contracts';
import {
  burstBody,
  digestPush,
  quietHoursEnd,
  reminderPush,
  smartlinkPush,
  type BurstEntry,
} from './push-messages';

const at = (second: number) => `2026-01-10T08:00:${String(second).padStart(2, '0')}Z`;
const viewed = (item: string, second = 0): BurstEntry => ({
  event_type: 'smartlink.activity_recorded',
  activity: 'viewed',
  item_name: item,
  occurred_at: at(second),
  received_at: at(second),
});
const opened = (second = 0): BurstEntry => ({
  event_type: 'smartlink.opened',
  activity: null,
  item_name: null,
  occurred_at: at(second),
  received_at: at(second),
});

describe('what a push says', () => {
  it('tells one event as it is', () => {
    expect(burstBody('Jane Smith', [viewed('Collagen Boost')])).toBe('Jane Smith viewed Collagen Boost');
    expect(burstBody('Jane Smith', [opened()])).toBe('Jane Smith opened your link');
    expect(burstBody('Jane Smith', [{ ...opened(), item_name: 'Collagen Boost' }])).toBe(
      'Jane Smith opened Collagen Boost',
    );
    expect(burstBody('Jane Smith', [{ ...viewed('Yoga 101'), activity: 'enrolled' }])).toBe(
      'Jane Smith enrolled in Yoga 101',
    );
  });

  it('counts a burst of the same activity and names the items in order', () => {
    expect(
      burstBody('Jane Smith', [viewed('Vitamin C', 2), viewed('Collagen Boost', 1), viewed('Omega 3', 3)]),
    ).toBe('Jane Smith viewed 3 items: Collagen Boost, Vitamin C, Omega 3');
  });

  it('lists mixed activities with their count', () => {
    expect(
      burstBody('Jane Smith', [
        opened(1),
        viewed('Collagen Boost', 2),
        { ...viewed('Collagen Boost', 3), activity: 'purchased' },
      ]),
    ).toBe('Jane Smith: 3 activities — opened your link, viewed Collagen Boost, purchased Collagen Boost');
  });

  it('deep-links to the contact and stays within 3 KB however large the burst', () => {
    const entries = Array.from({ length: 500 }, (_, i) =>
      viewed(`A rather long product name number ${i} ${'x'.repeat(150)}`, i % 60),
    );
    const payload = smartlinkPush({
      contactId: 5,
      contactName: 'Jane Smith',
      entries,
      appBaseUrl: 'https://app.example.com/',
    });
    expect(payload.url).toBe('https://app.example.com/contacts/5');
    expect(payload.body.startsWith('Jane Smith viewed 500 items: ')).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(payload))).toBeLessThanOrEqual(PUSH_PAYLOAD_MAX_BYTES);
  });

  it('words a digest of several contacts and a reminder', () => {
    const digest = digestPush({
      contacts: [
        { contactId: 1, contactName: 'Jane Smith', entries: [viewed('A'), viewed('B', 1)] },
        { contactId: 2, contactName: null, entries: [opened()] },
      ],
      appBaseUrl: 'https://app.example.com',
    });
    expect(digest).toMatchObject({
      body: '2 contacts were active — Jane Smith viewed 2 items: A, B; A contact opened your link',
      contact_id: null,
      url: 'https://app.example.com/activities',
    });
    expect(
      reminderPush({
        taskId: 4,
        body: 'Call back',
        dueAt: '2026-01-10T09:00:00+01:00',
        contactId: 9,
        contactName: 'Jane Smith',
        appBaseUrl: 'https://app.example.com',
      }),
    ).toEqual({
      title: 'Task due',
      body: 'Call back (Jane Smith)',
      url: 'https://app.example.com/contacts/9',
      contact_id: 9,
      kind: 'task_reminder',
      ts: '2026-01-10T08:00:00.000Z',
    });
  });
});

describe('quiet hours', () => {
  const night = { start: '21:00', end: '07:00' };

  it('are none when unset or outside the window', () => {
    expect(quietHoursEnd(new Date('2026-01-10T12:00:00Z'), 'UTC', night)).toBeNull();
    expect(quietHoursEnd(new Date('2026-01-10T23:00:00Z'), 'UTC', null)).toBeNull();
  });

  it('end the same night or the next morning across midnight', () => {
    expect(quietHoursEnd(new Date('2026-01-10T23:00:00Z'), 'UTC', night)?.toISOString()).toBe(
      '2026-01-11T07:00:00.000Z',
    );
    expect(quietHoursEnd(new Date('2026-01-11T06:59:00Z'), 'UTC', night)?.toISOString()).toBe(
      '2026-01-11T07:00:00.000Z',
    );
    expect(quietHoursEnd(new Date('2026-01-11T07:00:00Z'), 'UTC', night)).toBeNull();
  });

  it("are in the rep's zone, DST included", () => {
    // 03:00 UTC is 21:00 in Chicago (CST, UTC-6): quiet until 07:00 CST = 13:00 UTC.
    expect(quietHoursEnd(new Date('2026-01-10T03:00:00Z'), 'America/Chicago', night)?.toISOString()).toBe(
      '2026-01-10T13:00:00.000Z',
    );
    // The night the clocks go forward (8 March 2026): 07:00 CDT is 12:00 UTC.
    expect(quietHoursEnd(new Date('2026-03-08T05:00:00Z'), 'America/Chicago', night)?.toISOString()).toBe(
      '2026-03-08T12:00:00.000Z',
    );
  });

  it('work as a daytime window too', () => {
    expect(
      quietHoursEnd(new Date('2026-01-10T12:30:00Z'), 'UTC', { start: '12:00', end: '13:00' })?.toISOString(),
    ).toBe('2026-01-10T13:00:00.000Z');
  });
});
