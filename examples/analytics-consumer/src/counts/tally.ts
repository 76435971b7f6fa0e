import type { Classified } from '../events/event-classifier';
import { applyContactEvent, isContactEvent, type ApplyOutcome, type ContactState } from './contact-state';

export interface TallyStats {
  /** Every message seen, whatever it was. */
  messages: number;
  applied: number;
  /** Applied although versions were missing before it (e.g. the topic's oldest events expired). */
  gaps: number;
  duplicates: number;
  unseenContacts: number;
  /** Valid events of a published type this consumer does not count (e.g. another topic's). */
  notCounted: number;
  /** Events of a type no published schema describes, by type. */
  unknownTypes: Record<string, number>;
  invalid: number;
}

/** The running state: one entry per contact ever created; the counts are derived from it. */
export interface Tally {
  contacts: Map<number, ContactState>;
  stats: TallyStats;
}

export type RecordOutcome = ApplyOutcome | 'not_counted' | 'unknown_type' | 'invalid';

export function createTally(): Tally {
  return {
    contacts: new Map(),
    stats: {
      messages: 0,
      applied: 0,
      gaps: 0,
      duplicates: 0,
      unseenContacts: 0,
      notCounted: 0,
      unknownTypes: {},
      invalid: 0,
    },
  };
}

/** Folds one classified message into the tally (the only place the tally changes). */
export function recordMessage(tally: Tally, message: Classified): RecordOutcome {
  const { stats } = tally;
  stats.messages += 1;
  switch (message.kind) {
    case 'invalid':
      stats.invalid += 1;
      return 'invalid';
    case 'unknown_type':
      stats.unknownTypes[message.type] = (stats.unknownTypes[message.type] ?? 0) + 1;
      return 'unknown_type';
    case 'event': {
      const { event } = message;
      if (!isContactEvent(event)) {
        stats.notCounted += 1;
        return 'not_counted';
      }
      const { outcome, state } = applyContactEvent(tally.contacts.get(event.aggregate_id), event);
      if (state) tally.contacts.set(event.aggregate_id, state);
      if (outcome === 'applied' || outcome === 'applied_after_gap') stats.applied += 1;
      if (outcome === 'applied_after_gap') stats.gaps += 1;
      if (outcome === 'duplicate') stats.duplicates += 1;
      if (outcome === 'unseen_contact') stats.unseenContacts += 1;
      return outcome;
    }
    default: {
      const unreachable: never = message;
      throw new Error(`unhandled message ${JSON.stringify(unreachable)}`);
    }
  }
}
