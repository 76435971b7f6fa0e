import type { Actor } from './actor';
import type { DiscardContact, RestoreContact } from './commands';
import {
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

const discardContact = (actor: Actor, now = T1): DiscardContact => ({
  type: 'DiscardContact',
  contactId,
  actor,
  now,
});
const restoreContact = (actor: Actor, now = T2): RestoreContact => ({
  type: 'RestoreContact',
  contactId,
  actor,
  now,
});

describe('DiscardContact (DELETE is a soft delete)', () => {
  it('marks the contact discarded', () => {
    const state = given(createdByOwner())
      .when(discardContact(owner))
      .then([{ type: 'contact.discarded', data: { discarded_at: T1 } }]);
    expect(state).toMatchObject({ discarded_at: T1, updated_at: T1, version: 2 });
  });

  it('is idempotent: discarding a discarded contact changes nothing', () => {
    given(createdByOwner(), discarded(T1)).when(discardContact(owner, T2)).thenNothingHappens();
  });

  it('works in company scope on a company-visible contact', () => {
    given(createdByCompany())
      .when(discardContact(company))
      .then([{ type: 'contact.discarded', data: { discarded_at: T1 } }]);
  });

  it('refuses a contact that does not exist', () => {
    given().when(discardContact(owner)).thenFails('not_found');
  });
});

describe('RestoreContact', () => {
  it('brings a discarded contact back', () => {
    const state = given(createdByOwner(), discarded(T1))
      .when(restoreContact(owner))
      .then([{ type: 'contact.restored', data: { restored_at: T2 } }]);
    expect(state).toMatchObject({ discarded_at: null, updated_at: T2, version: 3 });
  });

  it('of a contact that is not discarded changes nothing', () => {
    given(createdByOwner()).when(restoreContact(owner)).thenNothingHappens();
  });

  it('refuses a contact that does not exist', () => {
    given().when(restoreContact(owner)).thenFails('not_found');
  });
});
