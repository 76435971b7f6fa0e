import { randomUUID } from 'node:crypto';
import {
  BLANK_CONTACT_FIELDS,
  CONTACT_EVENT_SCHEMA_VERSION,
  type ContactCreatedData,
  type ContactEvent,
  type ContactFieldChanges,
  type ContactFields,
  type ContactOrigin,
} from '@reps/contracts';

/**
 * Builds valid event envelopes for one contact stream, numbering versions and filling in
 * `previous` values and the envelope's owner the way the command side does. For tests and
 * benches that feed the projection without going through contacts-command.
 */
export interface ContactStreamBuilder {
  readonly contactId: number;
  readonly tenant: number;
  readonly version: number;
  created(fields?: Partial<ContactFields>): ContactEvent;
  updated(changes: Partial<ContactFields>): ContactEvent;
  reassigned(toUserId: number): ContactEvent;
  discarded(): ContactEvent;
  restored(): ContactEvent;
}

export interface StreamOptions {
  contactId: number;
  tenant: number;
  owner: number;
  origin?: ContactOrigin;
  /** Time of the first event; each later event is one second after the one before. */
  startAt?: Date;
}

export { BLANK_CONTACT_FIELDS };

export function contactStream(options: StreamOptions): ContactStreamBuilder {
  const origin = options.origin ?? 'user_app';
  const visible = origin !== 'user_app';
  let version = 0;
  let owner = options.owner;
  let fields: ContactFields = { ...BLANK_CONTACT_FIELDS };
  let clock = options.startAt?.getTime() ?? Date.UTC(2025, 5, 1, 8, 0, 0);

  const envelope = (type: ContactEvent['type'], data: unknown): ContactEvent => {
    version += 1;
    return {
      id: randomUUID(),
      type,
      schema_version: CONTACT_EVENT_SCHEMA_VERSION,
      occurred_at: new Date(clock).toISOString(),
      aggregate_id: options.contactId,
      aggregate_version: version,
      company_id: options.tenant,
      user_id: owner,
      company_visible: visible,
      actor: visible
        ? { scope: 'company', user_id: null, company_id: options.tenant }
        : { scope: 'user', user_id: owner, company_id: options.tenant },
      correlation_id: 'test',
      causation_id: null,
      data,
    } as ContactEvent;
  };
  const tick = () => {
    clock += 1000;
    return new Date(clock).toISOString();
  };

  return {
    contactId: options.contactId,
    tenant: options.tenant,
    get version() {
      return version;
    },
    created(initial = {}) {
      fields = { ...BLANK_CONTACT_FIELDS, ...initial };
      const data: ContactCreatedData = {
        id: options.contactId,
        token: `tok${options.contactId}xxxxxxxx`,
        tenant_company_id: options.tenant,
        company_id: visible ? options.tenant : null,
        user_id: owner,
        origin,
        ...fields,
        created_at: new Date(clock).toISOString(),
      };
      return envelope('contact.created', data);
    },
    updated(changes) {
      const changed: ContactFieldChanges = {};
      const previous: ContactFieldChanges = {};
      for (const [key, value] of Object.entries(changes) as [keyof ContactFields, never][]) {
        changed[key] = value;
        previous[key] = fields[key] as never;
      }
      fields = { ...fields, ...changes };
      return envelope('contact.updated', { changes: changed, previous, updated_at: tick() });
    },
    reassigned(toUserId) {
      const from = owner;
      owner = toUserId;
      return envelope('contact.reassigned', { from_user_id: from, to_user_id: toUserId, reassigned_at: tick() });
    },
    discarded() {
      return envelope('contact.discarded', { discarded_at: tick() });
    },
    restored() {
      return envelope('contact.restored', { restored_at: tick() });
    },
  };
}
