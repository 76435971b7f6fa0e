/**
 * Structural equality of JSON values, ignoring key order: `{a:1,b:2}` and `{b:2,a:1}` are the
 * same metadata, and an update that only reorders keys must not produce an event.
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) &&
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((item, i) => jsonEqual(item, b[i]))
    );
  }
  const aEntries = Object.entries(a);
  const bRecord = b as Record<string, unknown>;
  return (
    aEntries.length === Object.keys(bRecord).length &&
    aEntries.every(([key, value]) => Object.hasOwn(bRecord, key) && jsonEqual(value, bRecord[key]))
  );
}
