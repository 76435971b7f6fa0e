import { Contact } from '@reps/contracts';
import { fullName, toContactResource } from './contact-state';
import { T0, T1, T2, createdByCompany, createdByOwner, discarded } from './decider.spec-helper';
import { evolve, evolveAll } from './evolve';

describe('evolve', () => {
  it('numbers each event: version is the count of events applied', () => {
    const state = evolveAll([
      createdByOwner(),
      {
        type: 'contact.updated',
        data: { changes: { city: 'Dallas' }, previous: { city: 'Austin' }, updated_at: T1 },
      },
      discarded(T1),
      { type: 'contact.restored', data: { restored_at: T2 } },
    ]);
    expect(state).toMatchObject({
      version: 4,
      city: 'Dallas',
      discarded_at: null,
      created_at: T0,
      updated_at: T2,
    });
  });

  it('derives company visibility from the origin', () => {
    expect(evolve(null, createdByOwner())).toMatchObject({
      company_visible: false,
      company_id: null,
      tenant_company_id: 10,
    });
    expect(evolve(null, createdByCompany())).toMatchObject({ company_visible: true, company_id: 10 });
  });

  it('refuses to apply anything but contact.created to a contact that does not exist', () => {
    expect(() => evolve(null, discarded())).toThrow(/does not exist/);
  });

  it('does not mutate the state it is given', () => {
    const before = evolve(null, createdByOwner());
    const snapshot = structuredClone(before);
    evolve(before, {
      type: 'contact.reassigned',
      data: { from_user_id: 7, to_user_id: 8, reassigned_at: T1 },
    });
    expect(before).toEqual(snapshot);
  });

  it('rebuilds nothing from an empty stream', () => {
    expect(evolveAll([])).toBeNull();
  });
});

describe('toContactResource', () => {
  it('returns the public Contact shape, valid against the contract, without internal fields', () => {
    const resource = toContactResource(evolveAll([createdByOwner(), discarded(T1)])!);
    expect(Contact.parse(resource)).toEqual(resource);
    expect(Object.keys(resource)).toEqual(Object.keys(Contact.shape));
    expect(resource).toMatchObject({
      id: 12345,
      company_id: null,
      full_name: 'Jane Smith',
      user_id: 7,
      origin: 'user_app',
      group_ids: [],
      discarded_at: T1,
      updated_at: T1,
    });
    expect(resource).not.toHaveProperty('tenant_company_id');
    expect(resource).not.toHaveProperty('version');
  });
});

describe('fullName', () => {
  it.each([
    ['Jane', 'Smith', 'Jane Smith'],
    ['Jane', null, 'Jane'],
    [null, 'Smith', 'Smith'],
    [' Jane ', ' ', 'Jane'],
    [null, null, null],
    ['', '', null],
  ])('%j + %j → %j', (first, last, expected) => {
    expect(fullName(first, last)).toBe(expected);
  });
});
