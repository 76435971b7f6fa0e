import { foldEvents, type Decision } from './decision';

export interface Decider<C, E, S, Err extends { code: string }> {
  decide(command: C, state: S | null): Decision<E, Err>;
  evolve(state: S | null, event: E): S;
}

/**
 * Given events / when command / then events (or error), in the style of Oskar Dudycz's
 * DeciderSpecification, for any aggregate. The given events go through `evolve`, and so do the
 * events a command produces, so every scenario also proves they apply to the state they came from.
 */
export function deciderSpecification<C, E, S, Err extends { code: string }>(decider: Decider<C, E, S, Err>) {
  return function given(...history: E[]) {
    const state = foldEvents(decider.evolve, history);
    return {
      state,
      when(command: C) {
        const result = decider.decide(command, state);
        return {
          then(expected: E[]): S | null {
            expect(result).toEqual({ ok: true, events: expected });
            return result.ok ? foldEvents(decider.evolve, result.events, state) : state;
          },
          thenNothingHappens(): void {
            expect(result).toEqual({ ok: true, events: [] });
          },
          thenFails(code: Err['code'], details: Record<string, unknown> = {}): void {
            expect(result).toMatchObject({ ok: false, error: { code, ...details } });
          },
        };
      },
    };
  };
}
