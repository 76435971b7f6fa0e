import { parseContactListQuery } from '@reps/contracts';

/**
 * Checks a list's query string at the edge (the schema is the public contract in libs/contracts,
 * which contacts-query parses too), so a bad request is a 400 naming each parameter without a hop.
 */
export function assertListQuery(query: unknown): void {
  parseContactListQuery(query);
}
