import type { NoteEventData } from '@reps/contracts';
import { evolveAll } from '../contact/evolve';
import {
  T0,
  T1,
  colleague,
  company,
  contactId,
  createdByCompany,
  createdByOwner,
  discarded,
  namesakeInOtherCompany,
  otherCompany,
  owner,
} from '../contact/decider.spec-helper';
import { deciderSpecification } from '../decider/decider-specification.spec-helper';
import type { Actor } from '../contact/actor';
import type { ContactState } from '../contact/contact-state';
import { decideNote, type NoteCommand, type NoteInput } from './note-decide';
import { evolveNote, toNoteResource } from './note-state';

const given = deciderSpecification({ decide: decideNote, evolve: evolveNote });
const NOTE = 77;
const privateContact = evolveAll([createdByOwner()])!;
const companyContact = evolveAll([createdByCompany()])!;
const discardedContact = evolveAll([createdByOwner(), discarded()])!;

const input: NoteInput = {
  title: 'Call back',
  body: 'She wants the starter kit.',
  note_type: 'follow_up',
  due_date: '2025-06-10',
  due_time: '09:30:00',
  pinned: true,
  assets: [],
};
const created = (contact: ContactState = privateContact, by: Actor = owner): NoteEventData => ({
  type: 'note.created',
  data: {
    id: NOTE,
    tenant_company_id: contact.tenant_company_id,
    company_id: contact.company_id,
    contact_id: contact.id,
    user_id: by.scope === 'user' ? by.userId : null,
    created_by: by.scope,
    ...input,
    created_at: T0,
  },
});
const create = (actor: Actor, contact: ContactState | null): NoteCommand => ({
  type: 'CreateNote',
  noteId: NOTE,
  actor,
  now: T0,
  contact,
  body: input,
});
const update = (actor: Actor, contact: ContactState | null, body: Partial<NoteInput>): NoteCommand => ({
  type: 'UpdateNote',
  noteId: NOTE,
  actor,
  now: T1,
  contact,
  body,
});

describe('note decider', () => {
  it('creates a note on a contact the rep owns, and one on a company-visible contact for the company', () => {
    const state = given().when(create(owner, privateContact)).then([created()]);
    expect(state && toNoteResource(state)).toMatchObject({
      id: NOTE,
      user_id: 7,
      company_id: null,
      due_at: '2025-06-10 09:30:00',
    });
    given()
      .when(create(company, companyContact))
      .then([created(companyContact, company)]);
    given()
      .when(create(owner, companyContact))
      .then([created(companyContact, owner)]);
  });

  it.each([
    ['a colleague', colleague, privateContact],
    ['the same user id in another company', namesakeInOtherCompany, privateContact],
    ['the company, on a rep’s app-created contact', company, privateContact],
    ['another company', otherCompany, companyContact],
    ['anyone, on a contact that does not exist', owner, null],
  ] as const)('refuses %s as if the contact did not exist', (_who, actor, contact) => {
    given().when(create(actor, contact)).thenFails('contact_not_found');
    given(created(contact ?? privateContact))
      .when(update(actor, contact, { pinned: false }))
      .thenFails('not_found');
  });

  it('refuses notes on a discarded contact, and keeps existing ones (restore brings back writes)', () => {
    given().when(create(owner, discardedContact)).thenFails('contact_discarded');
    given(created())
      .when(update(owner, discardedContact, { pinned: false }))
      .thenFails('contact_discarded');
  });

  it('records only what changed; the same values decide nothing; a time needs a date', () => {
    given(created())
      .when(update(owner, privateContact, { pinned: false, title: 'Call back' }))
      .then([
        {
          type: 'note.updated',
          data: { changes: { pinned: false }, previous: { pinned: true }, updated_at: T1 },
        },
      ]);
    given(created())
      .when(update(owner, privateContact, { body: input.body }))
      .thenNothingHappens();
    given(created())
      .when(update(owner, privateContact, { due_date: null }))
      .thenFails('invalid_due');
  });

  it('soft-deletes and restores; both are idempotent; a deleted note is not updated', () => {
    const discard: NoteCommand = {
      type: 'DiscardNote',
      noteId: NOTE,
      actor: owner,
      now: T1,
      contact: privateContact,
    };
    const restore: NoteCommand = {
      type: 'RestoreNote',
      noteId: NOTE,
      actor: owner,
      now: T1,
      contact: privateContact,
    };
    const gone: NoteEventData = { type: 'note.discarded', data: { discarded_at: T1 } };
    given(created()).when(discard).then([gone]);
    given(created(), gone).when(discard).thenNothingHappens();
    given(created(), gone)
      .when(update(owner, privateContact, { pinned: false }))
      .thenFails('note_discarded');
    given(created(), gone)
      .when(restore)
      .then([{ type: 'note.restored', data: { restored_at: T1 } }]);
    given(created()).when(restore).thenNothingHappens();
  });

  it('follows the contact to its new rep after a reassignment', () => {
    const reassigned = evolveAll([
      createdByCompany(),
      { type: 'contact.reassigned', data: { from_user_id: 7, to_user_id: 8, reassigned_at: T1 } },
    ])!;
    given(created(companyContact))
      .when(update(owner, reassigned, { pinned: false }))
      .thenFails('not_found');
    given(created(companyContact))
      .when(update(colleague, reassigned, { pinned: false }))
      .then([
        {
          type: 'note.updated',
          data: { changes: { pinned: false }, previous: { pinned: true }, updated_at: T1 },
        },
      ]);
    expect(contactId).toBe(reassigned.id);
  });
});
