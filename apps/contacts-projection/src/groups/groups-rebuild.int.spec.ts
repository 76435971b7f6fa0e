import {
  contactStream,
  contactsCounts,
  contactsWithGroups,
  groupStream,
  repGroups,
  type ReadModelCollections,
} from '@reps/contacts-read-model';
import { resolveTestEnv, waitFor, type TestEnv } from '@reps/testing';
import { projectionUnderTest, type ProjectionUnderTest } from '../testing/projection.spec-helper';

const TENANT = 7;
const REP_A = 42;
const REP_B = 43;

/** What a reader sees: each rep's groups with members and contacts_count, and each contact's group_ids. */
async function readerView(models: ReadModelCollections, contactIds: number[]) {
  const groups = [
    ...(await repGroups(models.groups, TENANT, REP_A)),
    ...(await repGroups(models.groups, TENANT, REP_B)),
  ];
  const counts = await contactsCounts(groups, models.user);
  const docs = (
    await Promise.all(contactIds.map((id) => models.user.findOne({ _id: `${TENANT}:${id}` })))
  ).filter((d) => d !== null);
  const contacts = await contactsWithGroups(docs, models.groups);
  return {
    groups: groups
      .map((g) => ({ id: g.id, name: g.name, members: g.member_ids, contacts_count: counts.get(g.id) }))
      .sort((a, b) => a.id - b.id),
    contacts: contacts.map((c) => ({ id: c.id, group_ids: c.group_ids })).sort((a, b) => a.id - b.id),
  };
}

describe('groups read model: out-of-order topics, redelivery, and a rebuild from offset 0 (real Kafka and MongoDB-compatible server)', () => {
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

  it('gives the same memberships and contacts_count live and after a rebuild, whatever order the topics were projected in', async () => {
    const c1 = contactStream({ contactId: 101, tenant: TENANT, owner: REP_A });
    const c2 = contactStream({ contactId: 102, tenant: TENANT, owner: REP_A });
    const c3 = contactStream({ contactId: 103, tenant: TENANT, owner: REP_A, origin: 'company_website' });
    const c4 = contactStream({ contactId: 104, tenant: TENANT, owner: REP_A });
    const g1 = groupStream({ groupId: 11, tenant: TENANT, owner: REP_A });
    const g2 = groupStream({ groupId: 12, tenant: TENANT, owner: REP_A });
    const g3 = groupStream({ groupId: 13, tenant: TENANT, owner: REP_A });
    const gB = groupStream({ groupId: 21, tenant: TENANT, owner: REP_B });

    // Memberships reach the projection before the contacts they name exist.
    const early = [
      g1.created('Book club'),
      g1.added([101, 102, 103]),
      g2.created('VIP'),
      g2.added([101]),
      gB.created('Book club'),
    ];
    await p.publishGroups(early);
    await p.publishGroups(early.slice(0, 2)); // redelivered
    await p.publish([
      c1.created({ first_name: 'Ann' }),
      c2.created({ first_name: 'Bob' }),
      c3.created({ first_name: 'Cy' }),
    ]);
    await p.publish([c2.discarded(), c4.created({ first_name: 'Dee' })]);
    const late = [
      g1.removed(103),
      g3.created('Gone'),
      g3.added([104]),
      g3.deleted(),
      g2.added([104]),
      g1.renamed('Readers', 'Book club'),
    ];
    await p.publishGroups(late);
    await p.publish([c3.reassigned(REP_B)]);
    await p.publishGroups(late.slice(-2)); // redelivered out of order

    const live = async () => p.catalog.collections((await p.catalog.activeGeneration()) ?? 'g1');
    await waitFor(
      async () => {
        const models = await live();
        const [d1, d2, d3, gDoc, c3Doc, c1Doc, c2Doc, c4Doc] = await Promise.all([
          models.groups.groups.findOne({ _id: `${TENANT}:11` }),
          models.groups.groups.findOne({ _id: `${TENANT}:12` }),
          models.groups.groups.findOne({ _id: `${TENANT}:13` }),
          models.groups.groups.findOne({ _id: `${TENANT}:21` }),
          models.user.findOne({ _id: `${TENANT}:103` }),
          models.user.findOne({ _id: `${TENANT}:101` }),
          models.user.findOne({ _id: `${TENANT}:102` }),
          models.user.findOne({ _id: `${TENANT}:104` }),
        ]);
        // Every document at its last version: partitions are projected at their own pace.
        return (
          d1?._v === 4 &&
          d2?._v === 3 &&
          d3?._v === 3 &&
          gDoc?._v === 1 &&
          c3Doc?._v === 2 &&
          c1Doc?._v === 1 &&
          c2Doc?._v === 2 &&
          c4Doc?._v === 1
        );
      },
      { what: 'the live read models to settle', timeoutMs: 60_000 },
    );
    const expected = {
      groups: [
        // 102 is discarded (a member, not counted); 103 left, and moved to rep B anyway.
        { id: 11, name: 'Readers', members: [101, 102], contacts_count: 1 },
        { id: 12, name: 'VIP', members: [101, 104], contacts_count: 2 },
        { id: 21, name: 'Book club', members: [], contacts_count: 0 },
      ],
      contacts: [
        { id: 101, group_ids: [11, 12] },
        { id: 102, group_ids: [11] },
        { id: 103, group_ids: [] },
        { id: 104, group_ids: [12] },
      ],
    };
    const ids = [101, 102, 103, 104];
    expect(await readerView(await live(), ids)).toEqual(expected);

    const report = await p.rebuild({ dropOldAfterMs: null });
    expect(report.to).not.toBe(report.from);
    const rebuilt = p.catalog.collections(report.to);
    expect(await readerView(rebuilt, ids)).toEqual(expected);
    // The documents themselves match too (slot numbering aside, which follows arrival order).
    const strip = (docs: { _id: string }[]) => docs.sort((a, b) => (a._id < b._id ? -1 : 1));
    const before = p.catalog.collections(report.from);
    expect(strip(await rebuilt.groups.groups.find({}).toArray())).toEqual(
      strip(await before.groups.groups.find({}).toArray()),
    );
  });
});
