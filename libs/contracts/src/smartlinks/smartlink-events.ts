import { z } from 'zod';
import { eventEnvelopeSchema, publishedEvents } from '../events/event-envelope';
import { IsoDateTime, PositiveId } from '../contacts/contact-fields';

/**
 * The public Kafka contract for SmartLinks (DESIGN §6), published on `crm.smartlinks.v1` and
 * keyed by the SmartLink id. The SmartLink's token is a capability (whoever holds it can record
 * activity), so it is never on the topic: events carry the SmartLink id, and `share_url`, which
 * embeds the token, is not part of `smartlink.created` either. Same versioning rules as
 * contacts: additive changes stay in v1, consumers ignore what they do not know.
 */

export const SMARTLINKS_TOPIC = 'crm.smartlinks.v1';

export const SMARTLINK_EVENT_TYPES = [
  'smartlink.created',
  'smartlink.revoked',
  'smartlink.opened',
  'smartlink.activity_recorded',
] as const;
export type SmartlinkEventType = (typeof SMARTLINK_EVENT_TYPES)[number];

export const SHAREABLE_TYPES = [
  'product',
  'media',
  'enrollment',
  'playlist',
  'category',
  'collection',
  'post',
] as const;
export const ShareableType = z.enum(SHAREABLE_TYPES, {
  error: `must be one of ${SHAREABLE_TYPES.join(', ')}`,
});
export type ShareableType = z.infer<typeof ShareableType>;

export const SMARTLINK_ACTIVITY_TYPES = [
  'viewed',
  'added_to_cart',
  'purchased',
  'enrolled',
  'played',
  'subscribed',
  'signed_up',
] as const;
export const SmartlinkActivityType = z.enum(SMARTLINK_ACTIVITY_TYPES, {
  error: `must be one of ${SMARTLINK_ACTIVITY_TYPES.join(', ')}`,
});
export type SmartlinkActivityType = z.infer<typeof SmartlinkActivityType>;

/** Activity `properties` are free-form but bounded, as on the public beacon route. */
export const SMARTLINK_PROPERTIES_MAX_BYTES = 4 * 1024;

export const ActivityItem = z
  .object({
    type: z.string().min(1).max(50),
    id: z.string().min(1).max(100),
    name: z.string().min(1).max(200),
  })
  .meta({ description: 'What the contact acted on, as the company site names it (e.g. a product).' });
export type ActivityItem = z.output<typeof ActivityItem>;

export const ActivityProperties = z
  .record(z.string(), z.unknown())
  .refine((value) => Buffer.byteLength(JSON.stringify(value), 'utf8') <= SMARTLINK_PROPERTIES_MAX_BYTES, {
    error: `must be at most ${SMARTLINK_PROPERTIES_MAX_BYTES} bytes of JSON`,
  })
  .meta({ description: 'Free-form details from the company site, at most 4 KB of JSON.' });

const contactId = PositiveId.meta({ description: 'The contact the SmartLink was shared with.' });

export const SHAREABLE_NAME_MAX = 200;

/** What the rep shared, as people call it ("Collagen Boost"); the timeline and pushes name it. Added in v1 (optional). */
export const ShareableName = z
  .string()
  .min(1)
  .max(SHAREABLE_NAME_MAX)
  .nullable()
  .meta({
    description: 'The shared item\'s display name ("Collagen Boost"), or null when the rep gave none.',
  });

export const SmartlinkCreatedData = z
  .object({
    id: PositiveId,
    contact_id: contactId,
    shareable_type: ShareableType,
    shareable_id: z.string().min(1).max(100),
    shareable_name: ShareableName.optional(),
    url: z.string().max(2048).meta({
      description: 'The target the link redirects to (never the share URL: that embeds the token).',
    }),
    created_at: IsoDateTime,
  })
  .meta({ description: 'A rep shared something with a contact through a new SmartLink.' });
export type SmartlinkCreatedData = z.output<typeof SmartlinkCreatedData>;

export const SmartlinkRevokedData = z
  .object({ contact_id: contactId, revoked_at: IsoDateTime })
  .meta({ description: 'The SmartLink stops working; its token answers 404 from now on.' });
export type SmartlinkRevokedData = z.output<typeof SmartlinkRevokedData>;

export const SmartlinkOpenedData = z
  .object({
    contact_id: contactId,
    occurred_at: IsoDateTime,
    user_agent: z
      .string()
      .max(512)
      .nullable()
      .meta({ description: "The opener's User-Agent, if sent. No IP address is recorded." }),
    shareable_type: ShareableType.optional().meta({
      description: 'What the link shares (copied from the SmartLink).',
    }),
    shareable_name: ShareableName.optional(),
  })
  .meta({ description: 'The contact opened the SmartLink (a redirect through /l/:token).' });
export type SmartlinkOpenedData = z.output<typeof SmartlinkOpenedData>;

export const SmartlinkActivityRecordedData = z
  .object({
    contact_id: contactId,
    type: SmartlinkActivityType,
    item: ActivityItem.nullable(),
    properties: ActivityProperties,
    occurred_at: IsoDateTime,
    shareable_type: ShareableType.optional().meta({
      description: 'What the link shares (copied from the SmartLink).',
    }),
    shareable_name: ShareableName.optional(),
  })
  .meta({ description: 'The company site reported what the contact did after opening the SmartLink.' });
export type SmartlinkActivityRecordedData = z.output<typeof SmartlinkActivityRecordedData>;

export const smartlinkEventDataSchemas = {
  'smartlink.created': SmartlinkCreatedData,
  'smartlink.revoked': SmartlinkRevokedData,
  'smartlink.opened': SmartlinkOpenedData,
  'smartlink.activity_recorded': SmartlinkActivityRecordedData,
} as const satisfies Record<SmartlinkEventType, z.ZodType>;

/** The §3 envelope with SmartLink wording: the aggregate is the SmartLink, `user_id` the rep who shared it. */
export const SmartlinkEventEnvelope = eventEnvelopeSchema({
  aggregateId: 'The SmartLink id; the Kafka key is its decimal string.',
  aggregateVersion: "1 for smartlink.created, then +1 per event of this SmartLink: the stream's order.",
  userId: 'The rep who shared the SmartLink (who gets the push).',
  companyVisible: "True iff the SmartLink's contact is company-visible.",
});

const published = publishedEvents(SmartlinkEventEnvelope, smartlinkEventDataSchemas);
/** Each event as published on `crm.smartlinks.v1`, keyed by the SmartLink id. */
export const smartlinkEventSchemas = published.schemas;
export const SmartlinkEvent = published.union;
export type SmartlinkEvent = z.output<typeof SmartlinkEvent>;
export type SmartlinkEventOf<T extends SmartlinkEventType> = Extract<SmartlinkEvent, { type: T }>;

/** The Kafka message key of a SmartLink's events. */
export function smartlinkEventKey(smartlinkId: number): string {
  return String(smartlinkId);
}
