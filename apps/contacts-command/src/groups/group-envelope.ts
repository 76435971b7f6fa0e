import { randomUUID } from 'node:crypto';
import { GROUP_EVENT_SCHEMA_VERSION, type GroupEvent, type GroupEventData } from '@reps/contracts';
import { evolveGroup, type Actor, type GroupState } from '@reps/contacts-domain';
import { toEventActor } from '../contacts/contact-envelope';

export const groupStream = (groupId: number): string => `group-${groupId}`;

/** Wraps decided group events in the public envelope, folding as it goes (a group is never company-visible). */
export function envelopeGroupEvents(
  events: GroupEventData[],
  before: GroupState | null,
  context: { actor: Actor; correlationId: string; now: string },
): { envelopes: GroupEvent[]; after: GroupState | null } {
  let state = before;
  const envelopes: GroupEvent[] = [];
  for (const event of events) {
    state = evolveGroup(state, event);
    envelopes.push({
      id: randomUUID(),
      type: event.type,
      schema_version: GROUP_EVENT_SCHEMA_VERSION,
      occurred_at: context.now,
      aggregate_id: state.id,
      aggregate_version: state.version,
      company_id: state.tenant_company_id,
      user_id: state.user_id,
      company_visible: false,
      actor: toEventActor(context.actor),
      correlation_id: context.correlationId,
      causation_id: null,
      data: event.data,
    } as GroupEvent);
  }
  return { envelopes, after: state };
}
