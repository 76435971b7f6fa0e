import { randomUUID } from 'node:crypto';
import {
  CONTACT_EVENT_SCHEMA_VERSION,
  type ContactEvent,
  type ContactEventData,
  type EventActor,
  type EventEnvelope,
} from '@reps/contracts';
import { evolve, type Actor, type ContactState } from '@reps/contacts-domain';
import type { OutgoingMessage } from '@reps/kafka';

export const contactStream = (contactId: number): string => `contact-${contactId}`;

export function toEventActor(actor: Actor): EventActor {
  return actor.scope === 'user'
    ? { scope: 'user', user_id: actor.userId, company_id: actor.companyId }
    : { scope: 'company', user_id: null, company_id: actor.companyId };
}

export interface EnvelopeContext {
  actor: Actor;
  correlationId: string;
  causationId: string | null;
  now: string;
}

/**
 * Wraps decided events in the public envelope (DESIGN §3), folding them as it goes so each
 * envelope carries the owner and visibility *after* its event.
 */
export function envelopeEvents(
  events: ContactEventData[],
  before: ContactState | null,
  context: EnvelopeContext,
): { envelopes: ContactEvent[]; after: ContactState | null } {
  let state = before;
  const envelopes: ContactEvent[] = [];
  for (const event of events) {
    state = evolve(state, event);
    envelopes.push({
      id: randomUUID(),
      type: event.type,
      schema_version: CONTACT_EVENT_SCHEMA_VERSION,
      occurred_at: context.now,
      aggregate_id: state.id,
      aggregate_version: state.version,
      company_id: state.tenant_company_id,
      user_id: state.user_id,
      company_visible: state.company_visible,
      actor: toEventActor(context.actor),
      correlation_id: context.correlationId,
      causation_id: context.causationId,
      data: event.data,
    } as ContactEvent);
  }
  return { envelopes, after: state };
}

/** Kafka message for an event of any aggregate: keyed by its id, so one aggregate's events stay ordered. */
export function toKafkaMessage(
  event: Pick<EventEnvelope, 'aggregate_id' | 'type' | 'schema_version' | 'correlation_id'>,
): OutgoingMessage {
  return {
    key: String(event.aggregate_id),
    value: JSON.stringify(event),
    headers: {
      'content-type': 'application/json',
      'event-type': event.type,
      'schema-version': String(event.schema_version),
      'correlation-id': event.correlation_id,
    },
  };
}
