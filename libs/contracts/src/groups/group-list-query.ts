import { z } from 'zod';
import { parseQuery } from '../validation/parse-query';

export const GROUP_LIST_LIMIT_MAX = 100;
export const GROUP_LIST_LIMIT_DEFAULT = 25;

const LIMIT_MESSAGE = `must be an integer from 1 to ${GROUP_LIST_LIMIT_MAX}`;

/**
 * The query string of the group list: a page of the rep's groups by name (case-insensitive),
 * then id. Strict like the contact list: an unknown parameter is a 400.
 */
export const GroupListQuery = z
  .strictObject({
    limit: z
      .string()
      .regex(/^\d{1,4}$/, { error: LIMIT_MESSAGE })
      .transform(Number)
      .pipe(
        z.number().int().min(1, { error: LIMIT_MESSAGE }).max(GROUP_LIST_LIMIT_MAX, { error: LIMIT_MESSAGE }),
      )
      .default(GROUP_LIST_LIMIT_DEFAULT)
      .meta({ description: `Page size, 1–${GROUP_LIST_LIMIT_MAX} (default ${GROUP_LIST_LIMIT_DEFAULT})` }),
    cursor: z
      .string()
      .min(1)
      .max(1024, { error: 'is not a cursor from this API' })
      .optional()
      .meta({ description: 'Opaque `next_cursor` from the previous page' }),
  })
  .meta({ title: 'GroupListQuery' });
export type GroupListQuery = z.output<typeof GroupListQuery>;

/** Parses the group list's query string or throws the 400 naming each bad or unknown parameter. */
export function parseGroupListQuery(raw: unknown): GroupListQuery {
  return parseQuery(GroupListQuery, raw);
}
