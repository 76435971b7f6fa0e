import { randomUUID } from 'node:crypto';
import { EVENT_SCHEMA_VERSION, type EventEnvelope } from '@reps/contracts';
import type { Actor } from '@reps/contacts-domain';
import { toEventActor } from '../contacts/contact-envelope';

/** What the §3 envelope says about one aggregate's state after an event. */
export interface EnvelopeFacts {
  aggregateId: number;
  version: number;
  tenantCompanyId: number;
  userId: number;
  companyVisible: boolean;
}

/**
 * Wraps decided `{type, data}` events of any aggregate in the public envelope, folding as it goes
 * so each envelope carries the owner and visibility *after* its event (`facts` reads them from
 * the state; for a note that also takes its contact, so it is a closure).
 */
export function envelopeWith<D extends { type: string; data: unknown }, S, E>(
  evolve: (state: S | null, event: D) => S,
  facts: (state: S) => EnvelopeFacts,
) {
  return (
    events: D[],
    before: S | null,
    context: { actor: Actor; correlationId: string; now: string; causationId?: string | null },
  ): { envelopes: E[]; after: S | null } => {
    let state = before;
    const envelopes: E[] = [];
    for (const event of events) {
      state = evolve(state, event);
      const f = facts(state);
      const envelope: Omit<EventEnvelope, 'type' | 'data'> & D = {
        id: randomUUID(),
        ...event,
        schema_version: EVENT_SCHEMA_VERSION,
        occurred_at: context.now,
        aggregate_id: f.aggregateId,
        aggregate_version: f.version,
        company_id: f.tenantCompanyId,
        user_id: f.userId,
        company_visible: f.companyVisible,
        actor: toEventActor(context.actor),
        correlation_id: context.correlationId,
        causation_id: context.causationId ?? null,
      };
      envelopes.push(envelope as unknown as E);
    }
    return { envelopes, after: state };
  };
}
