import { z } from 'zod';
import { IsoDateTime, PositiveId } from '../contacts/contact-fields';
import { parseQuery } from '../validation/parse-query';
import { readOnlyFields, strictBody, unwrapResourceBody, type Writable } from '../validation/strict-body';
import {
  ActivityItem,
  ActivityProperties,
  SHAREABLE_NAME_MAX,
  ShareableType,
  SmartlinkActivityType,
} from './smartlink-events';

/**
 * Request bodies and the resource of SmartLinks (DESIGN §6): what a rep creates, what the company
 * allows as targets, and what the company site reports through the public beacon.
 */

export const SMARTLINK_URL_MAX = 2048;
export const SMARTLINK_ALLOWED_HOSTS_MAX = 50;

const trimmed = (value: unknown) => (typeof value === 'string' ? value.trim() : value);
const blankIsNull = (value: unknown) => {
  const text = trimmed(value);
  return text === '' ? null : text;
};

export const Smartlink = z
  .object({
    id: PositiveId,
    token: z.string().meta({
      description:
        'The capability in the share URL (≥ 128 bits, URL-safe). Whoever holds it can open the link.',
    }),
    share_url: z
      .string()
      .meta({ description: '`<PUBLIC_BASE_URL>/l/<token>`: what the rep sends to the contact.' }),
    contact_id: PositiveId,
    shareable_type: ShareableType,
    shareable_id: z.string(),
    shareable_name: z.string().nullable(),
    url: z.string().meta({ description: 'The target on the company site the link redirects to.' }),
    opens_count: z
      .int()
      .min(0)
      .meta({ description: 'Counted opens (HEAD, prefetches and link-preview bots are not).' }),
    last_opened_at: IsoDateTime.nullable(),
    activities_count: z
      .int()
      .min(0)
      .meta({ description: 'Activities the company site reported through the beacon.' }),
    revoked_at: IsoDateTime.nullable(),
    created_at: IsoDateTime,
  })
  .meta({ title: 'Smartlink', description: 'A tracked link a rep shared with one of their contacts.' });
export type Smartlink = z.output<typeof Smartlink>;

export const SMARTLINK_READ_ONLY_FIELDS = [
  'id',
  'token',
  'share_url',
  'opens_count',
  'last_opened_at',
  'activities_count',
  'revoked_at',
  'created_at',
] as const;

/** POST /api/user/crm/v202506/smartlinks */
export const SmartlinkCreateBody = strictBody({
  ...readOnlyFields(SMARTLINK_READ_ONLY_FIELDS),
  contact_id: PositiveId.meta({ description: 'One of your contacts' }),
  shareable_type: ShareableType,
  shareable_id: z.preprocess(trimmed, z.string({ error: 'must be 1–100 characters' }).min(1).max(100)),
  shareable_name: z
    .preprocess(blankIsNull, z.string().max(SHAREABLE_NAME_MAX).nullable())
    .default(null)
    .meta({
      description: `The item's display name (≤ ${SHAREABLE_NAME_MAX}); the timeline and pushes use it.`,
    }),
  url: z
    .string({ error: 'must be an absolute https URL' })
    .min(1)
    .max(SMARTLINK_URL_MAX)
    .meta({
      description:
        "The target: https, no credentials, on one of the company's allowed hosts (or a subdomain).",
    }),
}).meta({ title: 'SmartlinkCreateBody' });
export type SmartlinkCreateBody = Writable<z.output<typeof SmartlinkCreateBody>>;

/** Accepts both `{"smartlink": {...}}` and the bare object. */
export function unwrapSmartlinkBody(body: unknown): unknown {
  return unwrapResourceBody(body, 'smartlink');
}

const HOST = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** A host name as the allow-list holds it: lowercase, no scheme, port, path or trailing dot. */
export const AllowedHost = z.preprocess(
  (value) => (typeof value === 'string' ? value.trim().toLowerCase() : value),
  z.string().regex(HOST, { error: 'must be a host name such as shop.example.com (no scheme, port or path)' }),
);

/** PUT /api/company/crm/v202506/smartlink_settings — replaces the list. */
export const SmartlinkSettingsBody = strictBody({
  allowed_hosts: z
    .array(AllowedHost)
    .max(SMARTLINK_ALLOWED_HOSTS_MAX, { error: `must hold at most ${SMARTLINK_ALLOWED_HOSTS_MAX} hosts` })
    .meta({ description: 'SmartLink targets must be on one of these hosts or a subdomain of one.' }),
}).meta({ title: 'SmartlinkSettingsBody' });
export type SmartlinkSettingsBody = z.output<typeof SmartlinkSettingsBody>;

export const SmartlinkSettings = z
  .object({
    allowed_hosts: z.array(z.string()),
    updated_at: IsoDateTime.nullable(),
  })
  .meta({ title: 'SmartlinkSettings' });
export type SmartlinkSettings = z.output<typeof SmartlinkSettings>;

/** POST /api/public/smartlinks/:token/activities — the company site's beacon. */
export const SmartlinkActivityBody = strictBody({
  type: SmartlinkActivityType,
  occurred_at: IsoDateTime.optional().meta({
    description: 'When it happened (default: when received); at most 5 minutes ahead.',
  }),
  item: ActivityItem.optional(),
  properties: ActivityProperties.optional(),
}).meta({ title: 'SmartlinkActivityBody' });
export type SmartlinkActivityBody = z.output<typeof SmartlinkActivityBody>;

export const SMARTLINK_LIST_LIMIT_MAX = 100;
export const SMARTLINK_LIST_LIMIT_DEFAULT = 25;
const ID_MESSAGE = 'must be a positive integer';

export const listLimit = (max: number, fallback: number) =>
  z
    .string()
    .regex(/^\d{1,4}$/, { error: `must be an integer from 1 to ${max}` })
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(1, { error: `must be an integer from 1 to ${max}` })
        .max(max, { error: `must be an integer from 1 to ${max}` }),
    )
    .default(fallback)
    .meta({ description: `Page size, 1–${max} (default ${fallback})` });

export const listCursor = z
  .string()
  .min(1)
  .max(1024, { error: 'is not a cursor from this API' })
  .optional()
  .meta({ description: 'Opaque `next_cursor` from the previous page' });

export const queryId = z
  .string()
  .regex(/^[1-9]\d{0,15}$/, { error: ID_MESSAGE })
  .transform(Number)
  .pipe(z.number().int().positive().max(Number.MAX_SAFE_INTEGER, { error: ID_MESSAGE }));

/** GET /api/user/crm/v202506/smartlinks: newest first, optionally one contact's. */
export const SmartlinkListQuery = z
  .strictObject({
    limit: listLimit(SMARTLINK_LIST_LIMIT_MAX, SMARTLINK_LIST_LIMIT_DEFAULT),
    cursor: listCursor,
    contact_id: queryId.optional().meta({ description: "Only this contact's SmartLinks" }),
  })
  .meta({ title: 'SmartlinkListQuery' });
export type SmartlinkListQuery = z.output<typeof SmartlinkListQuery>;

export function parseSmartlinkListQuery(raw: unknown): SmartlinkListQuery {
  return parseQuery(SmartlinkListQuery, raw);
}
