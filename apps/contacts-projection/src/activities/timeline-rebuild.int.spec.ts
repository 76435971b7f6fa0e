import {
  contactStream,
  contactsCounts,
  groupStream,
  repGroups,
  smartlinkStream,
  type ReadModelCollections,
} from '@reps/contacts-read-model';
import { resolveTestEnv, waitFor, type TestEnv } from '@reps/testing';
import { projectionUnderTest, type ProjectionUnderTest } from '../testing/projection.spec-helper';

const TENANT = 7;
const REP = 42;

const byId = <T extends { _id: string }>(docs: T[]) => docs.sort((a, b) => (a._id < b._id ? -1 : 1));

/** Everything the replay must reproduce: every timeline entry, every SmartLink, memberships and contacts_count. */
async function view(models: ReadModelCollections) {
  const groups = await repGroups(models.groups, TENANT, REP);
  const counts = await contactsCounts(groups, models.user);
  return {
    activities: byId(await models.activities.find({}).toArray()),
    smartlinks: byId(await models.smartlinks.find({}).toArray()),
    groups: groups
      .map((g) => ({ id: g.id, members: g.member_ids, contacts_count: counts.get(g.id) }))
      .sort((a, b) => a.id - b.id),
  };
}

describe('activity timeline and SmartLinks: redelivery and a replay of the three topics from offset 0 (real Kafka and MongoDB-compatible server)', () => {
  let env: TestEnv;
  let p: ProjectionUnderTest;

  beforeAll(async () => {
    env = await resolveTestEnv();
    p = await projectionUnderTest(env);
    await p.start();
  });

  afterAll(async () => {
    await p?.close();
    await env?.close();
  });

  it('builds the same activities, SmartLinks, memberships and contacts_count live and in a fresh generation', async () => {
    const ann = contactStream({ contactId: 201, tenant: TENANT, owner: REP });
    const web = contactStream({ contactId: 202, tenant: TENANT, owner: REP, origin: 'company_website' });
    const bob = contactStream({ contactId: 203, tenant: TENANT, owner: REP });
    const vip = groupStream({ groupId: 31, tenant: TENANT, owner: REP });
    const toAnn = smartlinkStream({ smartlinkId: 51, tenant: TENANT, owner: REP, contactId: 201 });
    const toWeb = smartlinkStream({
      smartlinkId: 52,
      tenant: TENANT,
      owner: REP,
      contactId: 202,
      companyVisible: true,
      shareableName: null,
    });

    const contacts = [
      ann.created({ first_name: 'Ann' }),
      web.created({ first_name: 'Web' }),
      bob.created({ first_name: 'Bob' }),
    ];
    const groups = [vip.created('VIP'), vip.added([201, 202, 203]), vip.removed(203)];
    const links = [
      toAnn.created(),
      toAnn.opened(),
      toAnn.activity('added_to_cart', 'Collagen Boost'),
      toWeb.created(),
      toWeb.opened(),
      toWeb.opened(),
      toAnn.revoked(),
    ];
    // SmartLinks and memberships may arrive before the contacts they name.
    await p.publishSmartlinks(links.slice(0, 4));
    await p.publishGroups(groups);
    await p.publish(contacts);
    await p.publishSmartlinks(links.slice(4));
    await p.publish([ann.updated({ email: 'ann@example.com' }), bob.discarded()]);
    // Redelivered copies change nothing.
    await p.publishSmartlinks(links.slice(1, 3));
    await p.publishGroups(groups.slice(1, 2));
    await p.publish(contacts.slice(0, 1));

    // created×3 + updated + discarded (5), added×3 + removed (4), link events (7).
    const expectedEntries = 16;
    const live = async () => p.catalog.collections((await p.catalog.activeGeneration()) ?? 'g1');
    await waitFor(
      async () => {
        const models = await live();
        const [entries, annLink, webLink] = await Promise.all([
          models.activities.countDocuments(),
          models.smartlinks.findOne({ _id: `${TENANT}:51` }),
          models.smartlinks.findOne({ _id: `${TENANT}:52` }),
        ]);
        return entries === expectedEntries && annLink?._v === 4 && webLink?._v === 3;
      },
      { what: 'the live timeline and SmartLinks to settle', timeoutMs: 60_000 },
    );

    const liveView = await view(await live());
    expect(
      liveView.smartlinks.map((l) => [l.id, l.opens_count, l.activities_count, l.revoked_at !== null]),
    ).toEqual([
      [51, 1, 1, true],
      [52, 2, 0, false],
    ]);
    expect(liveView.groups).toEqual([{ id: 31, members: [201, 202], contacts_count: 2 }]);
    const annEntries = liveView.activities
      .filter((a) => a.contact_id === 201)
      .sort((a, b) => (a._o < b._o ? 1 : -1))
      .map((a) => a.summary);
    expect(annEntries).toEqual(
      expect.arrayContaining([
        'Added as a contact',
        'Updated email',
        'Added to a group',
        'Was sent a link to Collagen Boost',
        'Opened the link to Collagen Boost',
        'Added to cart: Collagen Boost',
        'A shared link was revoked',
      ]),
    );
    const webOpen = liveView.activities.find((a) => a.contact_id === 202 && a.type === 'smartlink.opened');
    expect(webOpen).toMatchObject({ summary: 'Opened the link to a product', company_visible: true });
    expect(
      liveView.activities.filter((a) => a.type.startsWith('group.')).every((a) => !a.company_visible),
    ).toBe(true);

    const report = await p.rebuild({ dropOldAfterMs: null });
    expect(report.to).not.toBe(report.from);
    expect(await view(p.catalog.collections(report.to))).toEqual(liveView);
  });
});
