import type { GroupEventData } from '@reps/contracts';
import { foldEvents } from '../decider/decision';
import type { GroupState } from './group-state';

/** Applies one group event; each bumps `version` and sets `updated_at` from the event's own time. */
export function evolveGroup(state: GroupState | null, event: GroupEventData): GroupState {
  const version = (state?.version ?? 0) + 1;
  switch (event.type) {
    case 'group.created': {
      const { created_at, ...fields } = event.data;
      return { ...fields, members: new Set(), created_at, updated_at: created_at, deleted_at: null, version };
    }
    case 'group.updated':
      return { ...existing(state, event), ...event.data.changes, updated_at: event.data.updated_at, version };
    case 'group.deleted':
      return {
        ...existing(state, event),
        deleted_at: event.data.deleted_at,
        updated_at: event.data.deleted_at,
        version,
      };
    case 'group.contacts_added': {
      const current = existing(state, event);
      const members = new Set(current.members);
      for (const id of event.data.contact_ids) members.add(id);
      return { ...current, members, updated_at: event.data.added_at, version };
    }
    case 'group.contact_removed': {
      const current = existing(state, event);
      const members = new Set(current.members);
      members.delete(event.data.contact_id);
      return { ...current, members, updated_at: event.data.removed_at, version };
    }
    default: {
      const _exhaustive: never = event;
      throw new Error(`Unknown group event: ${JSON.stringify(_exhaustive)}`);
    }
  }
}

function existing(state: GroupState | null, event: GroupEventData): GroupState {
  // Only a corrupt or truncated stream starts with anything but group.created.
  if (state === null) throw new Error(`Cannot apply ${event.type} to a group that does not exist`);
  return state;
}

/** Rebuilds a group from its stream (null when the stream is empty). */
export function evolveGroupAll(
  events: readonly GroupEventData[],
  state: GroupState | null = null,
): GroupState | null {
  return foldEvents(evolveGroup, events, state);
}
