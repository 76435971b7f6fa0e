import type { SmartlinkEventOf, SmartlinkEventType } from '@reps/contracts';
import type { Actor } from '../contact/actor';
import { accept, refuse, type Decision } from '../decider/decision';
import type {
  CreateSmartlink,
  OpenSmartlink,
  RecordSmartlinkActivity,
  RevokeSmartlink,
  SmartlinkCommand,
} from './smartlink-commands';
import { smartlinkErrors, type SmartlinkDomainError } from './smartlink-errors';
import type { SmartlinkState } from './smartlink-state';
import { checkTarget } from './smartlink-target';

/** A decided SmartLink event: type and data, before the service wraps it in the envelope. */
export type SmartlinkEventData = {
  [T in SmartlinkEventType]: { type: T; data: SmartlinkEventOf<T>['data'] };
}[SmartlinkEventType];

export type SmartlinkDecision = Decision<SmartlinkEventData, SmartlinkDomainError>;

/** A SmartLink is its rep's alone: no colleague and no company sees or revokes it. */
export function isSmartlinkVisibleTo(state: SmartlinkState, actor: Actor): boolean {
  return (
    actor.scope === 'user' && state.tenant_company_id === actor.companyId && state.user_id === actor.userId
  );
}

/**
 * What a command means for one SmartLink. Pure: the id, the time, the contact's eligibility and the
 * company's allowed hosts come in with the command. Revoking twice decides nothing (retries are
 * safe); an open or an activity of a revoked link is refused exactly like an unknown one.
 */
export function decideSmartlink(command: SmartlinkCommand, state: SmartlinkState | null): SmartlinkDecision {
  switch (command.type) {
    case 'CreateSmartlink':
      return create(command, state);
    case 'RevokeSmartlink':
      return revoke(command, state);
    case 'OpenSmartlink':
      return open(command, state);
    case 'RecordSmartlinkActivity':
      return recordActivity(command, state);
    default: {
      const _exhaustive: never = command;
      throw new Error(`Unknown SmartLink command: ${JSON.stringify(_exhaustive)}`);
    }
  }
}

function create(command: CreateSmartlink, state: SmartlinkState | null): SmartlinkDecision {
  if (state !== null) return refuse(smartlinkErrors.alreadyExists());
  if (command.actor.scope !== 'user') return refuse(smartlinkErrors.notFound());
  if (command.contact.eligibility !== 'eligible') return refuse(smartlinkErrors.invalidContact());
  const target = checkTarget(command.body.url, command.policy);
  if (!target.ok) return refuse(smartlinkErrors.invalidTarget(target.reason));
  return accept([
    {
      type: 'smartlink.created',
      data: {
        id: command.smartlinkId,
        contact_id: command.body.contact_id,
        shareable_type: command.body.shareable_type,
        shareable_id: command.body.shareable_id,
        shareable_name: command.body.shareable_name,
        url: target.url,
        created_at: command.now,
      },
    },
  ]);
}

function revoke(command: RevokeSmartlink, state: SmartlinkState | null): SmartlinkDecision {
  if (state === null || !isSmartlinkVisibleTo(state, command.actor))
    return refuse(smartlinkErrors.notFound());
  if (state.revoked_at !== null) return accept([]);
  return accept([
    { type: 'smartlink.revoked', data: { contact_id: state.contact_id, revoked_at: command.now } },
  ]);
}

/** A live link whose target the company still allows; anything else is an unknown token to the public. */
function live(state: SmartlinkState | null, policy?: OpenSmartlink['policy']): state is SmartlinkState {
  if (state === null || state.revoked_at !== null) return false;
  return policy === undefined || checkTarget(state.url, policy).ok;
}

function open(command: OpenSmartlink, state: SmartlinkState | null): SmartlinkDecision {
  if (!live(state, command.policy)) return refuse(smartlinkErrors.notFound());
  return accept([
    {
      type: 'smartlink.opened',
      data: {
        contact_id: state.contact_id,
        occurred_at: command.now,
        user_agent: command.userAgent,
        shareable_type: state.shareable_type,
        shareable_name: state.shareable_name,
      },
    },
  ]);
}

function recordActivity(command: RecordSmartlinkActivity, state: SmartlinkState | null): SmartlinkDecision {
  if (!live(state)) return refuse(smartlinkErrors.notFound());
  const { activity } = command;
  return accept([
    {
      type: 'smartlink.activity_recorded',
      data: {
        contact_id: state.contact_id,
        type: activity.type,
        item: activity.item,
        properties: activity.properties,
        occurred_at: activity.occurredAt,
        shareable_type: state.shareable_type,
        shareable_name: state.shareable_name,
      },
    },
  ]);
}
