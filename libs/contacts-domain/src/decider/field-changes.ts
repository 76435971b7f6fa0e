import { jsonEqual } from '../contact/json-equal';

/**
 * The `changes`/`previous` pair of an `*.updated` event: each given field whose value differs
 * from the current one (JSON equality, so reordered keys are no change). Empty when nothing
 * changes, which decides no event.
 */
export function fieldChanges<T extends object>(
  current: T,
  patch: Partial<T>,
): { changes: Partial<T>; previous: Partial<T>; changed: boolean } {
  const changes: Partial<T> = {};
  const previous: Partial<T> = {};
  for (const key of Object.keys(patch) as (keyof T)[]) {
    const next = patch[key];
    if (next === undefined || jsonEqual(next, current[key])) continue;
    changes[key] = next;
    previous[key] = current[key];
  }
  return { changes, previous, changed: Object.keys(changes).length > 0 };
}
