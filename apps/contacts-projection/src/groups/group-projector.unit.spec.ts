import { randomUUID } from 'node:crypto';
import type { GroupEvent, GroupEventData } from '@reps/contracts';
import type { GroupReadDoc } from '@reps/contacts-read-model';
import { projectGroupEvents } from './group-projector';

const T0 = '2025-06-01T10:00:00.000Z';
const T1 = '2025-06-02T10:00:00.000Z';

function event(version: number, data: GroupEventData, groupId = 5): GroupEvent {
  return {
    id: randomUUID(),
    schema_version: 1,
    occurred_at: T0,
    aggregate_id: groupId,
    aggregate_version: version,
    company_id: 10,
    user_id: 7,
    company_visible: false,
    actor: { scope: 'user', user_id: 7, company_id: 10 },
    correlation_id: 'req',
    causation_id: null,
    ...data,
  } as GroupEvent;
}

const created = (groupId = 5) =>
  event(
    1,
    {
      type: 'group.created',
      data: {
        id: groupId,
        tenant_company_id: 10,
        user_id: 7,
        name: 'VIP',
        description: null,
        created_at: T0,
      },
    },
    groupId,
  );
const added = (version: number, ids: number[]) =>
  event(version, { type: 'group.contacts_added', data: { contact_ids: ids, added_at: T1 } });
const removed = (version: number, id: number) =>
  event(version, { type: 'group.contact_removed', data: { contact_id: id, removed_at: T1 } });

const none = new Map<string, GroupReadDoc>();

describe('projectGroupEvents', () => {
  it('folds a batch of one group into one insert with sorted members, and names the created group for the rep index', () => {
    const events = [created(), added(2, [9, 3]), added(3, [4]), removed(4, 9)];
    const result = projectGroupEvents(events, none);
    expect(result.writes).toEqual([
      {
        kind: 'insert',
        eventIds: events.map((e) => e.id),
        doc: {
          _id: '10:5',
          _v: 4,
          id: 5,
          tenant_company_id: 10,
          user_id: 7,
          name: 'VIP',
          description: null,
          member_ids: [3, 4],
          created_at: T0,
          updated_at: T1,
          deleted_at: null,
        },
      },
    ]);
    expect(result.created).toEqual([{ tenantCompanyId: 10, userId: 7, groupId: 5 }]);
  });

  it('skips redelivered events and reports gaps, applying nothing out of order', () => {
    const first = projectGroupEvents([created(), added(2, [1])], none).writes[0]!.doc;
    const stored = new Map([[first._id, first]]);
    const again = projectGroupEvents([created(), added(2, [1]), added(4, [2])], stored);
    expect(again.writes).toEqual([]);
    expect(again.duplicates).toHaveLength(2);
    expect(again.gaps).toEqual([expect.objectContaining({ docId: '10:5', expected: 3, received: 4 })]);
    // A redelivered creation still names the group for the rep index (idempotent there too).
    expect(again.created).toHaveLength(1);
  });

  it('keeps a deleted group as a tombstone so an older event cannot revive it', () => {
    const events = [created(), added(2, [1]), event(3, { type: 'group.deleted', data: { deleted_at: T1 } })];
    const doc = projectGroupEvents(events, none).writes[0]!.doc;
    expect(doc).toMatchObject({ _v: 3, deleted_at: T1, member_ids: [1] });
    expect(projectGroupEvents([added(2, [7])], new Map([[doc._id, doc]])).writes).toEqual([]);
  });

  it('continues from the stored document with a replace of the version it read', () => {
    const doc = projectGroupEvents([created()], none).writes[0]!.doc;
    const result = projectGroupEvents([added(2, [8])], new Map([[doc._id, doc]]));
    expect(result.writes).toEqual([
      expect.objectContaining({
        kind: 'replace',
        expectedVersion: 1,
        doc: expect.objectContaining({ _v: 2, member_ids: [8] }),
      }),
    ]);
  });

  it('rejects an event its stream cannot take (membership before creation)', () => {
    const result = projectGroupEvents([added(1, [1])], none);
    expect(result.writes).toEqual([]);
    expect(result.rejected).toHaveLength(1);
  });
});
