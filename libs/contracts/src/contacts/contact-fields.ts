import { z } from 'zod';

/**
 * The writable fields of a contact, each as the value it is stored and published as.
 *
 * These schemas carry the validation rules and their field-level messages. They do not
 * normalize: request bodies wrap them with `contactInputFields` (trimming, blank → null),
 * while events and the resource use them as they are, so a stored value always satisfies
 * the same rules a request had to pass.
 */

export const CONTACT_STATUSES = ['active', 'lead', 'prospect', 'customer', 'inactive'] as const;
export const LEAD_TYPES = ['hot', 'warm', 'cold'] as const;
export const CONTACT_ORIGINS = ['user_app', 'company_api', 'company_website'] as const;
/** The origins a company may declare; `user_app` is reserved for contacts a rep creates. */
export const COMPANY_ORIGINS = ['company_api', 'company_website'] as const;

export const NAME_MAX = 100;
export const FREE_TEXT_MAX = 255;
export const EMAIL_MAX = 254;
export const URL_MAX = 2048;
export const PHONE_MIN = 7;
export const PHONE_MAX = 32;
export const METADATA_MAX_BYTES = 16 * 1024;
/** Well under MongoDB's 100-level document limit, leaving room for the read models' own nesting. */
export const METADATA_MAX_DEPTH = 32;

export const ContactStatus = z.enum(CONTACT_STATUSES, {
  error: `must be one of ${CONTACT_STATUSES.join(', ')}`,
});
export type ContactStatus = z.infer<typeof ContactStatus>;

export const LeadType = z.enum(LEAD_TYPES, { error: `must be one of ${LEAD_TYPES.join(', ')}` });
export type LeadType = z.infer<typeof LeadType>;

export const ContactOrigin = z.enum(CONTACT_ORIGINS, {
  error: `must be one of ${CONTACT_ORIGINS.join(', ')}`,
});
export type ContactOrigin = z.infer<typeof ContactOrigin>;

export const CompanyOrigin = z.enum(COMPANY_ORIGINS, {
  error: `must be one of ${COMPANY_ORIGINS.join(', ')}`,
});
export type CompanyOrigin = z.infer<typeof CompanyOrigin>;

export const PositiveId = z
  .int({ error: 'must be a positive integer' })
  .positive({ error: 'must be a positive integer' });

/** ISO-8601 date-time with an explicit zone (`Z` or `±hh:mm`), so it denotes one instant. */
export const IsoDateTime = z.iso.datetime({
  offset: true,
  error: 'must be an ISO-8601 date-time with a zone, e.g. 2025-01-10T08:00:00Z',
});

const text = (max: number) => z.string({ error: `must be text of at most ${max} characters` }).max(max);

export const NameText = text(NAME_MAX);
export const FreeText = text(FREE_TEXT_MAX);

export const Email = z
  .email({ error: 'must be a valid email address' })
  .max(EMAIL_MAX, { error: `must be at most ${EMAIL_MAX} characters` })
  // Addresses are compared and searched case-insensitively; storing one case makes that exact.
  .toLowerCase();

const PHONE_MESSAGE = `must be ${PHONE_MIN}–${PHONE_MAX} characters of digits, spaces and + - ( ) .`;
export const Phone = z
  .string({ error: PHONE_MESSAGE })
  .min(PHONE_MIN, { error: PHONE_MESSAGE })
  .max(PHONE_MAX, { error: PHONE_MESSAGE })
  .regex(/^[0-9 +\-().]+$/, { error: PHONE_MESSAGE })
  // Punctuation alone is never a phone number.
  .regex(/[0-9]/, { error: PHONE_MESSAGE })
  .meta({ description: 'Digits, spaces and + - ( ) . only, e.g. +1-555-123-4567' });

export const HttpUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .max(URL_MAX, { error: `must be at most ${URL_MAX} characters` });

export const IpAddress = z.union([z.ipv4(), z.ipv6()], { error: 'must be an IPv4 or IPv6 address' });

let knownTimeZones: ReadonlySet<string> | undefined;

/**
 * True for an IANA zone name spelled as IANA spells it. `Intl.supportedValuesOf` lists only
 * the canonical names (and not "UTC" on Node 20), so links such as "UTC", "Etc/UTC" or
 * "Asia/Kolkata" are accepted when ICU knows them; the spelling check keeps out what ICU
 * also tolerates but other systems (Java, PostgreSQL) would not: lower-case names and
 * raw offsets like "+01:00".
 */
export function isIanaTimeZone(name: string): boolean {
  knownTimeZones ??= new Set(Intl.supportedValuesOf('timeZone'));
  if (knownTimeZones.has(name)) return true;
  if (!/^[A-Z][A-Za-z0-9_+-]*(?:\/[A-Z0-9][A-Za-z0-9_+-]*)*$/.test(name)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

export const TimeZone = z
  .string({ error: 'must be an IANA time zone name such as America/Chicago' })
  .max(64, { error: 'must be an IANA time zone name such as America/Chicago' })
  .refine(isIanaTimeZone, { error: 'must be an IANA time zone name such as America/Chicago' })
  .meta({ description: 'IANA time zone name, e.g. America/Chicago or UTC' });

/**
 * Why a metadata object is unacceptable, or undefined when it is fine. Walks iteratively so a
 * deeply nested value cannot overflow the stack before the depth limit rejects it.
 */
export function metadataProblem(value: Record<string, unknown>): string | undefined {
  const pending: { value: unknown; depth: number }[] = [{ value, depth: 1 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const current = next.value;
    if (current === null || typeof current === 'string' || typeof current === 'boolean') continue;
    if (typeof current === 'number') {
      if (!Number.isFinite(current)) return 'must contain only JSON values';
      continue;
    }
    if (typeof current !== 'object') return 'must contain only JSON values';
    if (next.depth > METADATA_MAX_DEPTH) return `must not nest deeper than ${METADATA_MAX_DEPTH} levels`;
    if (Array.isArray(current)) {
      for (const item of current) {
        // FerretDB (our development/CI server) cannot store an array directly inside an array;
        // accepting one would store on MongoDB and fail with a 500 on FerretDB.
        if (Array.isArray(item))
          return 'must not contain an array directly inside an array (wrap it in an object)';
        pending.push({ value: item, depth: next.depth + 1 });
      }
      continue;
    }
    const prototype: unknown = Object.getPrototypeOf(current);
    if (prototype !== Object.prototype && prototype !== null) return 'must contain only JSON values';
    for (const [key, child] of Object.entries(current)) {
      // MongoDB reads `$` keys as operators and `.` as a path separator: such keys would
      // corrupt or escape the read models' documents.
      // BSON keys are NUL-terminated: a NUL inside one cannot be stored at all.
      if (key.includes('\u0000')) return 'keys must not contain the NUL character';
      if (key.startsWith('$') || key.includes('.')) {
        return `keys must not start with "$" or contain "." (found ${JSON.stringify(key)})`;
      }
      pending.push({ value: child, depth: next.depth + 1 });
    }
  }
  const bytes = new TextEncoder().encode(JSON.stringify(value)).length;
  if (bytes > METADATA_MAX_BYTES) return `must be at most ${METADATA_MAX_BYTES} bytes as JSON (is ${bytes})`;
  return undefined;
}

export const Metadata = z
  .record(z.string(), z.unknown(), { error: 'must be a JSON object' })
  .superRefine((value, ctx) => {
    const problem = metadataProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .meta({
    description: `Free-form JSON object, at most ${METADATA_MAX_BYTES} bytes serialized; keys at any depth must not start with "$" or contain "."; no array directly inside an array`,
  });

/**
 * Every writable contact field in its stored form, in the order of the seed's JSON.
 * Optional fields are nullable; `status` and `metadata` always have a value.
 */
export const contactFieldSchemas = {
  first_name: NameText.nullable(),
  last_name: NameText.nullable(),
  email: Email.nullable(),
  email2: Email.nullable(),
  phone: Phone.nullable(),
  phone2: Phone.nullable(),
  phone_id: PositiveId.nullable(),
  avatar_url: HttpUrl.nullable(),
  status: ContactStatus,
  address: NameText.nullable(),
  address2: NameText.nullable(),
  city: NameText.nullable(),
  state: NameText.nullable(),
  postal_code: NameText.nullable(),
  country_id: PositiveId.nullable(),
  language_id: PositiveId.nullable(),
  lead_type: LeadType.nullable(),
  ip: IpAddress.nullable(),
  requested_at: IsoDateTime.nullable(),
  best_time: FreeText.nullable(),
  time_zone: TimeZone.nullable(),
  reason: FreeText.nullable(),
  income: FreeText.nullable(),
  hours: FreeText.nullable(),
  invest: FreeText.nullable(),
  interest: FreeText.nullable(),
  metadata: Metadata,
};

export type ContactFieldName = keyof typeof contactFieldSchemas;
export const CONTACT_FIELD_NAMES = Object.keys(contactFieldSchemas) as ContactFieldName[];

/** The writable fields with every value present (how a contact stores them). */
export const ContactFields = z.object(contactFieldSchemas);
export type ContactFields = z.output<typeof ContactFields>;

/**
 * What a new contact holds in every field its creator did not give: nothing, except the status
 * `active` and empty metadata. Frozen; spread it (`{ ...BLANK_CONTACT_FIELDS, metadata: {} }`)
 * to get a contact of one's own.
 */
export const BLANK_CONTACT_FIELDS: Readonly<ContactFields> = Object.freeze({
  first_name: null,
  last_name: null,
  email: null,
  email2: null,
  phone: null,
  phone2: null,
  phone_id: null,
  avatar_url: null,
  status: 'active',
  address: null,
  address2: null,
  city: null,
  state: null,
  postal_code: null,
  country_id: null,
  language_id: null,
  lead_type: null,
  ip: null,
  requested_at: null,
  best_time: null,
  time_zone: null,
  reason: null,
  income: null,
  hours: null,
  invest: null,
  interest: null,
  metadata: Object.freeze({}),
});

/**
 * Request-side normalization. Strings are trimmed and a blank string means "no value" (null),
 * because HTML forms — the company website is one of our clients — submit untouched inputs
 * as "", and rejecting those would make every optional field a trap. `metadata: null` means
 * the empty object, since metadata always exists.
 */
function normalizeInput(field: ContactFieldName) {
  return (value: unknown): unknown => {
    if (field === 'metadata') return value === null ? {} : value;
    if (typeof value !== 'string') return value;
    const trimmed = value.trim();
    return trimmed === '' ? null : trimmed;
  };
}

type InputFields = {
  [K in ContactFieldName]: z.ZodPipe<z.ZodTransform<unknown, unknown>, (typeof contactFieldSchemas)[K]>;
};

/** The writable fields as request bodies accept them (normalized, then validated). */
export const contactInputFields = Object.fromEntries(
  CONTACT_FIELD_NAMES.map((field) => [
    field,
    z.preprocess(normalizeInput(field), contactFieldSchemas[field]),
  ]),
) as InputFields;
