import { z } from 'zod';
import { ContactOrigin, IsoDateTime, PositiveId, contactFieldSchemas } from './contact-fields';

/** Random URL-safe string the command service allocates; clients use it in share links. */
export const ContactToken = z
  .string({ error: 'must be a URL-safe token' })
  .regex(/^[A-Za-z0-9_-]{8,128}$/, { error: 'must be a URL-safe token' });

/**
 * The Contact resource as the API returns it: every field of the seed's JSON, in its order,
 * then `user_id`, `origin`, `group_ids`, `created_at` and `updated_at`.
 */
export const Contact = z
  .object({
    id: PositiveId,
    /** Public company id: set only for company-visible contacts, null for a rep's own. */
    company_id: PositiveId.nullable(),
    token: ContactToken,
    first_name: contactFieldSchemas.first_name,
    last_name: contactFieldSchemas.last_name,
    full_name: z.string().nullable(),
    email: contactFieldSchemas.email,
    email2: contactFieldSchemas.email2,
    phone: contactFieldSchemas.phone,
    phone2: contactFieldSchemas.phone2,
    phone_id: contactFieldSchemas.phone_id,
    avatar_url: contactFieldSchemas.avatar_url,
    status: contactFieldSchemas.status,
    address: contactFieldSchemas.address,
    address2: contactFieldSchemas.address2,
    city: contactFieldSchemas.city,
    state: contactFieldSchemas.state,
    postal_code: contactFieldSchemas.postal_code,
    country_id: contactFieldSchemas.country_id,
    language_id: contactFieldSchemas.language_id,
    lead_type: contactFieldSchemas.lead_type,
    ip: contactFieldSchemas.ip,
    requested_at: contactFieldSchemas.requested_at,
    best_time: contactFieldSchemas.best_time,
    time_zone: contactFieldSchemas.time_zone,
    reason: contactFieldSchemas.reason,
    income: contactFieldSchemas.income,
    hours: contactFieldSchemas.hours,
    invest: contactFieldSchemas.invest,
    interest: contactFieldSchemas.interest,
    discarded_at: IsoDateTime.nullable(),
    metadata: contactFieldSchemas.metadata,
    user_id: PositiveId,
    origin: ContactOrigin,
    group_ids: z.array(PositiveId),
    created_at: IsoDateTime,
    updated_at: IsoDateTime,
  })
  .meta({ title: 'Contact', description: 'A contact of a rep (user), inside a company (the tenant).' });
export type Contact = z.output<typeof Contact>;

/**
 * Resource fields a client may never write. `user_id` and `origin` are writable only in
 * company scope (and `origin` only on create), so they are not listed here.
 */
export const CONTACT_READ_ONLY_FIELDS = [
  'id',
  'token',
  'full_name',
  'company_id',
  'discarded_at',
  'created_at',
  'updated_at',
  'group_ids',
] as const;
export type ContactReadOnlyField = (typeof CONTACT_READ_ONLY_FIELDS)[number];
