import type { ContactEventData } from '@reps/contracts';
import { foldEvents } from '../decider/decision';
import { isCompanyVisibleOrigin, type ContactState } from './contact-state';

/**
 * Applies one event. Each event bumps `version` (the stream position) and sets `updated_at`
 * from the event's own time, so replaying a stream always yields the same state.
 */
export function evolve(state: ContactState | null, event: ContactEventData): ContactState {
  const version = (state?.version ?? 0) + 1;
  switch (event.type) {
    case 'contact.created':
      return {
        ...event.data,
        company_visible: isCompanyVisibleOrigin(event.data.origin),
        updated_at: event.data.created_at,
        discarded_at: null,
        version,
      };
    case 'contact.updated':
      return { ...existing(state, event), ...event.data.changes, updated_at: event.data.updated_at, version };
    case 'contact.reassigned':
      return {
        ...existing(state, event),
        user_id: event.data.to_user_id,
        updated_at: event.data.reassigned_at,
        version,
      };
    case 'contact.discarded':
      return {
        ...existing(state, event),
        discarded_at: event.data.discarded_at,
        updated_at: event.data.discarded_at,
        version,
      };
    case 'contact.restored':
      return { ...existing(state, event), discarded_at: null, updated_at: event.data.restored_at, version };
    default: {
      const _exhaustive: never = event;
      throw new Error(`Unknown contact event: ${JSON.stringify(_exhaustive)}`);
    }
  }
}

function existing(state: ContactState | null, event: ContactEventData): ContactState {
  // Only a corrupt or truncated stream starts with anything but contact.created.
  if (state === null) throw new Error(`Cannot apply ${event.type} to a contact that does not exist`);
  return state;
}

/** Rebuilds a contact from its stream (null when the stream is empty). */
export function evolveAll(
  events: readonly ContactEventData[],
  state: ContactState | null = null,
): ContactState | null {
  return foldEvents(evolve, events, state);
}
