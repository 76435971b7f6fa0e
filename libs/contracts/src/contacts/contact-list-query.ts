import { z } from 'zod';
import { parseQuery } from '../validation/parse-query';
import { ContactStatus, IsoDateTime, LeadType } from './contact-fields';

export const CONTACT_LIST_LIMIT_MAX = 100;
export const CONTACT_LIST_LIMIT_DEFAULT = 25;
export const CONTACT_LIST_SORTS = ['created_at', '-created_at', 'updated_at', '-updated_at', 'last_name', '-last_name'] as const;
export type ContactListSort = (typeof CONTACT_LIST_SORTS)[number];
export const CONTACT_LIST_SORT_DEFAULT: ContactListSort = '-created_at';
export const CONTACT_LIST_DISCARDED_MODES = ['exclude', 'include', 'only'] as const;

const integerText = (min: number, max: number, message: string) =>
  z
    .string()
    .regex(/^\d{1,16}$/, { error: message })
    .transform(Number)
    .pipe(z.number().int().min(min, { error: message }).max(max, { error: message }));

/**
 * The query string of a contact list (DESIGN §3), as it arrives: text. The gateway checks it at
 * the edge and documents it in the OpenAPI document; contacts-query parses it again (a service
 * never trusts its caller). Strict: an unknown parameter is a 400, never silently ignored.
 */
export const ContactListQuery = z
  .strictObject({
    limit: integerText(1, CONTACT_LIST_LIMIT_MAX, `must be an integer from 1 to ${CONTACT_LIST_LIMIT_MAX}`)
      .default(CONTACT_LIST_LIMIT_DEFAULT)
      .meta({ description: `Page size, 1–${CONTACT_LIST_LIMIT_MAX} (default ${CONTACT_LIST_LIMIT_DEFAULT})` }),
    cursor: z
      .string()
      .min(1)
      .max(1024, { error: 'is not a cursor from this API' })
      .optional()
      .meta({
        description:
          'Opaque `next_cursor` from the previous page. Walking the pages never shows a contact twice and never skips one that existed for the whole walk: with `updated_at` or `last_name`, each contact keeps the place it had when the first page was read, even if it changes meanwhile; such a cursor expires after 24 hours.',
      }),
    status: ContactStatus.optional(),
    lead_type: LeadType.optional(),
    group_id: integerText(1, Number.MAX_SAFE_INTEGER, 'must be a positive integer').optional(),
    q: z
      .string()
      .trim()
      .min(1, { error: 'must not be blank' })
      .max(100, { error: 'must be at most 100 characters' })
      // eslint-disable-next-line no-control-regex
      .regex(/^[^\u0000-\u001f]*$/, { error: 'must not contain control characters' })
      .optional()
      .meta({
        description: 'Case-insensitive search over first/last/full name, email and phone digits (1–100 characters)',
      }),
    updated_since: IsoDateTime.optional(),
    discarded: z
      .enum(CONTACT_LIST_DISCARDED_MODES, { error: `must be one of ${CONTACT_LIST_DISCARDED_MODES.join(', ')}` })
      .default('exclude')
      .meta({ description: 'Discarded (soft-deleted) contacts: `exclude` (default), `include` or `only`' }),
    sort: z
      .enum(CONTACT_LIST_SORTS, { error: `must be one of ${CONTACT_LIST_SORTS.join(', ')}` })
      .default(CONTACT_LIST_SORT_DEFAULT)
      .meta({ description: `Sort key; a leading \`-\` sorts descending (default \`${CONTACT_LIST_SORT_DEFAULT}\`)` }),
  })
  .meta({ title: 'ContactListQuery' });
export type ContactListQuery = z.output<typeof ContactListQuery>;

/** Parses a list's query string (as express hands it over) or throws the 400 naming each bad or unknown parameter. */
export function parseContactListQuery(raw: unknown): ContactListQuery {
  return parseQuery(ContactListQuery, raw);
}
