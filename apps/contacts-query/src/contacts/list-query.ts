import { z } from 'zod';
import { ContactStatus, IsoDateTime, LeadType } from '@reps/contracts';
import { BadRequestError, type FieldIssue } from '@reps/errors';

export const LIST_SORTS = ['created_at', '-created_at', 'updated_at', '-updated_at', 'last_name', '-last_name'] as const;
export type ListSort = (typeof LIST_SORTS)[number];
export const DEFAULT_SORT: ListSort = '-created_at';
export const DEFAULT_LIMIT = 25;
export const MAX_LIMIT = 100;

/** One value per parameter: `?status=a&status=b` is a mistake to report, not to guess about. */
const single = <T extends z.ZodType<unknown, string>>(schema: T) =>
  z.string({ error: 'must be given once, as text' }).pipe(schema);

const positiveInt = (max: number) =>
  z
    .string()
    .regex(/^[1-9]\d{0,15}$/, { error: max === Infinity ? 'must be a positive integer' : `must be an integer from 1 to ${max}` })
    .transform(Number)
    .pipe(z.number().max(max, { error: `must be an integer from 1 to ${max}` }));

/** The query string of a contact list; unknown parameters are rejected, never ignored. */
export const ListQuery = z
  .object({
    limit: single(positiveInt(MAX_LIMIT)).default(DEFAULT_LIMIT),
    cursor: single(z.string().min(1).max(1024, { error: 'is not a cursor from this API' })).optional(),
    status: single(ContactStatus).optional(),
    lead_type: single(LeadType).optional(),
    group_id: single(positiveInt(Number.MAX_SAFE_INTEGER)).optional(),
    q: single(
      z
        .string()
        .trim()
        .min(1, { error: 'must not be blank' })
        .max(100, { error: 'must be at most 100 characters' })
        // eslint-disable-next-line no-control-regex
        .regex(/^[^\u0000-\u001f]*$/, { error: 'must not contain control characters' }),
    ).optional(),
    updated_since: single(IsoDateTime).optional(),
    discarded: single(z.enum(['exclude', 'include', 'only'], { error: 'must be one of exclude, include, only' })).default(
      'exclude',
    ),
    sort: single(z.enum(LIST_SORTS, { error: `must be one of ${LIST_SORTS.join(', ')}` })).default(DEFAULT_SORT),
  })
  .strict();
export type ListQuery = z.output<typeof ListQuery>;

/** zod issues → the 400's details, one per offending parameter. */
export function queryIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ field: key, message: 'is not a known query parameter' }))
      : [{ field: issue.path.map(String).join('.') || '(query)', message: issue.message }],
  );
}

export function invalidQuery(details: FieldIssue[]): BadRequestError {
  const fields = [...new Set(details.map((d) => d.field))].join(', ');
  return new BadRequestError(`Invalid query parameter: ${fields}`, details, 'invalid_query_parameter');
}

export function parseListQuery(raw: unknown): ListQuery {
  const parsed = ListQuery.safeParse(raw ?? {});
  if (!parsed.success) throw invalidQuery(queryIssues(parsed.error));
  return parsed.data;
}

/** Routes that take no parameters still say which one they got. */
export function rejectAnyQuery(raw: Record<string, unknown>): void {
  const keys = Object.keys(raw);
  if (keys.length > 0) throw invalidQuery(keys.map((key) => ({ field: key, message: 'is not a known query parameter' })));
}
