import { z } from 'zod';
import { CompanyOrigin, PositiveId, contactInputFields, type ContactFieldName } from './contact-fields';
import {
  exceedsArrayMax,
  readOnlyFields,
  requireSomeField,
  strictBody,
  unwrapResourceBody,
  type Writable,
} from '../validation/strict-body';
import { CONTACT_READ_ONLY_FIELDS } from './contact-resource';

/**
 * Request bodies of the contacts API, per scope. All are strict: a read-only field is
 * rejected with "is read-only" and anything else unexpected with "is not a known field",
 * so nothing is silently ignored or mass-assigned.
 */

/** Largest bulk create; a longer `contacts` array is answered with 413 (see `exceedsBulkMax`). */
export const BULK_MAX = 1000;

type OptionalInputFields = {
  [K in ContactFieldName]: z.ZodOptional<(typeof contactInputFields)[K]>;
};

const optionalInputFields = Object.fromEntries(
  Object.entries(contactInputFields).map(([field, schema]) => [field, schema.optional()]),
) as OptionalInputFields;

const createFields = {
  ...optionalInputFields,
  status: contactInputFields.status.default('active'),
};

/** Fields that identify a contact well enough to be worth storing. */
const IDENTIFYING_FIELDS = ['first_name', 'last_name', 'email', 'phone'] as const;

function requireIdentifyingField(
  value: Partial<Record<ContactFieldName, unknown>>,
  ctx: z.RefinementCtx,
): void {
  if (IDENTIFYING_FIELDS.some((field) => value[field] !== undefined && value[field] !== null)) return;
  ctx.addIssue({ code: 'custom', message: `at least one of ${IDENTIFYING_FIELDS.join(', ')} is required` });
}

/** POST /api/user/crm/v202506/contacts — the owner is the caller; origin is `user_app`. */
export const UserContactCreateBody = strictBody({
  ...readOnlyFields([...CONTACT_READ_ONLY_FIELDS, 'user_id', 'origin']),
  ...createFields,
})
  .superRefine(requireIdentifyingField)
  .meta({ title: 'UserContactCreateBody' });
export type UserContactCreateBody = Writable<z.output<typeof UserContactCreateBody>>;

/** POST /api/company/crm/v202506/contacts — the company names the rep who owns the contact. */
export const CompanyContactCreateBody = strictBody({
  ...readOnlyFields(CONTACT_READ_ONLY_FIELDS),
  ...createFields,
  user_id: PositiveId,
  origin: CompanyOrigin.default('company_api'),
})
  .superRefine(requireIdentifyingField)
  .meta({ title: 'CompanyContactCreateBody' });
export type CompanyContactCreateBody = Writable<z.output<typeof CompanyContactCreateBody>>;

/** PATCH (user scope): only the given fields change; `null` clears an optional field. */
export const UserContactUpdateBody = strictBody({
  ...readOnlyFields([...CONTACT_READ_ONLY_FIELDS, 'user_id', 'origin']),
  ...optionalInputFields,
})
  .superRefine(requireSomeField)
  .meta({ title: 'UserContactUpdateBody' });
export type UserContactUpdateBody = Writable<z.output<typeof UserContactUpdateBody>>;

/**
 * PATCH (company scope): as the user's, plus `user_id` to reassign the contact to another rep.
 * `origin` records how the contact came in and stays fixed, so it is read-only here.
 */
export const CompanyContactUpdateBody = strictBody({
  ...readOnlyFields([...CONTACT_READ_ONLY_FIELDS, 'origin']),
  ...optionalInputFields,
  user_id: PositiveId.optional(),
})
  .superRefine(requireSomeField)
  .meta({ title: 'CompanyContactUpdateBody' });
export type CompanyContactUpdateBody = Writable<z.output<typeof CompanyContactUpdateBody>>;

/** POST /api/user/crm/v202506/contacts/bulk */
export const UserBulkCreateBody = strictBody({
  contacts: z
    .array(UserContactCreateBody, { error: 'must be an array of contacts' })
    .min(1, { error: 'must hold at least one contact' })
    .max(BULK_MAX, { error: `must hold at most ${BULK_MAX} contacts` }),
}).meta({ title: 'UserBulkCreateBody' });
export type UserBulkCreateBody = z.output<typeof UserBulkCreateBody>;

export type ContactCreateBody = UserContactCreateBody | CompanyContactCreateBody;
export type ContactUpdateBody = UserContactUpdateBody | CompanyContactUpdateBody;

/**
 * Accepts both `{"contact": {...}}` and the bare object. Only a body whose sole key is
 * `contact` is unwrapped; a mix such as `{"contact": {...}, "email": "…"}` stays as it is so
 * validation names `contact` as an unknown field instead of guessing which part was meant.
 */
export function unwrapContactBody(body: unknown): unknown {
  return unwrapResourceBody(body, 'contact');
}

/**
 * True when a bulk body holds more than `BULK_MAX` contacts. Checked before parsing so the
 * service can answer 413 without validating thousands of items first.
 */
export function exceedsBulkMax(body: unknown): boolean {
  return exceedsArrayMax(body, 'contacts', BULK_MAX);
}
