import { z } from 'zod';
import { IsoDateTime, PositiveId, TimeZone } from '../contacts/contact-fields';
import { strictBody } from '../validation/strict-body';

/**
 * The notifier's contracts (DESIGN §6 "Pushes"): the user-scope HTTP bodies and resources
 * (push subscriptions, notification settings), the Web Push payload a rep's device receives,
 * and the BullMQ job data. Bodies are strict: an unknown field is a 422 naming it.
 */

export const PUSH_SUBSCRIPTIONS_MAX = 20;
export const PUSH_ENDPOINT_MAX = 2048;
export const PUSH_PAYLOAD_MAX_BYTES = 3 * 1024;

const base64url = (what: string, bytes: number) =>
  z
    .string({ error: `must be the base64url ${what}` })
    .regex(/^[A-Za-z0-9_-]+={0,2}$/, { error: `must be the base64url ${what}` })
    .refine((value) => Buffer.from(value, 'base64url').length === bytes, {
      error: `must be the base64url ${what} (${bytes} bytes)`,
    });

/** The browser's `PushSubscription.toJSON()`, plus an optional label naming the device. */
export const PushSubscriptionCreateBody = strictBody({
  endpoint: z
    .url({ protocol: /^https?$/, error: 'must be an https URL' })
    .max(PUSH_ENDPOINT_MAX, { error: `must be at most ${PUSH_ENDPOINT_MAX} characters` })
    .meta({
      description:
        'The push service URL the browser gave; https only, and never a private or loopback address.',
    }),
  expirationTime: z.number().nullable().optional().meta({
    description: 'As `PushSubscription.toJSON()` gives it (ms since the epoch, or null); informative.',
  }),
  keys: z.strictObject({
    p256dh: base64url('P-256 public key of the subscription', 65),
    auth: base64url('auth secret of the subscription', 16),
  }),
  label: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .nullable()
    .optional()
    .meta({ description: 'A name for the device, e.g. "Work phone".' }),
}).meta({ title: 'PushSubscriptionCreateBody' });
export type PushSubscriptionCreateBody = z.output<typeof PushSubscriptionCreateBody>;

export const PushSubscriptionResource = z
  .object({
    id: PositiveId,
    endpoint: z.string(),
    label: z.string().nullable(),
    expiration_time: IsoDateTime.nullable(),
    created_at: IsoDateTime,
  })
  .meta({
    title: 'PushSubscription',
    description: "One of the rep's devices; its keys are never echoed back.",
  });
export type PushSubscriptionResource = z.output<typeof PushSubscriptionResource>;

const ClockTime = z
  .string({ error: 'must be a time of day HH:MM' })
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'must be a time of day HH:MM (00:00–23:59)' });

export const QuietHours = z
  .strictObject({
    start: ClockTime.meta({ description: 'Local time quiet hours begin, e.g. 21:00.' }),
    end: ClockTime.meta({
      description: 'Local time they end, e.g. 07:30; before start means they run past midnight.',
    }),
  })
  .refine((value) => value.start !== value.end, { error: 'start and end must differ', path: ['end'] });
export type QuietHours = z.output<typeof QuietHours>;

/**
 * `PUT` replaces the settings: an omitted field takes its default, so the body alone says what
 * the settings become.
 */
export const NotificationSettingsBody = strictBody({
  smartlink_activity: z
    .boolean()
    .default(true)
    .meta({ description: "Push when a contact opens or acts on one of the rep's SmartLinks." }),
  task_reminders: z.boolean().default(true).meta({ description: 'Push a reminder when a task is due.' }),
  time_zone: TimeZone.default('UTC').meta({
    description: "The rep's IANA time zone; quiet hours are in it.",
  }),
  quiet_hours: QuietHours.nullable()
    .default(null)
    .meta({ description: 'Pushes due in this daily window wait until it ends, coalesced; null for none.' }),
}).meta({ title: 'NotificationSettingsBody' });
export type NotificationSettingsBody = z.output<typeof NotificationSettingsBody>;

export const NotificationSettings = z
  .object({
    smartlink_activity: z.boolean(),
    task_reminders: z.boolean(),
    time_zone: z.string(),
    quiet_hours: z.object({ start: z.string(), end: z.string() }).nullable(),
    updated_at: IsoDateTime.nullable().meta({
      description: 'Null while the rep has never changed the defaults.',
    }),
  })
  .meta({ title: 'NotificationSettings' });
export type NotificationSettings = z.output<typeof NotificationSettings>;

export const DEFAULT_NOTIFICATION_SETTINGS: Readonly<NotificationSettings> = Object.freeze({
  smartlink_activity: true,
  task_reminders: true,
  time_zone: 'UTC',
  quiet_hours: null,
  updated_at: null,
});

export const PUSH_KINDS = ['smartlink_activity', 'task_reminder'] as const;
export const PushKind = z.enum(PUSH_KINDS);
export type PushKind = z.output<typeof PushKind>;

/** What a rep's device receives (decrypted): at most 3 KB of JSON. */
export const PushPayload = z
  .object({
    title: z.string(),
    body: z.string(),
    url: z.string().meta({ description: 'Deep link to open, e.g. the contact card.' }),
    contact_id: PositiveId.nullable(),
    kind: PushKind,
    ts: IsoDateTime.meta({ description: 'When the newest thing this push tells about happened.' }),
  })
  .refine((value) => Buffer.byteLength(JSON.stringify(value), 'utf8') <= PUSH_PAYLOAD_MAX_BYTES, {
    error: `must be at most ${PUSH_PAYLOAD_MAX_BYTES} bytes of JSON`,
  })
  .meta({ title: 'PushPayload' });
export type PushPayload = z.output<typeof PushPayload>;

/** The rep a push goes to: the tenant and the user id. */
export const PushRecipient = z.object({ company_id: PositiveId, user_id: PositiveId });
export type PushRecipient = z.output<typeof PushRecipient>;

/**
 * Intake job (BullMQ job id = the source event id): one SmartLink event, reduced to what a push
 * needs. Its completed job is the "seen" mark that makes a redelivered event a no-op.
 */
export const SmartlinkIntakeJob = PushRecipient.extend({
  event_id: z.uuid(),
  event_type: z.enum(['smartlink.opened', 'smartlink.activity_recorded']),
  contact_id: PositiveId,
  smartlink_id: PositiveId,
  activity: z.string().nullable(),
  /** The item acted on, else the SmartLink's shareable_name, else null. */
  item_name: z.string().max(200).nullable(),
  occurred_at: IsoDateTime,
  /** When the notifier read the event (the start of event → push latency as the notifier sees it). */
  received_at: IsoDateTime,
  correlation_id: z.string().max(200),
});
export type SmartlinkIntakeJob = z.output<typeof SmartlinkIntakeJob>;

/**
 * Delivery job: one push to a rep about one (rep, contact) burst, about the bursts that the
 * per-rep rate limit held back (one digest per rep), or about one due task.
 */
export const DeliveryJob = z.discriminatedUnion('kind', [
  PushRecipient.extend({ kind: z.literal('smartlink_activity'), contact_id: PositiveId }),
  PushRecipient.extend({ kind: z.literal('smartlink_digest') }),
  PushRecipient.extend({
    kind: z.literal('task_reminder'),
    task_id: PositiveId,
    due_at: IsoDateTime,
    /** The task version that scheduled it: a reminder overtaken by a newer schedule stays silent. */
    schedule_event_id: z.uuid(),
  }),
]);
export type DeliveryJob = z.output<typeof DeliveryJob>;

/** Send job: one encrypted Web Push to one of the rep's devices, retried on its own. */
export const SendJob = PushRecipient.extend({
  subscription_id: PositiveId,
  payload: PushPayload,
  /** The oldest source event in the push (event → push latency). */
  first_received_at: IsoDateTime,
  correlation_id: z.string().max(200),
});
export type SendJob = z.output<typeof SendJob>;
