import type { SmartlinkEvent } from '@reps/contracts';
import type { UserActor } from '../contact/actor';
import { deciderSpecification } from '../decider/decider-specification.spec-helper';
import type { SmartlinkCommand } from './smartlink-commands';
import { decideSmartlink, type SmartlinkEventData } from './smartlink-decide';
import type { SmartlinkDomainError } from './smartlink-errors';
import { evolveSmartlink } from './smartlink-evolve';
import type { SmartlinkState } from './smartlink-state';

const rep: UserActor = { scope: 'user', userId: 7, companyId: 3 };
const otherRep: UserActor = { scope: 'user', userId: 8, companyId: 3 };
const policy = { allowedHosts: ['shop.example.com'], allowHttp: false };
const T0 = '2026-01-01T10:00:00.000Z';
const T1 = '2026-01-01T11:00:00.000Z';

/** Wraps decided events the way the service does, so `evolve` sees what it sees in production. */
function published(event: SmartlinkEventData, version: number): SmartlinkEvent {
  return {
    id: `00000000-0000-4000-8000-00000000000${version}`,
    schema_version: 1,
    occurred_at: T0,
    aggregate_id: 11,
    aggregate_version: version,
    company_id: 3,
    user_id: 7,
    company_visible: false,
    actor: { scope: 'user', user_id: 7, company_id: 3 },
    correlation_id: 'c',
    causation_id: null,
    ...event,
  } as SmartlinkEvent;
}

const given = deciderSpecification<SmartlinkCommand, SmartlinkEvent, SmartlinkState, SmartlinkDomainError>({
  decide: (command, state) => {
    const decision = decideSmartlink(command, state);
    return decision.ok
      ? { ok: true, events: decision.events.map((e, i) => published(e, (state?.version ?? 0) + i + 1)) }
      : decision;
  },
  evolve: evolveSmartlink,
});

const body = {
  contact_id: 5,
  shareable_type: 'product' as const,
  shareable_id: 'sku-1',
  shareable_name: 'Collagen Boost',
  url: 'https://shop.example.com/p/1',
};
const create = (
  overrides: Partial<Extract<SmartlinkCommand, { type: 'CreateSmartlink' }>> = {},
): SmartlinkCommand => ({
  type: 'CreateSmartlink',
  smartlinkId: 11,
  now: T0,
  actor: rep,
  body,
  contact: { eligibility: 'eligible', companyVisible: false },
  policy,
  ...overrides,
});
const created = published({ type: 'smartlink.created', data: { id: 11, ...body, created_at: T0 } }, 1);
const revoked = published({ type: 'smartlink.revoked', data: { contact_id: 5, revoked_at: T1 } }, 2);
const open = (overrides: Record<string, unknown> = {}): SmartlinkCommand => ({
  type: 'OpenSmartlink',
  smartlinkId: 11,
  now: T1,
  userAgent: 'Mozilla/5.0',
  policy,
  ...overrides,
});
const activity: SmartlinkCommand = {
  type: 'RecordSmartlinkActivity',
  smartlinkId: 11,
  now: T1,
  activity: {
    type: 'added_to_cart',
    occurredAt: T1,
    item: { type: 'product', id: 'sku-1', name: 'Collagen Boost' },
    properties: { qty: 2 },
  },
};

describe('SmartLink decider', () => {
  it('creates a link for one of the rep’s contacts with an allowed target', () => {
    given().when(create()).then([created]);
  });

  it('refuses a contact that is not the rep’s, or discarded', () => {
    given()
      .when(create({ contact: { eligibility: 'not_found' } }))
      .thenFails('invalid_contact', { field: 'contact_id' });
    given()
      .when(create({ contact: { eligibility: 'discarded' } }))
      .thenFails('invalid_contact');
  });

  it.each([
    'javascript:alert(1)',
    'data:text/html,x',
    'http://shop.example.com/',
    'https://u:p@shop.example.com/',
    'https://evil.com/',
  ])('refuses the target %s', (url) => {
    given()
      .when(create({ body: { ...body, url } }))
      .thenFails('invalid_target', { field: 'url' });
  });

  it('refuses a company and a second create of the same id', () => {
    given()
      .when(create({ actor: { scope: 'company', companyId: 3 } }))
      .thenFails('not_found');
    given(created).when(create()).thenFails('already_exists');
  });

  it('revokes once; a second revoke changes nothing; another rep gets not_found', () => {
    given(created).when({ type: 'RevokeSmartlink', smartlinkId: 11, now: T1, actor: rep }).then([revoked]);
    given(created, revoked)
      .when({ type: 'RevokeSmartlink', smartlinkId: 11, now: T1, actor: rep })
      .thenNothingHappens();
    given(created)
      .when({ type: 'RevokeSmartlink', smartlinkId: 11, now: T1, actor: otherRep })
      .thenFails('not_found');
  });

  it('records an open with the user agent and the shared item, never an IP', () => {
    given(created)
      .when(open())
      .then([
        published(
          {
            type: 'smartlink.opened',
            data: {
              contact_id: 5,
              occurred_at: T1,
              user_agent: 'Mozilla/5.0',
              shareable_type: 'product',
              shareable_name: 'Collagen Boost',
            },
          },
          2,
        ),
      ]);
  });

  it('treats a revoked link, an unknown one and a target the company no longer allows alike', () => {
    given(created, revoked).when(open()).thenFails('not_found');
    given().when(open()).thenFails('not_found');
    given(created)
      .when(open({ policy: { allowedHosts: ['other.example.com'], allowHttp: false } }))
      .thenFails('not_found');
    given(created, revoked).when(activity).thenFails('not_found');
  });

  it('records an activity of a live link', () => {
    given(created)
      .when(activity)
      .then([
        published(
          {
            type: 'smartlink.activity_recorded',
            data: {
              contact_id: 5,
              type: 'added_to_cart',
              item: { type: 'product', id: 'sku-1', name: 'Collagen Boost' },
              properties: { qty: 2 },
              occurred_at: T1,
              shareable_type: 'product',
              shareable_name: 'Collagen Boost',
            },
          },
          2,
        ),
      ]);
  });
});
