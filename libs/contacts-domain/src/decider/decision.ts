/**
 * What every aggregate's `decide` returns: the events a command produces, or why it was refused.
 * An empty list of events is a success that changes nothing, so retries are safe.
 */
export type Decision<E, Err> = { ok: true; events: E[] } | { ok: false; error: Err };

export const accept = <E>(events: E[]): { ok: true; events: E[] } => ({ ok: true, events });
export const refuse = <Err>(error: Err): { ok: false; error: Err } => ({ ok: false, error });

/** Rebuilds an aggregate from its stream with its `evolve` (null when the stream is empty). */
export function foldEvents<S, E>(
  evolve: (state: S | null, event: E) => S,
  events: readonly E[],
  state: S | null = null,
): S | null {
  return events.reduce<S | null>((current, event) => evolve(current, event), state);
}
