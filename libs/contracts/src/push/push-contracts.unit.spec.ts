import { randomBytes, randomUUID } from 'node:crypto';
import { parseBody } from '../validation/parse-body';
import { smartlinkEventSchemas } from '../smartlinks/smartlink-events';
import { taskEventSchemas } from '../tasks/task-events';
import { unwrapResourceBody } from '../validation/strict-body';
import { NotificationSettingsBody, PushPayload, PushSubscriptionCreateBody } from './push-contracts';

const browserSubscription = () => ({
  endpoint: 'https://push.example.com/send/abc',
  expirationTime: null,
  keys: {
    p256dh: Buffer.concat([Buffer.from([4]), randomBytes(64)]).toString('base64url'),
    auth: randomBytes(16).toString('base64url'),
  },
});

const envelope = (type: string, data: unknown) => ({
  id: randomUUID(),
  type,
  schema_version: 1,
  occurred_at: '2026-01-10T08:00:00Z',
  aggregate_id: 7,
  aggregate_version: 2,
  company_id: 1,
  user_id: 42,
  company_visible: false,
  actor: { scope: 'user', user_id: 42, company_id: 1 },
  correlation_id: 'req-1',
  causation_id: null,
  data,
});

describe('push subscription body', () => {
  it("takes the browser's PushSubscription.toJSON() as it is, bare or wrapped, with a label", () => {
    const body = { ...browserSubscription(), label: 'Work phone' };
    expect(parseBody(PushSubscriptionCreateBody, body).ok).toBe(true);
    expect(
      parseBody(
        PushSubscriptionCreateBody,
        unwrapResourceBody({ push_subscription: body }, 'push_subscription'),
      ).ok,
    ).toBe(true);
  });

  it('names unknown fields and keys of the wrong size', () => {
    const body = { ...browserSubscription(), owner: 5, keys: { p256dh: 'AAAA', auth: 'short' } };
    const parsed = parseBody(PushSubscriptionCreateBody, body);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.issues.map((issue) => issue.field).sort()).toEqual(['keys.auth', 'keys.p256dh', 'owner']);
  });

  it('refuses endpoints that are not http(s) URLs', () => {
    expect(
      parseBody(PushSubscriptionCreateBody, { ...browserSubscription(), endpoint: 'ftp://x/y' }).ok,
    ).toBe(false);
  });
});

describe('notification settings body', () => {
  it('fills omitted fields with the defaults (PUT replaces)', () => {
    expect(NotificationSettingsBody.parse({ task_reminders: false })).toEqual({
      smartlink_activity: true,
      task_reminders: false,
      time_zone: 'UTC',
      quiet_hours: null,
    });
  });

  it('checks the zone and the quiet-hours clock times', () => {
    const parsed = parseBody(NotificationSettingsBody, {
      time_zone: 'Mars/Base',
      quiet_hours: { start: '25:00', end: '07:00' },
    });
    expect(parsed.ok ? [] : parsed.issues.map((issue) => issue.field).sort()).toEqual([
      'quiet_hours.start',
      'time_zone',
    ]);
  });
});

describe('push payload', () => {
  it('is at most 3 KB of JSON', () => {
    const payload = {
      title: 't',
      body: 'x',
      url: '/c/1',
      contact_id: 1,
      kind: 'smartlink_activity',
      ts: '2026-01-10T08:00:00Z',
    };
    expect(PushPayload.safeParse(payload).success).toBe(true);
    expect(PushPayload.safeParse({ ...payload, body: 'x'.repeat(3100) }).success).toBe(false);
  });
});

describe('SmartLink and task events', () => {
  it('accept contract-valid events', () => {
    expect(
      smartlinkEventSchemas['smartlink.activity_recorded'].parse(
        envelope('smartlink.activity_recorded', {
          contact_id: 9,
          type: 'viewed',
          item: { type: 'product', id: 'p-1', name: 'Collagen Boost' },
          properties: {},
          occurred_at: '2026-01-10T08:00:00Z',
        }),
      ).data.item?.name,
    ).toBe('Collagen Boost');
    expect(
      taskEventSchemas['task.updated'].safeParse(
        envelope('task.updated', {
          changes: { due_at: '2026-01-11T08:00:00+01:00' },
          previous: { due_at: null },
          updated_at: '2026-01-10T08:00:00Z',
        }),
      ).success,
    ).toBe(true);
  });

  it('refuse activity properties over 4 KB and updates whose previous names other fields', () => {
    expect(
      smartlinkEventSchemas['smartlink.activity_recorded'].safeParse(
        envelope('smartlink.activity_recorded', {
          contact_id: 9,
          type: 'viewed',
          item: null,
          properties: { blob: 'x'.repeat(5000) },
          occurred_at: '2026-01-10T08:00:00Z',
        }),
      ).success,
    ).toBe(false);
    expect(
      taskEventSchemas['task.updated'].safeParse(
        envelope('task.updated', {
          changes: { body: 'b' },
          previous: { due_at: null },
          updated_at: '2026-01-10T08:00:00Z',
        }),
      ).success,
    ).toBe(false);
  });
});
