import type { Principal } from '@reps/auth';
import { GroupEvent } from '@reps/contracts';
import { createKafkaEventBus } from '@reps/kafka';
import { resolveTestEnv, uniqueName, waitFor, type TestEnv } from '@reps/testing';
import {
  startGatewayOverStack,
  type GatewayOverStack,
  type GatewayUnderTest,
  type StackUnderTest,
} from '../testing/gateway.spec-helper';

const CONTACTS = '/api/user/crm/v202506/contacts';
const COMPANY_CONTACTS = '/api/company/crm/v202506/contacts';
const GROUPS = '/api/user/crm/v202506/groups';

const repA: Principal = { scope: 'user', userId: 42, companyId: 7 };
const repB: Principal = { scope: 'user', userId: 43, companyId: 7 };
const companyC: Principal = { scope: 'company', companyId: 7 };
// Same user id as A in another tenant: ids are only unique within a company.
const repAElsewhere: Principal = { scope: 'user', userId: 42, companyId: 8 };

interface ContactJson {
  id: number;
  group_ids: number[];
}
interface GroupJson {
  id: number;
  name: string;
  description: string | null;
  contacts_count: number;
}
interface ErrorBody {
  error: { code: string; details?: { field: string; message: string }[] };
}
const json = async <T>(res: Response) => (await res.json()) as T;

/**
 * Groups end to end (issue 11): the gateway in this process in front of contacts-command,
 * contacts-projection and contacts-query as processes, on the real Kafka, MongoDB-compatible
 * server and Redis.
 */
describe('groups API through the gateway (running stack)', () => {
  let env: TestEnv;
  let running: GatewayOverStack;
  let stack: StackUnderTest;
  let gw: GatewayUnderTest;

  const groupCommits = () => stack.commandDb.db.collection('group_commits').countDocuments();

  /** Every event on the stack's groups topic so far. */
  async function groupTopicEvents(): Promise<GroupEvent[]> {
    const bus = createKafkaEventBus({ brokers: env.kafkaBrokers, clientId: uniqueName('e2e-groups') });
    const admin = await bus.admin();
    const end = (await admin.groupLag(uniqueName('nobody'), stack.groupsTopic)).reduce(
      (sum, p) => sum + p.end,
      0,
    );
    await admin.close();
    const events: GroupEvent[] = [];
    const consumer = await bus.consumer({
      groupId: uniqueName('e2e-reader'),
      topics: [stack.groupsTopic],
      fromBeginning: true,
    });
    await consumer.run(async (batch) => {
      for (const message of batch.messages)
        events.push(GroupEvent.parse(JSON.parse(message.value!.toString('utf8'))));
    });
    try {
      await waitFor(() => events.length >= end, {
        what: `${end} events on ${stack.groupsTopic}`,
        timeoutMs: 20_000,
      });
      return events;
    } finally {
      await consumer.close();
      await bus.close();
    }
  }

  /** Creates a contact and waits until the read side has it (lists below read several contacts at once). */
  async function createContact(principal: Principal, body: Record<string, unknown>) {
    const base = principal.scope === 'user' ? CONTACTS : COMPANY_CONTACTS;
    const res = await gw.request(principal, 'POST', base, body);
    expect(res.status).toBe(201);
    const { contact } = await json<{ contact: ContactJson }>(res);
    const token = res.headers.get('x-consistency-token')!;
    const read = await gw.request(principal, 'GET', `${base}/${contact.id}`, undefined, consistent(token));
    expect(read.headers.get('x-consistency')).toBe('fresh');
    return contact;
  }

  /** Creates a group and waits until the read side has it (a list's token covers one write only). */
  async function createGroup(principal: Principal, name: string) {
    const res = await gw.request(principal, 'POST', GROUPS, { group: { name } });
    expect(res.status).toBe(201);
    const { group } = await json<{ group: GroupJson }>(res);
    const token = res.headers.get('x-consistency-token')!;
    const read = await gw.request(principal, 'GET', `${GROUPS}/${group.id}`, undefined, consistent(token));
    expect(read.headers.get('x-consistency')).toBe('fresh');
    return { group, token };
  }

  async function addMembers(principal: Principal, groupId: number, contactIds: number[]) {
    const res = await gw.request(principal, 'POST', `${GROUPS}/${groupId}/contacts`, {
      contact_ids: contactIds,
    });
    expect(res.status).toBe(200);
    return {
      body: await json<{ results: { contact_id: number; status: string; error?: { code: string } }[] }>(res),
      token: res.headers.get('x-consistency-token')!,
    };
  }

  const consistent = (token: string) => ({ 'x-consistency-token': token });

  beforeAll(async () => {
    env = await resolveTestEnv();
    running = await startGatewayOverStack(env, { RATE_LIMIT_POINTS: '100000' });
    ({ stack, gw } = running);
  });

  afterAll(async () => {
    await running?.close();
    await env?.close();
  });

  it('a rep creates a contact and a group, adds the contact, and sees group_ids and the group_id filter, in both scopes', async () => {
    const mine = await createContact(repA, { first_name: 'Grace', last_name: 'Member' });
    const other = await createContact(repA, { first_name: 'Olive', last_name: 'Outsider' });
    const fromWeb = await createContact(companyC, {
      first_name: 'Wendy',
      user_id: 42,
      origin: 'company_website',
    });
    const { group } = await createGroup(repA, 'Book club');
    expect(group).toMatchObject({ name: 'Book club', description: null, contacts_count: 0 });

    const { body, token } = await addMembers(repA, group.id, [mine.id, fromWeb.id]);
    expect(body.results).toEqual([
      { contact_id: mine.id, status: 'added' },
      { contact_id: fromWeb.id, status: 'added' },
    ]);

    const read = await gw.request(repA, 'GET', `${CONTACTS}/${mine.id}`, undefined, consistent(token));
    expect(read.headers.get('x-consistency')).toBe('fresh');
    expect((await json<{ contact: ContactJson }>(read)).contact.group_ids).toEqual([group.id]);

    const filtered = await json<{ contacts: ContactJson[] }>(
      await gw.request(repA, 'GET', `${CONTACTS}?group_id=${group.id}`, undefined, consistent(token)),
    );
    expect(filtered.contacts.map((c) => c.id).sort((a, b) => a - b)).toEqual(
      [mine.id, fromWeb.id].sort((a, b) => a - b),
    );
    expect(filtered.contacts.every((c) => c.group_ids.includes(group.id))).toBe(true);
    expect(filtered.contacts.map((c) => c.id)).not.toContain(other.id);

    // The company sees group_ids of its company-visible contact, and filters by the group.
    const companyRead = await json<{ contact: ContactJson }>(
      await gw.request(companyC, 'GET', `${COMPANY_CONTACTS}/${fromWeb.id}`, undefined, consistent(token)),
    );
    expect(companyRead.contact.group_ids).toEqual([group.id]);
    const companyList = await json<{ contacts: ContactJson[] }>(
      await gw.request(companyC, 'GET', `${COMPANY_CONTACTS}?group_id=${group.id}`),
    );
    expect(companyList.contacts.map((c) => c.id)).toEqual([fromWeb.id]);

    const got = await json<{ group: GroupJson }>(
      await gw.request(repA, 'GET', `${GROUPS}/${group.id}`, undefined, consistent(token)),
    );
    expect(got.group.contacts_count).toBe(2);

    // A discarded member stays a member but no longer counts.
    const discard = await gw.request(repA, 'DELETE', `${CONTACTS}/${mine.id}`);
    expect(discard.status).toBe(200);
    await gw.request(
      repA,
      'GET',
      `${CONTACTS}/${mine.id}`,
      undefined,
      consistent(discard.headers.get('x-consistency-token')!),
    );
    const list = await json<{ groups: GroupJson[] }>(await gw.request(repA, 'GET', GROUPS));
    expect(list.groups.find((g) => g.id === group.id)?.contacts_count).toBe(1);

    // Removing a member and deleting the group follow too; the contacts stay.
    const removed = await gw.request(repA, 'DELETE', `${GROUPS}/${group.id}/contacts/${fromWeb.id}`);
    expect(removed.status).toBe(204);
    const afterRemove = await json<{ contact: ContactJson }>(
      await gw.request(
        repA,
        'GET',
        `${CONTACTS}/${fromWeb.id}`,
        undefined,
        consistent(removed.headers.get('x-consistency-token')!),
      ),
    );
    expect(afterRemove.contact.group_ids).toEqual([]);
    const deleted = await gw.request(repA, 'DELETE', `${GROUPS}/${group.id}`);
    expect(deleted.status).toBe(204);
    const gone = await gw.request(
      repA,
      'GET',
      `${GROUPS}/${group.id}`,
      undefined,
      consistent(deleted.headers.get('x-consistency-token')!),
    );
    expect(gone.status).toBe(404);
    expect((await gw.request(repA, 'GET', `${CONTACTS}/${fromWeb.id}`)).status).toBe(200);
  });

  it("keeps rep A's groups from rep B and the company: 404s, no adding A's contact, 403 for a company token", async () => {
    const aContact = await createContact(repA, { first_name: 'Private' });
    const { group, token } = await createGroup(repA, 'Private club');
    await gw.request(repA, 'GET', `${GROUPS}/${group.id}`, undefined, consistent(token));
    const before = await groupCommits();

    for (const [method, path, body] of [
      ['GET', `${GROUPS}/${group.id}`, undefined],
      ['PATCH', `${GROUPS}/${group.id}`, { name: 'Mine now' }],
      ['DELETE', `${GROUPS}/${group.id}`, undefined],
      ['POST', `${GROUPS}/${group.id}/contacts`, { contact_ids: [aContact.id] }],
      ['DELETE', `${GROUPS}/${group.id}/contacts/${aContact.id}`, undefined],
    ] as const) {
      for (const [who, principal] of [
        ['rep B', repB],
        ['user 42 of company 8', repAElsewhere],
      ] as const) {
        const res = await gw.request(principal, method, path, body);
        expect({ who, method, path, status: res.status }).toEqual({ who, method, path, status: 404 });
      }
    }
    const bList = await json<{ groups: GroupJson[] }>(await gw.request(repB, 'GET', GROUPS));
    expect(bList.groups.map((g) => g.id)).not.toContain(group.id);

    const { group: bGroup } = await createGroup(repB, 'Sneaky');
    const { body } = await addMembers(repB, bGroup.id, [aContact.id]);
    expect(body.results).toEqual([
      { contact_id: aContact.id, status: 'error', error: expect.objectContaining({ code: 'not_found' }) },
    ]);

    for (const [method, path] of [
      ['GET', GROUPS],
      ['POST', GROUPS],
      ['GET', `${GROUPS}/${group.id}`],
      ['POST', `${GROUPS}/${group.id}/contacts`],
      ['DELETE', `${GROUPS}/${group.id}`],
    ] as const) {
      const res = await gw.request(companyC, method, path, method === 'POST' ? { name: 'x' } : undefined);
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 403 });
    }
    // B's group creation is the only new commit.
    expect(await groupCommits()).toBe(before + 1);
  });

  it('lists the rep’s groups by name, case-insensitively, a page at a time', async () => {
    const repC: Principal = { scope: 'user', userId: 44, companyId: 7 };
    let token = '';
    for (const name of ['beta', 'Alpha', 'gamma']) ({ token } = await createGroup(repC, name));
    const names: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await gw.request(
        repC,
        'GET',
        `${GROUPS}?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        undefined,
        consistent(token),
      );
      expect(res.status).toBe(200);
      const page = await json<{ groups: GroupJson[]; meta: { pagination: { next_cursor: string | null } } }>(
        res,
      );
      expect(page.groups.length).toBeLessThanOrEqual(2);
      names.push(...page.groups.map((g) => g.name));
      cursor = page.meta.pagination.next_cursor;
      pages++;
    } while (cursor && pages < 5);
    expect(names).toEqual(['Alpha', 'beta', 'gamma']);
    expect(pages).toBe(2);
    expect((await gw.request(repC, 'GET', `${GROUPS}?cursor=nonsense`)).status).toBe(400);
  });

  it('refuses bad input with 413, 409 and 422 and writes nothing: no commit, no event on the topic', async () => {
    const { group } = await createGroup(repA, 'Family');
    const eventsBefore = (await groupTopicEvents()).length;
    const commitsBefore = await groupCommits();

    const tooMany = await gw.request(repA, 'POST', `${GROUPS}/${group.id}/contacts`, {
      contact_ids: Array.from({ length: 1001 }, (_, i) => i + 1),
    });
    expect(tooMany.status).toBe(413);

    const duplicate = await gw.request(repA, 'POST', GROUPS, { name: ' FAMILY ' });
    expect(duplicate.status).toBe(409);
    expect((await json<ErrorBody>(duplicate)).error.code).toBe('group_name_taken');

    const unknown = await gw.request(repA, 'POST', GROUPS, { name: 'Ok', colour: 'red', contacts_count: 9 });
    expect(unknown.status).toBe(422);
    expect((await json<ErrorBody>(unknown)).error.details).toEqual(
      expect.arrayContaining([
        { field: 'colour', message: 'is not a known field' },
        { field: 'contacts_count', message: 'is read-only' },
      ]),
    );
    const readOnlyPatch = await gw.request(repA, 'PATCH', `${GROUPS}/${group.id}`, { id: 5 });
    expect(readOnlyPatch.status).toBe(422);
    const badIds = await gw.request(repA, 'POST', `${GROUPS}/${group.id}/contacts`, {
      contact_ids: ['x', 0],
    });
    expect(badIds.status).toBe(422);
    expect((await gw.request(repA, 'GET', `${GROUPS}?sort=name`)).status).toBe(400);

    expect(await groupCommits()).toBe(commitsBefore);
    expect((await groupTopicEvents()).length).toBe(eventsBefore);
  });
});
