import type { SmartlinkEvent } from '@reps/contracts';
import { foldEvents } from '../decider/decision';
import type { SmartlinkState } from './smartlink-state';

/**
 * Applies one SmartLink event (as published: the owner and visibility are the envelope's). Opens
 * and activities move the stream position only.
 */
export function evolveSmartlink(state: SmartlinkState | null, event: SmartlinkEvent): SmartlinkState {
  const version = (state?.version ?? 0) + 1;
  switch (event.type) {
    case 'smartlink.created': {
      const { data } = event;
      return {
        id: data.id,
        tenant_company_id: event.company_id,
        user_id: event.user_id,
        contact_id: data.contact_id,
        company_visible: event.company_visible,
        shareable_type: data.shareable_type,
        shareable_id: data.shareable_id,
        shareable_name: data.shareable_name ?? null,
        url: data.url,
        created_at: data.created_at,
        revoked_at: null,
        version,
      };
    }
    case 'smartlink.revoked':
      return { ...existing(state, event), revoked_at: event.data.revoked_at, version };
    case 'smartlink.opened':
    case 'smartlink.activity_recorded':
      return { ...existing(state, event), version };
    default: {
      const _exhaustive: never = event;
      throw new Error(`Unknown SmartLink event: ${JSON.stringify(_exhaustive)}`);
    }
  }
}

function existing(state: SmartlinkState | null, event: SmartlinkEvent): SmartlinkState {
  if (state === null) throw new Error(`${event.type} before smartlink.created`);
  return state;
}

export function evolveSmartlinkAll(events: readonly SmartlinkEvent[], state: SmartlinkState | null = null) {
  return foldEvents(evolveSmartlink, events, state);
}
