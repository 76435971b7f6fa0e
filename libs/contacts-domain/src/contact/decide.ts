import {
  BLANK_CONTACT_FIELDS,
  CONTACT_FIELD_NAMES,
  type ContactCreatedData,
  type ContactEventData,
  type ContactFieldChanges,
  type ContactFieldName,
  type ContactFields,
  type ContactOrigin,
} from '@reps/contracts';
import { isVisibleTo } from './actor';
import type {
  ContactCommand,
  CreateContact,
  DiscardContact,
  RestoreContact,
  UpdateContact,
} from './commands';
import { isCompanyVisibleOrigin, type ContactState } from './contact-state';
import { domainErrors, type DomainError } from './domain-error';
import { jsonEqual } from './json-equal';
import { accept, refuse, type Decision } from '../decider/decision';

export type DecideResult = Decision<ContactEventData, DomainError>;

/**
 * What a command means for one contact, given its current state. Pure: ids, token and time
 * come in with the command. An empty list of events is a success that changes nothing
 * (an update to the current values, a repeated discard or restore), so retries are safe.
 */
export function decide(command: ContactCommand, state: ContactState | null): DecideResult {
  switch (command.type) {
    case 'CreateContact':
      return create(command, state);
    case 'UpdateContact':
      return update(command, state);
    case 'DiscardContact':
      return discard(command, state);
    case 'RestoreContact':
      return restore(command, state);
    default: {
      const _exhaustive: never = command;
      throw new Error(`Unknown contact command: ${JSON.stringify(_exhaustive)}`);
    }
  }
}

function create(command: CreateContact, state: ContactState | null): DecideResult {
  if (state !== null) return refuse(domainErrors.alreadyExists());
  const { actor, body } = command;
  const requestedOwner = 'user_id' in body ? body.user_id : undefined;
  const requestedOrigin = 'origin' in body ? body.origin : undefined;

  let owner: number;
  let origin: ContactOrigin;
  if (actor.scope === 'user') {
    // A rep's contact is theirs and private to them; they cannot hand it to someone else
    // or make it visible to the company by claiming another origin.
    if (requestedOwner !== undefined) return refuse(domainErrors.forbiddenField('user_id'));
    if (requestedOrigin !== undefined) return refuse(domainErrors.forbiddenField('origin'));
    owner = actor.userId;
    origin = 'user_app';
  } else {
    if (requestedOwner === undefined) return refuse(domainErrors.ownerRequired());
    origin = requestedOrigin ?? 'company_api';
    if (!isCompanyVisibleOrigin(origin)) return refuse(domainErrors.forbiddenField('origin'));
    owner = requestedOwner;
  }

  const data: ContactCreatedData = {
    id: command.contactId,
    token: command.token,
    tenant_company_id: actor.companyId,
    company_id: actor.scope === 'company' ? actor.companyId : null,
    user_id: owner,
    origin,
    ...initialFields(body),
    created_at: command.now,
  };
  return accept([{ type: 'contact.created', data }]);
}

function initialFields(body: Partial<ContactFields>): ContactFields {
  const fields: ContactFields = { ...BLANK_CONTACT_FIELDS, metadata: {} };
  for (const field of CONTACT_FIELD_NAMES) copyDefined(fields, body, field);
  return fields;
}

function copyDefined<K extends ContactFieldName>(
  target: Partial<ContactFields>,
  source: Partial<ContactFields>,
  key: K,
) {
  const value = source[key];
  if (value !== undefined) target[key] = value;
}

function update(command: UpdateContact, state: ContactState | null): DecideResult {
  const { actor, body } = command;
  if (state === null || !isVisibleTo(state, actor)) return refuse(domainErrors.notFound());
  const requestedOwner = 'user_id' in body ? body.user_id : undefined;
  if (actor.scope === 'user' && requestedOwner !== undefined)
    return refuse(domainErrors.forbiddenField('user_id'));
  if ('origin' in body && body.origin !== undefined) return refuse(domainErrors.forbiddenField('origin'));
  if (state.discarded_at !== null) return refuse(domainErrors.contactDiscarded());

  const changes: ContactFieldChanges = {};
  const previous: ContactFieldChanges = {};
  for (const field of CONTACT_FIELD_NAMES) recordChange(changes, previous, state, body, field);

  const events: ContactEventData[] = [];
  if (Object.keys(changes).length > 0) {
    events.push({ type: 'contact.updated', data: { changes, previous, updated_at: command.now } });
  }
  if (requestedOwner !== undefined && requestedOwner !== state.user_id) {
    events.push({
      type: 'contact.reassigned',
      data: { from_user_id: state.user_id, to_user_id: requestedOwner, reassigned_at: command.now },
    });
  }
  return accept(events);
}

function recordChange<K extends ContactFieldName>(
  changes: ContactFieldChanges,
  previous: ContactFieldChanges,
  state: ContactState,
  body: Partial<ContactFields>,
  field: K,
): void {
  const next = body[field];
  if (next === undefined || jsonEqual(next, state[field])) return;
  changes[field] = next;
  previous[field] = state[field];
}

function discard(command: DiscardContact, state: ContactState | null): DecideResult {
  if (state === null || !isVisibleTo(state, command.actor)) return refuse(domainErrors.notFound());
  if (state.discarded_at !== null) return accept([]);
  return accept([{ type: 'contact.discarded', data: { discarded_at: command.now } }]);
}

function restore(command: RestoreContact, state: ContactState | null): DecideResult {
  if (state === null || !isVisibleTo(state, command.actor)) return refuse(domainErrors.notFound());
  if (state.discarded_at === null) return accept([]);
  return accept([{ type: 'contact.restored', data: { restored_at: command.now } }]);
}
