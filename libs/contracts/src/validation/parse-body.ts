import type { z } from 'zod';
import type { FieldIssue } from '@reps/errors';

export type ParseBodyResult<T> = { ok: true; value: T } | { ok: false; issues: FieldIssue[] };

/** The message for a key the schema does not know (zod's own names no field). */
export const UNKNOWN_FIELD_MESSAGE = 'is not a known field';

/**
 * Validates a request body and turns zod's issues into the API's `details`: one entry per
 * offending field, named by its dotted path (`email`, `contacts.3.email`; empty for the
 * body as a whole). zod reports all unexpected keys of an object as one issue; they are
 * split here so each unexpected field gets its own entry.
 */
export function parseBody<S extends z.ZodType>(schema: S, input: unknown): ParseBodyResult<z.output<S>> {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, issues: result.error.issues.flatMap(toFieldIssues) };
}

function toFieldIssues(issue: z.core.$ZodIssue): FieldIssue[] {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ field: [...path, key].join('.'), message: UNKNOWN_FIELD_MESSAGE }));
  }
  return [{ field: path.join('.'), message: issue.message }];
}
