import { smartlinkStream, type SmartlinkReadDoc } from '@reps/contacts-read-model';
import { projectSmartlinkEvents } from './smartlink-projector';

describe('SmartLink projector', () => {
  const link = () =>
    smartlinkStream({ smartlinkId: 9, tenant: 3, owner: 7, contactId: 5, companyVisible: true });

  it('counts opens and activities and keeps the latest open', () => {
    const s = link();
    const events = [s.created(), s.opened(), s.opened(), s.activity('viewed'), s.revoked()];
    const { writes } = projectSmartlinkEvents(events, new Map());
    expect(writes).toHaveLength(1);
    expect(writes[0]!.doc).toMatchObject({
      _id: '3:9',
      _v: 5,
      contact_id: 5,
      user_id: 7,
      company_visible: true,
      opens_count: 2,
      activities_count: 1,
      last_opened_at: events[2]!.type === 'smartlink.opened' ? events[2]!.data.occurred_at : null,
      revoked_at: expect.any(String),
    });
  });

  it('counts a redelivered event once and never applies past a gap', () => {
    const s = link();
    const created = s.created();
    const first = projectSmartlinkEvents([created], new Map()).writes[0]!.doc;
    const opened = s.opened();
    s.opened(); // lost: version 3 never arrives
    const later = s.opened();
    const current = new Map<string, SmartlinkReadDoc>([[first._id, first]]);
    const result = projectSmartlinkEvents([created, opened, opened, later], current);
    expect(result.duplicates).toEqual([created.id, opened.id]);
    expect(result.gaps).toHaveLength(1);
    expect(result.writes[0]).toMatchObject({
      kind: 'replace',
      expectedVersion: 1,
      doc: { _v: 2, opens_count: 1 },
    });
  });
});
