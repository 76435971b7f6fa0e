import type { ContactEventData } from '@reps/contracts';
import { isVisibleTo, type Actor } from './actor';
import type { ContactCommand } from './commands';
import {
  T1,
  T2,
  colleague,
  company,
  contactId,
  createdByCompany,
  createdByOwner,
  discarded,
  given,
  namesakeInOtherCompany,
  otherCompany,
  owner,
} from './decider.spec-helper';
import { evolveAll } from './evolve';

type Scenario = [description: string, actor: Actor, created: ContactEventData, visible: boolean];

/** Every scope combination; out of scope must be indistinguishable from absent (404, not 403). */
const scenarios: Scenario[] = [
  ['the owning user, on their app-created contact', owner, createdByOwner(), true],
  ['another user of the same company', colleague, createdByOwner(), false],
  ['a user with the same id in another company', namesakeInOtherCompany, createdByOwner(), false],
  ['the tenant company, on a company-visible contact', company, createdByCompany(), true],
  ['the tenant company, on a contact its rep created in the app', company, createdByOwner(), false],
  ['another company, on a company-visible contact', otherCompany, createdByCompany(), false],
  ['the owning user, on a company contact assigned to them', owner, createdByCompany(), true],
  ['another user of the same company, on a company contact', colleague, createdByCompany(), false],
  [
    'the tenant company, on a company_website contact',
    company,
    createdByCompany({ origin: 'company_website' }),
    true,
  ],
];

describe('scope', () => {
  it.each(scenarios)('isVisibleTo: %s → %s', (_description, actor, created, visible) => {
    expect(isVisibleTo(evolveAll([created])!, actor)).toBe(visible);
  });

  describe.each(scenarios)('%s', (_description, actor, created, visible) => {
    const commands: [string, ContactCommand, ContactEventData[], ContactEventData[]][] = [
      [
        'UpdateContact',
        { type: 'UpdateContact', contactId, actor, now: T1, body: { reason: 'Referred' } },
        [],
        [
          {
            type: 'contact.updated',
            data: { changes: { reason: 'Referred' }, previous: { reason: null }, updated_at: T1 },
          },
        ],
      ],
      [
        'DiscardContact',
        { type: 'DiscardContact', contactId, actor, now: T1 },
        [],
        [{ type: 'contact.discarded', data: { discarded_at: T1 } }],
      ],
      [
        'RestoreContact',
        { type: 'RestoreContact', contactId, actor, now: T2 },
        [discarded(T1)],
        [{ type: 'contact.restored', data: { restored_at: T2 } }],
      ],
    ];

    it.each(commands)(`%s ${visible ? 'succeeds' : 'is not_found'}`, (_name, command, history, expected) => {
      const scenario = given(created, ...history).when(command);
      if (visible) scenario.then(expected);
      else scenario.thenFails('not_found');
    });
  });
});
