import { randomUUID } from 'node:crypto';
import { EVENT_SCHEMA_VERSION, type SmartlinkEvent } from '@reps/contracts';
import {
  evolveSmartlink,
  type Actor,
  type SmartlinkEventData,
  type SmartlinkState,
} from '@reps/contacts-domain';
import { toEventActor } from '../contacts/contact-envelope';

export const smartlinkStream = (smartlinkId: number): string => `smartlink-${smartlinkId}`;

/** Who a SmartLink belongs to before its first event: the creating rep, and its contact's visibility. */
export interface SmartlinkOwner {
  tenantCompanyId: number;
  userId: number;
  companyVisible: boolean;
}

/**
 * Wraps decided SmartLink events in the public envelope, folding as it goes. `user_id` is the rep
 * who shared the link; `company_visible` follows its contact. Opens and activities come through
 * the public routes, from nobody with a token: their actor is the company (its site and its link).
 */
export function envelopeSmartlinkEvents(
  events: SmartlinkEventData[],
  before: SmartlinkState | null,
  context: { actor: Actor; correlationId: string; now: string; owner?: SmartlinkOwner },
): { envelopes: SmartlinkEvent[]; after: SmartlinkState | null } {
  let state = before;
  const envelopes: SmartlinkEvent[] = [];
  for (const event of events) {
    const owner: SmartlinkOwner | undefined = state
      ? {
          tenantCompanyId: state.tenant_company_id,
          userId: state.user_id,
          companyVisible: state.company_visible,
        }
      : context.owner;
    if (!owner) throw new Error(`${event.type} of a SmartLink without an owner`);
    const envelope = {
      id: randomUUID(),
      type: event.type,
      schema_version: EVENT_SCHEMA_VERSION,
      occurred_at: context.now,
      aggregate_id: state?.id ?? (event.type === 'smartlink.created' ? event.data.id : 0),
      aggregate_version: (state?.version ?? 0) + 1,
      company_id: owner.tenantCompanyId,
      user_id: owner.userId,
      company_visible: owner.companyVisible,
      actor: toEventActor(context.actor),
      correlation_id: context.correlationId,
      causation_id: null,
      data: event.data,
    } as SmartlinkEvent;
    state = evolveSmartlink(state, envelope);
    envelopes.push(envelope);
  }
  return { envelopes, after: state };
}
