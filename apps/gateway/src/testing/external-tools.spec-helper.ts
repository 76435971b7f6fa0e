import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** An executable: `envVar` when set, else the first of `names` on PATH; undefined when absent. */
export function findExecutable(envVar: string, names: string[]): string | undefined {
  const explicit = process.env[envVar];
  if (explicit) return explicit;
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    for (const name of names) {
      const candidate = join(dir, name);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}
