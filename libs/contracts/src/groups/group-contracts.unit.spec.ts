import { parseBody } from '../validation/parse-body';
import {
  GROUP_CONTACTS_MAX,
  GroupContactsAddBody,
  GroupCreateBody,
  GroupUpdateBody,
  exceedsGroupContactsMax,
  unwrapGroupBody,
} from './group-bodies';
import { GROUPS_TOPIC, GROUP_EVENT_TYPES, GroupEvent, GroupEventData } from './group-events';
import { parseGroupListQuery } from './group-list-query';
import { Group, groupNameKey } from './group-resource';

const AT = '2025-06-01T10:00:00.000Z';

describe('group request bodies', () => {
  it('trim the name, default the description to null, and accept the wrapped form', () => {
    expect(parseBody(GroupCreateBody, unwrapGroupBody({ group: { name: '  VIP  ' } }))).toEqual({
      ok: true,
      value: { name: 'VIP', description: null },
    });
    expect(parseBody(GroupCreateBody, { name: 'VIP', description: '   ' })).toEqual({
      ok: true,
      value: { name: 'VIP', description: null },
    });
  });

  it('name each read-only and unknown field, and reject blank, long or control-character names', () => {
    expect(parseBody(GroupCreateBody, { name: 'x', id: 1, contacts_count: 3, color: 'red' })).toEqual({
      ok: false,
      issues: expect.arrayContaining([
        { field: 'id', message: 'is read-only' },
        { field: 'contacts_count', message: 'is read-only' },
        { field: 'color', message: 'is not a known field' },
      ]),
    });
    for (const name of ['', '   ', 'x'.repeat(101), 'a\u0000b', 42]) {
      expect(parseBody(GroupCreateBody, { name }).ok).toBe(false);
    }
    expect(parseBody(GroupCreateBody, { name: 'x'.repeat(100) }).ok).toBe(true);
    expect(parseBody(GroupCreateBody, { name: 'x', description: 'd'.repeat(1001) }).ok).toBe(false);
  });

  it('require at least one field on update; null clears the description', () => {
    expect(parseBody(GroupUpdateBody, {}).ok).toBe(false);
    expect(parseBody(GroupUpdateBody, { description: null })).toEqual({
      ok: true,
      value: { description: null },
    });
  });

  it('take 1–1000 positive contact ids; more is flagged before parsing (the 413)', () => {
    expect(parseBody(GroupContactsAddBody, { contact_ids: [] }).ok).toBe(false);
    expect(parseBody(GroupContactsAddBody, { contact_ids: [1, 0] }).ok).toBe(false);
    expect(parseBody(GroupContactsAddBody, { contact_ids: ['1'] }).ok).toBe(false);
    expect(parseBody(GroupContactsAddBody, { contact_ids: [1], extra: true }).ok).toBe(false);
    const ids = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
    expect(parseBody(GroupContactsAddBody, { contact_ids: ids(GROUP_CONTACTS_MAX) }).ok).toBe(true);
    expect(exceedsGroupContactsMax({ contact_ids: ids(GROUP_CONTACTS_MAX) })).toBe(false);
    expect(exceedsGroupContactsMax({ contact_ids: ids(GROUP_CONTACTS_MAX + 1) })).toBe(true);
  });
});

describe('group names', () => {
  it('are unique regardless of case, surrounding blanks and Unicode composition', () => {
    expect(groupNameKey(' VIP ')).toBe(groupNameKey('vip'));
    expect(groupNameKey('Caf\u00e9')).toBe(groupNameKey('CAFE\u0301'.toLowerCase()));
    expect(groupNameKey('VIP 1')).not.toBe(groupNameKey('VIP1'));
  });
});

describe('the group resource and list query', () => {
  it('parse', () => {
    const group = {
      id: 1,
      name: 'VIP',
      description: null,
      contacts_count: 0,
      created_at: AT,
      updated_at: AT,
    };
    expect(Group.parse(group)).toEqual(group);
    expect(parseGroupListQuery({ limit: '10' })).toEqual({ limit: 10 });
    expect(() => parseGroupListQuery({ sort: 'name' })).toThrow('Invalid query parameter: sort');
    expect(() => parseGroupListQuery({ limit: '101' })).toThrow('Invalid query parameter: limit');
  });
});

describe('group events', () => {
  const envelope = {
    id: '0b6f2c1e-8d4a-4c3e-9f1a-2b3c4d5e6f70',
    schema_version: 1,
    occurred_at: AT,
    aggregate_id: 5,
    aggregate_version: 1,
    company_id: 10,
    user_id: 7,
    company_visible: false,
    actor: { scope: 'user', user_id: 7, company_id: 10 },
    correlation_id: 'req-1',
    causation_id: null,
  };

  it('are published on crm.groups.v1 with the shared envelope', () => {
    expect(GROUPS_TOPIC).toBe('crm.groups.v1');
    const event = {
      ...envelope,
      type: 'group.created',
      data: { id: 5, tenant_company_id: 10, user_id: 7, name: 'VIP', description: null, created_at: AT },
    };
    expect(GroupEvent.parse(event)).toEqual(event);
  });

  it('have one schema per event type', () => {
    const samples: Record<(typeof GROUP_EVENT_TYPES)[number], unknown> = {
      'group.created': {
        id: 5,
        tenant_company_id: 10,
        user_id: 7,
        name: 'VIP',
        description: 'x',
        created_at: AT,
      },
      'group.updated': { changes: { name: 'Gold' }, previous: { name: 'VIP' }, updated_at: AT },
      'group.deleted': { deleted_at: AT },
      'group.contacts_added': { contact_ids: [1, 2], added_at: AT },
      'group.contact_removed': { contact_id: 1, removed_at: AT },
    };
    for (const type of GROUP_EVENT_TYPES) {
      expect(GroupEventData.safeParse({ type, data: samples[type] }).success).toBe(true);
      expect(GroupEventData.safeParse({ type, data: {} }).success).toBe(false);
    }
  });

  it('require group.updated to name the same fields in changes and previous', () => {
    const parse = (data: unknown) => GroupEventData.safeParse({ type: 'group.updated', data });
    expect(parse({ changes: { name: 'Gold' }, previous: {}, updated_at: AT }).success).toBe(false);
    expect(
      parse({ changes: { description: null }, previous: { description: 'x' }, updated_at: AT }).success,
    ).toBe(true);
  });
});
