import type { Principal } from '@reps/auth';
import { resolveTestEnv, type TestEnv } from '@reps/testing';
import { startCommandUnderTest, type CommandUnderTest } from '../testing/command-service.spec-helper';

const CONTACTS = '/api/user/crm/v202506/contacts';
const GROUPS = '/api/user/crm/v202506/groups';

const repA: Principal = { scope: 'user', userId: 42, companyId: 7 };
const repB: Principal = { scope: 'user', userId: 43, companyId: 7 };
const companyC: Principal = { scope: 'company', companyId: 7 };

interface GroupBody {
  group: { id: number; name: string; description: string | null; contacts_count: number };
}
interface ErrorBody {
  error: { code: string; details?: { field: string; message: string }[] };
}
interface MembershipBody {
  results: { contact_id: number; status: string; error?: { code: string } }[];
  meta: { added: number; already_member: number; failed: number };
}

describe('contacts-command group write API (real MongoDB-compatible server and Kafka)', () => {
  let env: TestEnv;
  let svc: CommandUnderTest;

  beforeAll(async () => {
    env = await resolveTestEnv();
    svc = await startCommandUnderTest(env);
  });

  afterAll(async () => {
    await svc?.close();
    await env?.close();
  });

  const json = async <T>(res: Response) => (await res.json()) as T;
  const groupCommits = () => svc.mongo.db.collection('group_commits').countDocuments();

  const contact = (principal: Principal, body: Record<string, unknown> = { first_name: 'Member' }) =>
    svc.createContact(principal, body);

  async function group(principal: Principal, name: string) {
    const res = await svc.request(principal, 'POST', GROUPS, { group: { name } });
    expect(res.status).toBe(201);
    return (await json<GroupBody>(res)).group;
  }

  it('creates, renames and deletes a group, publishing each event on the groups topic keyed by group id', async () => {
    const created = await svc.request(repA, 'POST', GROUPS, { name: '  Book club ', description: 'Monthly' });
    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toBe('W/"1"');
    expect(created.headers.get('x-consistency-token')).toBeTruthy();
    const { group: g } = await json<GroupBody>(created);
    expect(g).toEqual({
      id: expect.any(Number),
      name: 'Book club',
      description: 'Monthly',
      contacts_count: 0,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect(created.headers.get('location')).toBe(`${GROUPS}/${g.id}`);

    const renamed = await svc.request(
      repA,
      'PATCH',
      `${GROUPS}/${g.id}`,
      { name: 'Readers' },
      { 'if-match': 'W/"1"' },
    );
    expect(renamed.status).toBe(200);
    expect((await json<GroupBody>(renamed)).group.name).toBe('Readers');
    const stale = await svc.request(
      repA,
      'PATCH',
      `${GROUPS}/${g.id}`,
      { name: 'Late' },
      { 'if-match': 'W/"1"' },
    );
    expect(stale.status).toBe(412);

    // The old name is free again after the rename.
    await group(repA, 'book CLUB');

    expect((await svc.request(repA, 'DELETE', `${GROUPS}/${g.id}`)).status).toBe(204);
    expect((await svc.request(repA, 'DELETE', `${GROUPS}/${g.id}`)).status).toBe(404);
    expect((await svc.request(repA, 'PATCH', `${GROUPS}/${g.id}`, { name: 'Back' })).status).toBe(404);
    // …and so is the deleted group's name.
    await group(repA, 'readers');

    const events = await svc.groupTopicEvents(
      3,
      (seen) => seen.filter((e) => e.aggregate_id === g.id).length >= 3,
    );
    const mine = events.filter((e) => e.aggregate_id === g.id);
    expect(mine.map((e) => [e.type, e.aggregate_version])).toEqual([
      ['group.created', 1],
      ['group.updated', 2],
      ['group.deleted', 3],
    ]);
    expect(mine[1]!.data).toMatchObject({ changes: { name: 'Readers' }, previous: { name: 'Book club' } });
    expect(mine.every((e) => e.user_id === 42 && e.company_id === 7 && e.company_visible === false)).toBe(
      true,
    );
  });

  it('keeps names unique per rep, case-insensitively, also under concurrent creates; another rep may reuse a name', async () => {
    await group(repA, 'Family');
    const before = await groupCommits();
    const dup = await svc.request(repA, 'POST', GROUPS, { name: 'FAMILY ' });
    expect(dup.status).toBe(409);
    expect((await json<ErrorBody>(dup)).error.code).toBe('group_name_taken');
    const other = await group(repA, 'Friends');
    const rename = await svc.request(repA, 'PATCH', `${GROUPS}/${other.id}`, { name: 'family' });
    expect(rename.status).toBe(409);
    expect(await groupCommits()).toBe(before + 1);

    const racers = await Promise.all(
      Array.from({ length: 6 }, () => svc.request(repA, 'POST', GROUPS, { name: 'Race' })),
    );
    expect(racers.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);

    await group(repB, 'Family');
  });

  it('adds only the rep’s own live contacts, answering per id, and removes members', async () => {
    const g = await group(repA, 'Customers');
    const [own1, own2, discarded] = [await contact(repA), await contact(repA), await contact(repA)];
    expect((await svc.request(repA, 'DELETE', `${CONTACTS}/${discarded}`)).status).toBe(200);
    const colleagues = await contact(repB);
    const companyOwnedByA = await contact(companyC, { first_name: 'Web', user_id: 42 });

    const res = await svc.request(repA, 'POST', `${GROUPS}/${g.id}/contacts`, {
      contact_ids: [own1, own1, colleagues, discarded, 999999999, companyOwnedByA],
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('W/"2"');
    const body = await json<MembershipBody>(res);
    expect(body.results).toEqual([
      { contact_id: own1, status: 'added' },
      { contact_id: colleagues, status: 'error', error: expect.objectContaining({ code: 'not_found' }) },
      {
        contact_id: discarded,
        status: 'error',
        error: expect.objectContaining({ code: 'contact_discarded' }),
      },
      { contact_id: 999999999, status: 'error', error: expect.objectContaining({ code: 'not_found' }) },
      { contact_id: companyOwnedByA, status: 'added' },
    ]);
    expect(body.meta).toEqual({ added: 2, already_member: 0, failed: 3 });

    const again = await json<MembershipBody>(
      await svc.request(repA, 'POST', `${GROUPS}/${g.id}/contacts`, { contact_ids: [own1, own2] }),
    );
    expect(again.results).toEqual([
      { contact_id: own1, status: 'already_member' },
      { contact_id: own2, status: 'added' },
    ]);

    const renamed = await json<GroupBody>(
      await svc.request(repA, 'PATCH', `${GROUPS}/${g.id}`, { description: 'Paying' }),
    );
    expect(renamed.group.contacts_count).toBe(3);

    expect((await svc.request(repA, 'DELETE', `${GROUPS}/${g.id}/contacts/${own1}`)).status).toBe(204);
    expect((await svc.request(repA, 'DELETE', `${GROUPS}/${g.id}/contacts/${own1}`)).status).toBe(204);

    const events = await svc.groupTopicEvents(1, (seen) =>
      seen.some((e) => e.aggregate_id === g.id && e.type === 'group.contact_removed'),
    );
    const mine = events.filter((e) => e.aggregate_id === g.id);
    expect(mine.map((e) => e.type)).toEqual([
      'group.created',
      'group.contacts_added',
      'group.contacts_added',
      'group.updated',
      'group.contact_removed',
    ]);
    expect(mine[1]!.data).toMatchObject({ contact_ids: [own1, companyOwnedByA].sort((a, b) => a - b) });
  });

  it('answers 404 for another rep’s group and writes nothing; a company token is 403; bad input writes nothing', async () => {
    const g = await group(repA, 'Private');
    const mine = await contact(repA);
    const before = await groupCommits();
    expect((await svc.request(repB, 'PATCH', `${GROUPS}/${g.id}`, { name: 'Mine' })).status).toBe(404);
    expect((await svc.request(repB, 'DELETE', `${GROUPS}/${g.id}`)).status).toBe(404);
    expect(
      (await svc.request(repB, 'POST', `${GROUPS}/${g.id}/contacts`, { contact_ids: [mine] })).status,
    ).toBe(404);
    expect((await svc.request(repB, 'DELETE', `${GROUPS}/${g.id}/contacts/${mine}`)).status).toBe(404);
    expect((await svc.request(companyC, 'POST', GROUPS, { name: 'Company' })).status).toBe(403);

    // Rep B cannot put A's contact into B's own group.
    const bGroup = await group(repB, 'Sneaky');
    const sneaky = await json<MembershipBody>(
      await svc.request(repB, 'POST', `${GROUPS}/${bGroup.id}/contacts`, { contact_ids: [mine] }),
    );
    expect(sneaky.results).toEqual([
      { contact_id: mine, status: 'error', error: expect.objectContaining({ code: 'not_found' }) },
    ]);

    const tooMany = await svc.request(repA, 'POST', `${GROUPS}/${g.id}/contacts`, {
      contact_ids: Array.from({ length: 1001 }, (_, i) => i + 1),
    });
    expect(tooMany.status).toBe(413);
    const readOnly = await svc.request(repA, 'POST', GROUPS, { name: 'X', contacts_count: 5, colour: 'red' });
    expect(readOnly.status).toBe(422);
    expect((await json<ErrorBody>(readOnly)).error.details).toEqual([
      { field: 'contacts_count', message: 'is read-only' },
      { field: 'colour', message: 'is not a known field' },
    ]);
    expect(await groupCommits()).toBe(before + 1);
  });

  it('takes over a name claim its group no longer holds, and only such a claim', async () => {
    const names = svc.mongo.db.collection<{ _id: string; group_id: number; claimed_at: Date }>('group_names');
    // A writer that died between claiming and storing its group, long enough ago: the claim is stale.
    await names.insertOne({
      _id: '7:42:orphan',
      group_id: 99999991,
      claimed_at: new Date(Date.now() - 60_000),
    });
    expect((await svc.request(repA, 'POST', GROUPS, { name: 'Orphan' })).status).toBe(201);
    // One that may still be on its way to storing: the name stays taken for now.
    await names.insertOne({ _id: '7:42:in flight', group_id: 99999992, claimed_at: new Date() });
    expect((await svc.request(repA, 'POST', GROUPS, { name: 'In flight' })).status).toBe(409);
    // A claim left behind by a rename whose release never happened: the group holds another name now.
    const renamed = await group(repA, 'Before');
    expect((await svc.request(repA, 'PATCH', `${GROUPS}/${renamed.id}`, { name: 'After' })).status).toBe(200);
    await names.insertOne({ _id: '7:42:before', group_id: renamed.id, claimed_at: new Date() });
    expect((await svc.request(repA, 'POST', GROUPS, { name: 'before' })).status).toBe(201);
    // …while a name a live group holds is never taken over.
    expect((await svc.request(repA, 'POST', GROUPS, { name: 'AFTER' })).status).toBe(409);
  });

  it('replays a create with the same Idempotency-Key', async () => {
    const headers = { 'idempotency-key': `grp-${Date.now()}` };
    const first = await svc.request(repA, 'POST', GROUPS, { name: 'Once' }, headers);
    const second = await svc.request(repA, 'POST', GROUPS, { name: 'Once' }, headers);
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect((await json<GroupBody>(second)).group.id).toBe((await json<GroupBody>(first)).group.id);
  });
});
