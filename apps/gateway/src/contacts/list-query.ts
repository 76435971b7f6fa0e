import { z } from 'zod';
import { ContactStatus, IsoDateTime, LeadType } from '@reps/contracts';
import { BadRequestError } from '@reps/errors';

export const LIST_LIMIT_MAX = 100;
export const LIST_LIMIT_DEFAULT = 25;
export const LIST_SORTS = [
  'created_at',
  '-created_at',
  'updated_at',
  '-updated_at',
  'last_name',
  '-last_name',
] as const;
export const DISCARDED_MODES = ['exclude', 'include', 'only'] as const;

const integerText = (min: number, max: number, message: string) =>
  z
    .string()
    .regex(/^\d{1,16}$/, { error: message })
    .transform(Number)
    .pipe(z.number().int().min(min, { error: message }).max(max, { error: message }));

/**
 * The list parameters of DESIGN §3 as they arrive (query strings are text), mirroring
 * contacts-query's own `ListQuery` (apps may not import each other): checking at the edge answers
 * a bad request without a hop and documents the parameters in the OpenAPI document. Strict: an
 * unknown parameter is a 400, never silently ignored.
 */
export const ContactListQuery = z
  .strictObject({
    limit: integerText(1, LIST_LIMIT_MAX, `must be an integer from 1 to ${LIST_LIMIT_MAX}`)
      .optional()
      .meta({ description: `Page size, 1–${LIST_LIMIT_MAX} (default ${LIST_LIMIT_DEFAULT})` }),
    cursor: z
      .string()
      .min(1)
      .max(1024)
      .optional()
      .meta({ description: 'Opaque `next_cursor` from the previous page' }),
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
        description:
          'Case-insensitive search over first/last/full name, email and phone digits (1–100 characters)',
      }),
    updated_since: IsoDateTime.optional(),
    discarded: z
      .enum(DISCARDED_MODES, { error: `must be one of ${DISCARDED_MODES.join(', ')}` })
      .optional()
      .meta({ description: 'Discarded (soft-deleted) contacts: `exclude` (default), `include` or `only`' }),
    sort: z
      .enum(LIST_SORTS, { error: `must be one of ${LIST_SORTS.join(', ')}` })
      .optional()
      .meta({ description: 'Sort key; a leading `-` sorts descending' }),
  })
  .meta({ title: 'ContactListQuery' });

/** Throws a 400 naming each bad or unknown parameter, as contacts-query does (same code and messages). */
export function assertListQuery(query: unknown): void {
  const result = ContactListQuery.safeParse(query);
  if (result.success) return;
  const details = result.error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ field: key, message: 'is not a known query parameter' }))
      : [
          {
            field: issue.path.map(String).join('.') || '(query)',
            message: issue.code === 'invalid_type' ? 'must be given once, as text' : issue.message,
          },
        ],
  );
  const fields = [...new Set(details.map((d) => d.field))].join(', ');
  throw new BadRequestError(`Invalid query parameter: ${fields}`, details, 'invalid_query_parameter');
}
