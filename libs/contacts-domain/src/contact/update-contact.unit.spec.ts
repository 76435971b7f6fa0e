import type { ContactUpdateBody } from '@reps/contracts';
import type { Actor } from './actor';
import type { UpdateContact } from './commands';
import { toContactResource } from './contact-state';
import {
  OWNER,
  T1,
  T2,
  company,
  contactId,
  createdByCompany,
  createdByOwner,
  discarded,
  given,
  owner,
} from './decider.spec-helper';

const updateContact = (actor: Actor, body: ContactUpdateBody, now = T1): UpdateContact => ({
  type: 'UpdateContact',
  contactId,
  actor,
  now,
  body,
});

describe('UpdateContact', () => {
  it('changes only the given fields and carries their previous values', () => {
    const state = given(createdByOwner())
      .when(updateContact(owner, { city: 'Dallas', lead_type: 'hot' }))
      .then([
        {
          type: 'contact.updated',
          data: {
            changes: { city: 'Dallas', lead_type: 'hot' },
            previous: { city: 'Austin', lead_type: 'warm' },
            updated_at: T1,
          },
        },
      ]);
    expect(state).toMatchObject({
      city: 'Dallas',
      lead_type: 'hot',
      state: 'TX',
      version: 2,
      updated_at: T1,
    });
  });

  it('clears an optional field with null', () => {
    given(createdByOwner())
      .when(updateContact(owner, { email: null }))
      .then([
        {
          type: 'contact.updated',
          data: { changes: { email: null }, previous: { email: 'jane.smith@example.com' }, updated_at: T1 },
        },
      ]);
  });

  it('leaves out fields whose value does not change', () => {
    given(createdByOwner())
      .when(updateContact(owner, { first_name: 'Jane', last_name: 'Doe' }))
      .then([
        {
          type: 'contact.updated',
          data: { changes: { last_name: 'Doe' }, previous: { last_name: 'Smith' }, updated_at: T1 },
        },
      ]);
  });

  it('produces no event when nothing changes', () => {
    given(createdByOwner())
      .when(updateContact(owner, { first_name: 'Jane', city: 'Austin' }))
      .thenNothingHappens();
  });

  it('compares metadata by content, not key order', () => {
    given(createdByOwner({ metadata: { a: 1, b: { c: [1, 2] } } }))
      .when(updateContact(owner, { metadata: { b: { c: [1, 2] }, a: 1 } }))
      .thenNothingHappens();
    given(createdByOwner({ metadata: { a: 1 } }))
      .when(updateContact(owner, { metadata: { a: 2 } }))
      .then([
        {
          type: 'contact.updated',
          data: { changes: { metadata: { a: 2 } }, previous: { metadata: { a: 1 } }, updated_at: T1 },
        },
      ]);
  });

  it('derives full_name from the new names', () => {
    const state = given(createdByOwner())
      .when(updateContact(owner, { first_name: null, last_name: ' Doe ' }))
      .then([expect.objectContaining({ type: 'contact.updated' })]);
    expect(toContactResource(state!).full_name).toBe('Doe');
  });

  describe('reassignment', () => {
    it('lets a company move the contact to another rep', () => {
      const state = given(createdByCompany())
        .when(updateContact(company, { user_id: 99 }))
        .then([
          { type: 'contact.reassigned', data: { from_user_id: OWNER, to_user_id: 99, reassigned_at: T1 } },
        ]);
      expect(state).toMatchObject({ user_id: 99, version: 2, updated_at: T1 });
    });

    it('emits contact.updated as well only when other fields change', () => {
      given(createdByCompany())
        .when(updateContact(company, { user_id: 99, status: 'customer' }))
        .then([
          {
            type: 'contact.updated',
            data: { changes: { status: 'customer' }, previous: { status: 'active' }, updated_at: T1 },
          },
          { type: 'contact.reassigned', data: { from_user_id: OWNER, to_user_id: 99, reassigned_at: T1 } },
        ]);
    });

    it('to the current owner is no change', () => {
      given(createdByCompany())
        .when(updateContact(company, { user_id: OWNER }))
        .thenNothingHappens();
    });

    it('is refused to a user, even to themselves', () => {
      given(createdByOwner())
        .when(updateContact(owner, { user_id: OWNER, city: 'Dallas' }))
        .thenFails('forbidden_field', { field: 'user_id' });
    });

    it('after which the previous owner no longer sees the contact', () => {
      given(createdByCompany(), {
        type: 'contact.reassigned',
        data: { from_user_id: OWNER, to_user_id: 99, reassigned_at: T1 },
      })
        .when(updateContact(owner, { city: 'Dallas' }, T2))
        .thenFails('not_found');
    });
  });

  it('refuses origin in either scope: how a contact came in never changes', () => {
    const changesOrigin = { origin: 'company_website' } as ContactUpdateBody;
    given(createdByCompany())
      .when(updateContact(company, changesOrigin))
      .thenFails('forbidden_field', { field: 'origin' });
    given(createdByOwner())
      .when(updateContact(owner, changesOrigin))
      .thenFails('forbidden_field', { field: 'origin' });
  });

  it('refuses a discarded contact until it is restored', () => {
    given(createdByOwner(), discarded())
      .when(updateContact(owner, { city: 'Dallas' }, T2))
      .thenFails('contact_discarded');
    given(createdByCompany(), discarded())
      .when(updateContact(company, { user_id: 99 }, T2))
      .thenFails('contact_discarded');
    given(createdByOwner(), discarded(), { type: 'contact.restored', data: { restored_at: T2 } })
      .when(updateContact(owner, { city: 'Dallas' }, T2))
      .then([
        {
          type: 'contact.updated',
          data: { changes: { city: 'Dallas' }, previous: { city: 'Austin' }, updated_at: T2 },
        },
      ]);
  });

  it('refuses a contact that does not exist', () => {
    given()
      .when(updateContact(owner, { city: 'Dallas' }))
      .thenFails('not_found');
  });
});
