import type { GroupEventData } from '@reps/contracts';
import type { CompanyActor, UserActor } from '../contact/actor';
import { deciderSpecification } from '../decider/decider-specification.spec-helper';
import type { AddContactsToGroup, ContactEligibility } from './group-commands';
import { decideGroup, membershipResults } from './group-decide';
import { evolveGroup, evolveGroupAll } from './group-evolve';
import { toGroupResource } from './group-state';

const given = deciderSpecification({ decide: decideGroup, evolve: evolveGroup });

const T0 = '2025-06-01T10:00:00.000Z';
const T1 = '2025-06-02T11:00:00.000Z';
const GROUP = 5;
const owner: UserActor = { scope: 'user', userId: 7, companyId: 10 };
const colleague: UserActor = { scope: 'user', userId: 8, companyId: 10 };
const namesakeElsewhere: UserActor = { scope: 'user', userId: 7, companyId: 20 };
const company: CompanyActor = { scope: 'company', companyId: 10 };

const created: GroupEventData = {
  type: 'group.created',
  data: { id: GROUP, tenant_company_id: 10, user_id: 7, name: 'VIP', description: null, created_at: T0 },
};
const added = (ids: number[], at = T0): GroupEventData => ({
  type: 'group.contacts_added',
  data: { contact_ids: ids, added_at: at },
});
const deleted: GroupEventData = { type: 'group.deleted', data: { deleted_at: T0 } };

const add = (
  candidates: [number, ContactEligibility][],
  actor: UserActor | CompanyActor = owner,
): AddContactsToGroup => ({
  type: 'AddContactsToGroup',
  groupId: GROUP,
  actor,
  now: T1,
  candidates: candidates.map(([contactId, eligibility]) => ({ contactId, eligibility })),
});

describe('group decider', () => {
  describe('create', () => {
    it('creates an empty group owned by the rep', () => {
      const state = given()
        .when({
          type: 'CreateGroup',
          groupId: GROUP,
          actor: owner,
          now: T0,
          body: { name: 'VIP', description: null },
        })
        .then([created]);
      expect(state && toGroupResource(state, 0)).toEqual({
        id: GROUP,
        name: 'VIP',
        description: null,
        contacts_count: 0,
        created_at: T0,
        updated_at: T0,
      });
    });

    it('refuses an id that already has events, and a company', () => {
      given(created)
        .when({
          type: 'CreateGroup',
          groupId: GROUP,
          actor: owner,
          now: T0,
          body: { name: 'X', description: null },
        })
        .thenFails('already_exists');
      given()
        .when({
          type: 'CreateGroup',
          groupId: GROUP,
          actor: company,
          now: T0,
          body: { name: 'X', description: null },
        })
        .thenFails('not_found');
    });
  });

  describe('update', () => {
    it('records only what changed, with previous values; a case-only rename is a change', () => {
      given(created)
        .when({
          type: 'UpdateGroup',
          groupId: GROUP,
          actor: owner,
          now: T1,
          body: { name: 'vip', description: 'Best' },
        })
        .then([
          {
            type: 'group.updated',
            data: {
              changes: { name: 'vip', description: 'Best' },
              previous: { name: 'VIP', description: null },
              updated_at: T1,
            },
          },
        ]);
    });

    it('changes nothing when the values are current', () => {
      given(created)
        .when({ type: 'UpdateGroup', groupId: GROUP, actor: owner, now: T1, body: { name: 'VIP' } })
        .thenNothingHappens();
    });
  });

  describe('scope', () => {
    it.each([
      ['a colleague', colleague],
      ['the same user id in another company', namesakeElsewhere],
      ['the company', company],
    ])('hides the group from %s', (_who, actor) => {
      given(created)
        .when({ type: 'UpdateGroup', groupId: GROUP, actor, now: T1, body: { name: 'Mine' } })
        .thenFails('not_found');
      given(created).when({ type: 'DeleteGroup', groupId: GROUP, actor, now: T1 }).thenFails('not_found');
      given(created)
        .when(add([[1, 'eligible']], actor))
        .thenFails('not_found');
      given(created)
        .when({ type: 'RemoveContactFromGroup', groupId: GROUP, actor, now: T1, contactId: 1 })
        .thenFails('not_found');
    });

    it('treats a deleted group as gone', () => {
      given(created, deleted)
        .when({ type: 'DeleteGroup', groupId: GROUP, actor: owner, now: T1 })
        .thenFails('not_found');
      given(created, deleted)
        .when(add([[1, 'eligible']]))
        .thenFails('not_found');
    });

    it('refuses a stream that does not start with group.created', () => {
      expect(() => evolveGroupAll([added([1])])).toThrow('does not exist');
    });
  });

  describe('membership', () => {
    it('adds eligible non-members once, ascending, and answers per id', () => {
      const command = add([
        [9, 'eligible'],
        [3, 'eligible'],
        [9, 'eligible'],
        [4, 'eligible'],
        [6, 'not_found'],
        [8, 'discarded'],
      ]);
      const state = given(created, added([4]))
        .when(command)
        .then([added([3, 9], T1)]);
      expect([...(state?.members ?? [])].sort((a, b) => a - b)).toEqual([3, 4, 9]);
      expect(membershipResults(command, evolveGroupAll([created, added([4])])!)).toEqual([
        { contact_id: 9, status: 'added' },
        { contact_id: 3, status: 'added' },
        { contact_id: 4, status: 'already_member' },
        { contact_id: 6, status: 'error', error: { code: 'not_found', message: 'Contact not found' } },
        { contact_id: 8, status: 'error', error: expect.objectContaining({ code: 'contact_discarded' }) },
      ]);
    });

    it('decides nothing when no id can join (all members or errors)', () => {
      given(created, added([1]))
        .when(
          add([
            [1, 'eligible'],
            [2, 'not_found'],
          ]),
        )
        .thenNothingHappens();
    });

    it('removes a member; removing a non-member changes nothing', () => {
      given(created, added([1, 2]))
        .when({ type: 'RemoveContactFromGroup', groupId: GROUP, actor: owner, now: T1, contactId: 2 })
        .then([{ type: 'group.contact_removed', data: { contact_id: 2, removed_at: T1 } }]);
      given(created, added([1]))
        .when({ type: 'RemoveContactFromGroup', groupId: GROUP, actor: owner, now: T1, contactId: 2 })
        .thenNothingHappens();
    });

    it('counts every event as a version and moves updated_at with membership changes', () => {
      const state = evolveGroupAll([
        created,
        added([1, 2]),
        { type: 'group.contact_removed', data: { contact_id: 1, removed_at: T1 } },
      ]);
      expect(state).toMatchObject({ version: 3, updated_at: T1 });
      expect([...(state?.members ?? [])]).toEqual([2]);
    });
  });
});
