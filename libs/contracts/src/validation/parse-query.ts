import type { z } from 'zod';
import { BadRequestError, type FieldIssue } from '@reps/errors';

/** The 400 for a bad query string: one detail per offending parameter. */
export function invalidListQuery(details: FieldIssue[]): BadRequestError {
  const fields = [...new Set(details.map((d) => d.field))].join(', ');
  return new BadRequestError(`Invalid query parameter: ${fields}`, details, 'invalid_query_parameter');
}

/** Parses a query string (as express hands it over) with a strict schema, or throws the 400 naming each bad or unknown parameter. */
export function parseQuery<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  const result = schema.safeParse(raw ?? {});
  if (result.success) return result.data;
  throw invalidListQuery(
    result.error.issues.flatMap((issue) =>
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => ({ field: key, message: 'is not a known query parameter' }))
        : [
            {
              field: issue.path.map(String).join('.') || '(query)',
              // `?status=a&status=b` arrives as an array: a mistake to report, not to guess about.
              message: issue.code === 'invalid_type' ? 'must be given once, as text' : issue.message,
            },
          ],
    ),
  );
}
