import type { EventEnvelope } from '../events/event-classifier';

/**
 * What the counts need to know about one contact. `contact.updated` carries only what changed,
 * so the last known status (and origin, which only `contact.created` carries) must be kept per
 * contact for the counts to move correctly.
 */
export interface ContactState {
  /** The tenant (envelope `company_id`). */
  companyId: number;
  status: string;
  origin: string;
  discarded: boolean;
  /** The `aggregate_version` of the last event applied: the redelivery and replay guard. */
  version: number;
}

/** The contact events this consumer folds; their shapes are checked by the published schemas first. */
export type ContactEvent =
  | (EventEnvelope & { type: 'contact.created'; data: { status: string; origin: string } })
  | (EventEnvelope & { type: 'contact.updated'; data: { changes: { status?: string } } })
  | (EventEnvelope & { type: 'contact.reassigned' })
  | (EventEnvelope & { type: 'contact.discarded' })
  | (EventEnvelope & { type: 'contact.restored' });

const CONTACT_EVENT_TYPES: ReadonlySet<string> = new Set<ContactEvent['type']>([
  'contact.created',
  'contact.updated',
  'contact.reassigned',
  'contact.discarded',
  'contact.restored',
]);

/** True for the five contact event types; other valid events (other topics) are not counted. */
export function isContactEvent(event: EventEnvelope): event is ContactEvent {
  return CONTACT_EVENT_TYPES.has(event.type);
}

export type ApplyOutcome =
  /** The event moved the contact on. */
  | 'applied'
  /** Applied, but versions were skipped since the last event (harmless: every field kept is absolute). */
  | 'applied_after_gap'
  /** `aggregate_version` ≤ the last applied: a redelivery or a replay; nothing changes. */
  | 'duplicate'
  /** An event of a contact whose `contact.created` was never seen (origin unknown): skipped. */
  | 'unseen_contact';

/**
 * One step of the fold: the contact's next state and what happened. Pure; the delivery
 * guarantees (per-contact order, at-least-once) are what make `aggregate_version` a complete
 * deduplication key: one number per contact instead of every event id ever seen.
 */
export function applyContactEvent(
  state: ContactState | undefined,
  event: ContactEvent,
): { outcome: ApplyOutcome; state: ContactState | undefined } {
  if (state && event.aggregate_version <= state.version) return { outcome: 'duplicate', state };
  const gap = state !== undefined && event.aggregate_version > state.version + 1;
  const outcome = gap ? 'applied_after_gap' : 'applied';
  if (event.type === 'contact.created') {
    const { status, origin } = event.data;
    return {
      outcome,
      state: {
        companyId: event.company_id,
        status,
        origin,
        discarded: false,
        version: event.aggregate_version,
      },
    };
  }
  if (!state) return { outcome: 'unseen_contact', state };
  return { outcome, state: evolveContact(state, event) };
}

function evolveContact(
  state: ContactState,
  event: Exclude<ContactEvent, { type: 'contact.created' }>,
): ContactState {
  const next = { ...state, companyId: event.company_id, version: event.aggregate_version };
  switch (event.type) {
    case 'contact.updated':
      return { ...next, status: event.data.changes.status ?? state.status };
    case 'contact.reassigned':
      return next;
    case 'contact.discarded':
      return { ...next, discarded: true };
    case 'contact.restored':
      return { ...next, discarded: false };
    default: {
      const unreachable: never = event;
      throw new Error(`unhandled contact event ${JSON.stringify(unreachable)}`);
    }
  }
}
