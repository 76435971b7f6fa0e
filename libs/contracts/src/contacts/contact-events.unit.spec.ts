import { z } from 'zod';
import {
  CONTACTS_TOPIC,
  CONTACT_EVENT_TYPES,
  ContactEvent,
  ContactEventData,
  ContactUpdatedData,
  contactEventKey,
  type ContactCreatedData,
} from './contact-events';
import { ContactFields } from './contact-fields';
import { seedWritable } from './seed-contact.spec-fixture';

const created: ContactCreatedData = {
  id: 12345,
  token: 'abc123def456',
  tenant_company_id: 10,
  company_id: null,
  user_id: 7,
  origin: 'user_app',
  ...ContactFields.parse(seedWritable()),
  created_at: '2025-06-01T10:00:00.000Z',
};

const envelope = {
  id: '0b6f2c1e-8d4a-4c3e-9f1a-2b3c4d5e6f70',
  schema_version: 1,
  occurred_at: '2025-06-01T10:00:00.000Z',
  aggregate_id: 12345,
  aggregate_version: 1,
  company_id: 10,
  user_id: 7,
  company_visible: false,
  actor: { scope: 'user', user_id: 7, company_id: 10 },
  correlation_id: 'req-1',
  causation_id: null,
};

describe('contact events', () => {
  it('are published on crm.contacts.v1, keyed by the contact id', () => {
    expect(CONTACTS_TOPIC).toBe('crm.contacts.v1');
    expect(contactEventKey(12345)).toBe('12345');
  });

  it('parse a full contact.created envelope', () => {
    const event = { ...envelope, type: 'contact.created', data: created };
    expect(ContactEvent.parse(event)).toEqual(event);
  });

  it('have one schema per event type', () => {
    const samples: Record<(typeof CONTACT_EVENT_TYPES)[number], unknown> = {
      'contact.created': created,
      'contact.updated': {
        changes: { city: 'Dallas' },
        previous: { city: 'Austin' },
        updated_at: '2025-06-02T00:00:00Z',
      },
      'contact.reassigned': { from_user_id: 7, to_user_id: 8, reassigned_at: '2025-06-02T00:00:00Z' },
      'contact.discarded': { discarded_at: '2025-06-02T00:00:00Z' },
      'contact.restored': { restored_at: '2025-06-03T00:00:00Z' },
    };
    for (const type of CONTACT_EVENT_TYPES) {
      expect(ContactEventData.safeParse({ type, data: samples[type] }).success).toBe(true);
      expect(ContactEventData.safeParse({ type, data: {} }).success).toBe(false);
    }
  });

  it('require contact.updated to name the same fields in changes and previous', () => {
    const parse = (data: unknown) => ContactEventData.safeParse({ type: 'contact.updated', data });
    const at = '2025-06-02T00:00:00Z';
    expect(parse({ changes: { city: 'Dallas' }, previous: {}, updated_at: at }).success).toBe(false);
    expect(parse({ changes: {}, previous: {}, updated_at: at }).success).toBe(false);
    expect(parse({ changes: { city: null }, previous: { city: 'Austin' }, updated_at: at }).success).toBe(
      true,
    );
  });

  it('publish the at-least-one-field rule of contact.updated in its JSON Schema', () => {
    // Analytics consumers validate with the published schema, not with zod: the rule must be in it.
    const schema = z.toJSONSchema(ContactUpdatedData) as {
      properties: Record<'changes' | 'previous', { minProperties?: number }>;
    };
    expect(schema.properties.changes.minProperties).toBe(1);
    expect(schema.properties.previous.minProperties).toBe(1);
  });

  it('validate values in events with the same rules as requests', () => {
    const data = {
      changes: { email: 'not-an-email' },
      previous: { email: null },
      updated_at: '2025-06-02T00:00:00Z',
    };
    expect(ContactEventData.safeParse({ type: 'contact.updated', data }).success).toBe(false);
  });

  it('tie the actor user_id to its scope', () => {
    const withActor = (actor: unknown) =>
      ContactEvent.safeParse({ ...envelope, actor, type: 'contact.created', data: created });
    expect(withActor({ scope: 'company', user_id: null, company_id: 10 }).success).toBe(true);
    expect(withActor({ scope: 'company', user_id: 7, company_id: 10 }).success).toBe(false);
    expect(withActor({ scope: 'user', user_id: null, company_id: 10 }).success).toBe(false);
  });

  it('reject an unknown event type and a wrong schema_version', () => {
    expect(ContactEvent.safeParse({ ...envelope, type: 'contact.merged', data: {} }).success).toBe(false);
    expect(
      ContactEvent.safeParse({ ...envelope, schema_version: 2, type: 'contact.created', data: created })
        .success,
    ).toBe(false);
  });
});
