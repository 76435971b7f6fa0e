import { z } from 'zod';
import { UNKNOWN_FIELD_MESSAGE } from './parse-body';

/**
 * The building blocks of every request body: strict objects (an unknown field is named, never
 * ignored), read-only markers (named "is read-only", never mass-assigned) and the
 * `{"<resource>": {...}}` wrapping DESIGN §3 accepts next to the bare object.
 */

export const READ_ONLY_MESSAGE = 'is read-only';

const readOnly = z.never({ error: READ_ONLY_MESSAGE }).optional();

export function readOnlyFields<K extends string>(fields: readonly K[]): Record<K, typeof readOnly> {
  return Object.fromEntries(fields.map((field) => [field, readOnly])) as Record<K, typeof readOnly>;
}

export function strictBody<S extends z.ZodRawShape>(shape: S) {
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code === 'unrecognized_keys') return UNKNOWN_FIELD_MESSAGE;
      if (issue.code === 'invalid_type') return 'must be a JSON object';
      return undefined;
    },
  });
}

/** Drops the `?: undefined` properties the read-only markers add to the inferred types. */
export type Writable<T> = { [K in keyof T as [T[K]] extends [undefined] ? never : K]: T[K] };

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A body-level rule: at least one field is given (an empty PATCH is a mistake, not a no-op). */
export function requireSomeField(value: object, ctx: z.RefinementCtx): void {
  if (Object.values(value).some((field) => field !== undefined)) return;
  ctx.addIssue({ code: 'custom', message: 'at least one field is required' });
}

/**
 * Accepts both `{"<key>": {...}}` and the bare object. Only a body whose sole key is `key` is
 * unwrapped; a mix such as `{"contact": {...}, "email": "…"}` stays as it is so validation names
 * `contact` as an unknown field instead of guessing which part was meant.
 */
export function unwrapResourceBody(body: unknown, key: string): unknown {
  if (isPlainObject(body)) {
    const keys = Object.keys(body);
    if (keys.length === 1 && keys[0] === key) return body[key];
  }
  return body;
}

/**
 * True when `body[key]` is an array longer than `max`. Checked before parsing, so a service can
 * answer 413 without validating thousands of items first.
 */
export function exceedsArrayMax(body: unknown, key: string, max: number): boolean {
  return isPlainObject(body) && Array.isArray(body[key]) && body[key].length > max;
}
