import { mintToken, type Principal } from '@reps/auth';
import { createReadModelCatalog, type ContactReadDoc } from '@reps/contacts-read-model';
import { connectMongo } from '@reps/mongo';
import { resolveTestEnv, waitFor, type TestEnv } from '@reps/testing';
import { contactsQueryConfigSchema } from '../config';
import { startContactsQuery } from '../service';
import { startReadStack, TEST_SECRET, type ReadStack } from '../testing/read-stack.spec-helper';

const USERS = '/api/user/crm/v202506/contacts';
const COMPANY = '/api/company/crm/v202506/contacts';

const repA: Principal = { scope: 'user', userId: 42, companyId: 7 };
const repB: Principal = { scope: 'user', userId: 43, companyId: 7 };
const company7: Principal = { scope: 'company', companyId: 7 };
const company8: Principal = { scope: 'company', companyId: 8 };
const repInOther: Principal = { scope: 'user', userId: 42, companyId: 8 };

interface Contact {
  id: number;
  user_id: number;
  [field: string]: unknown;
}
interface ListBody {
  contacts: Contact[];
  meta: { pagination: { limit: number; next_cursor: string | null }; request_id: string };
}
interface ErrorBody {
  error: { code: string; message: string; details?: { field: string; message: string }[] };
}

describe('contacts-query over the projected read models (command and projection as real processes)', () => {
  let env: TestEnv;
  let stack: ReadStack;

  beforeAll(async () => {
    env = await resolveTestEnv();
    stack = await startReadStack(env, { CONSISTENCY_WAIT_MS: '1500' });
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
    await env?.close();
  });

  const json = async <T>(res: Response) => (await res.json()) as T;

  async function create(principal: Principal, body: Record<string, unknown>) {
    const res = await stack.write(principal, 'POST', principal.scope === 'user' ? USERS : COMPANY, body);
    expect(res.status).toBe(201);
    return { contact: (await json<{ contact: Contact }>(res)).contact, token: res.headers.get('x-consistency-token')! };
  }

  it('reads its own write: with the consistency token the very next read sees the contact', async () => {
    const { contact, token } = await create(repA, { first_name: 'Jane', last_name: 'Smith', email: 'jane@example.com' });
    const single = await stack.read(repA, `${USERS}/${contact.id}`, { 'x-consistency-token': token });
    expect(single.status).toBe(200);
    expect(single.headers.get('x-consistency')).toBe('fresh');
    expect(single.headers.get('etag')).toBe('W/"1"');
    expect((await json<{ contact: Contact }>(single)).contact).toEqual(contact);

    const updated = await stack.write(repA, 'PATCH', `${USERS}/${contact.id}`, { city: 'Austin' });
    const list = await stack.read(repA, `${USERS}?q=jane`, { 'x-consistency-token': updated.headers.get('x-consistency-token')! });
    expect(list.status).toBe(200);
    const body = await json<ListBody>(list);
    expect(body.contacts.map((c) => [c.id, c['city']])).toEqual([[contact.id, 'Austin']]);
    expect(body.meta).toEqual({ pagination: { limit: 25, next_cursor: null }, request_id: list.headers.get('x-request-id') });
  });

  it('answers with what it has and X-Consistency: stale when the read model does not catch up in time', async () => {
    const { contact } = await create(repA, { first_name: 'Later' });
    const future = Buffer.from(`c1:${contact.id}:99`).toString('base64url');
    const started = Date.now();
    const res = await stack.read(repA, `${USERS}/${contact.id}`, { 'x-consistency-token': future });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-consistency')).toBe('stale');
    const bad = await stack.read(repA, USERS, { 'x-consistency-token': 'nope' });
    expect(bad.status).toBe(400);
  });

  it('keeps scopes apart: a company never lists or reads a rep-app contact; outsiders get 404', async () => {
    const { contact: mine, token: t1 } = await create(repA, { first_name: 'Private', last_name: 'Rep' });
    const { contact: web, token: t2 } = await create(company7, { first_name: 'Web', last_name: 'Lead', user_id: 42, origin: 'company_website' });
    await stack.read(repA, `${USERS}/${mine.id}`, { 'x-consistency-token': t1 });
    await stack.read(company7, `${COMPANY}/${web.id}`, { 'x-consistency-token': t2 });

    expect((await stack.read(company7, `${COMPANY}/${mine.id}`)).status).toBe(404);
    const companyList = await json<ListBody>(await stack.read(company7, `${COMPANY}?limit=100&discarded=include`));
    expect(companyList.contacts.map((c) => c.id)).toContain(web.id);
    expect(companyList.contacts.every((c) => c['origin'] !== 'user_app')).toBe(true);

    for (const [principal, path] of [
      [repB, `${USERS}/${mine.id}`],
      [repInOther, `${USERS}/${mine.id}`],
      [company8, `${COMPANY}/${web.id}`],
      [repA, `${USERS}/999999999`],
      [repA, `${USERS}/abc`],
    ] as const) {
      const res = await stack.read(principal, path);
      expect(res.status).toBe(404);
      expect((await json<ErrorBody>(res)).error.code).toBe('not_found');
    }
    expect((await json<ListBody>(await stack.read(repB, USERS))).contacts.map((c) => c.id)).not.toContain(mine.id);
    // The rep who owns the web lead sees it too (every contact is in the user model).
    expect((await stack.read(repA, `${USERS}/${web.id}`)).status).toBe(200);
    expect((await stack.read(repA, COMPANY)).status).toBe(403);
    expect((await fetch(`http://127.0.0.1:${stack.query.port}${USERS}`)).status).toBe(401);
  });

  it('moves a reassigned contact to its new owner and keeps discarded ones out of lists unless asked', async () => {
    const { contact } = await create(company7, { first_name: 'Moving', user_id: 42 });
    const moved = await stack.write(company7, 'PATCH', `${COMPANY}/${contact.id}`, { user_id: 43 });
    expect(moved.status).toBe(200);
    const token = moved.headers.get('x-consistency-token')!;
    expect((await stack.read(repB, `${USERS}/${contact.id}`, { 'x-consistency-token': token })).status).toBe(200);
    expect((await stack.read(repA, `${USERS}/${contact.id}`)).status).toBe(404);

    const discarded = await stack.write(company7, 'DELETE', `${COMPANY}/${contact.id}`);
    const t = discarded.headers.get('x-consistency-token')!;
    const ids = async (query: string) =>
      (await json<ListBody>(await stack.read(company7, `${COMPANY}?limit=100&${query}`, { 'x-consistency-token': t }))).contacts.map((c) => c.id);
    expect(await ids('discarded=exclude')).not.toContain(contact.id);
    expect(await ids('discarded=only')).toEqual([contact.id]);
    expect(await ids('discarded=include')).toContain(contact.id);
    const single = await json<{ contact: Contact }>(await stack.read(company7, `${COMPANY}/${contact.id}`));
    expect(single.contact['discarded_at']).toEqual(expect.any(String));
  });

  it('filters, searches, sorts and walks pages without duplicates or gaps while writes happen', async () => {
    const rep: Principal = { scope: 'user', userId: 77, companyId: 7 };
    const bulk = await stack.write(rep, 'POST', `${USERS}/bulk`, {
      contacts: Array.from({ length: 30 }, (_, i) => ({
        first_name: `Walker${i}`,
        last_name: `Zed${String(29 - i).padStart(2, '0')}`,
        phone: `+1 (555) 010-${String(1000 + i)}`,
        status: i % 3 === 0 ? 'lead' : 'customer',
        lead_type: i % 2 === 0 ? 'hot' : 'cold',
      })),
    });
    expect(bulk.status).toBe(200);
    const created = (await json<{ results: { contact: Contact }[] }>(bulk)).results.map((r) => r.contact);
    await waitFor(async () => (await json<ListBody>(await stack.read(rep, `${USERS}?limit=100`))).contacts.length === 30, {
      what: 'the bulk to be projected',
      timeoutMs: 30_000,
    });

    const list = async (query: string) => json<ListBody>(await stack.read(rep, `${USERS}?${query}`));
    expect((await list('status=lead&limit=100')).contacts).toHaveLength(10);
    expect((await list('status=lead&lead_type=hot&limit=100')).contacts).toHaveLength(5);
    expect((await list('q=WALKER1')).contacts.map((c) => c['first_name']).sort()).toEqual(
      ['Walker1', ...Array.from({ length: 10 }, (_, i) => `Walker1${i}`)].sort(),
    );
    expect((await list('q=555-010-1007')).contacts.map((c) => c['first_name'])).toEqual(['Walker7']);
    expect((await list('q=zed00')).contacts.map((c) => c['first_name'])).toEqual(['Walker29']);
    const byName = (await list('sort=last_name&limit=3')).contacts.map((c) => c['last_name']);
    expect(byName).toEqual(['Zed00', 'Zed01', 'Zed02']);
    const since = created[0]!['created_at'] as string;
    expect((await list(`updated_since=${encodeURIComponent(since)}&limit=100`)).contacts.length).toBe(30);
    expect((await list(`updated_since=${encodeURIComponent('2999-01-01T00:00:00Z')}`)).contacts).toEqual([]);

    // Walk 5 pages of 7 while contacts are created, updated and discarded around it.
    const seen: number[] = [];
    let cursor: string | null = null;
    let page = 0;
    do {
      const body: ListBody = await list(`sort=created_at&limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...body.contacts.map((c) => c.id));
      cursor = body.meta.pagination.next_cursor;
      if (page === 1) {
        await stack.write(rep, 'POST', USERS, { first_name: 'Newcomer' });
        await stack.write(rep, 'PATCH', `${USERS}/${created[0]!.id}`, { last_name: 'Aardvark' });
      }
      page++;
    } while (cursor !== null && page < 20);
    expect(new Set(seen).size).toBe(seen.length);
    for (const contact of created) expect(seen).toContain(contact.id);

    const bad = await stack.read(rep, `${USERS}?limit=500&colour=red`);
    expect(bad.status).toBe(400);
    const error = await json<ErrorBody>(bad);
    expect(error.error.details!.map((d) => d.field).sort()).toEqual(['colour', 'limit']);
    const first = await list('sort=created_at&limit=2');
    const mismatch = await stack.read(rep, `${USERS}?sort=-created_at&limit=2&cursor=${first.meta.pagination.next_cursor}`);
    expect(mismatch.status).toBe(400);
    expect((await stack.read(rep, `${USERS}/${created[0]!.id}?expand=all`)).status).toBe(400);
  });

  it.each(['last_name', '-last_name', 'updated_at', '-updated_at'])(
    'walks sort=%s without duplicates or gaps while the sort keys of listed and unlisted contacts change',
    async (sort) => {
      const rep: Principal = { scope: 'user', userId: 1000 + Math.floor(Math.random() * 1_000_000), companyId: 7 };
      const bulk = await stack.write(rep, 'POST', `${USERS}/bulk`, {
        contacts: Array.from({ length: 24 }, (_, i) => ({ first_name: `Mover${i}`, last_name: `M${String((i * 7) % 24).padStart(2, '0')}` })),
      });
      expect(bulk.status).toBe(200);
      const existing = (await json<{ results: { contact: Contact }[] }>(bulk)).results.map((r) => r.contact.id);
      const list = async (query: string) => json<ListBody>(await stack.read(rep, `${USERS}?${query}`));
      await waitFor(async () => (await list('limit=100')).contacts.length === 24, { what: 'the bulk to be projected', timeoutMs: 30_000 });

      // After each page: rename/update two contacts already shown and two not yet shown (each
      // jumps to the other end of the order), and create one; each write is awaited until projected.
      const seen: number[] = [];
      let cursor: string | null = null;
      let page = 0;
      let renames = 0;
      do {
        const body: ListBody = await list(`sort=${sort}&limit=5${cursor ? `&cursor=${cursor}` : ''}`);
        seen.push(...body.contacts.map((c) => c.id));
        cursor = body.meta.pagination.next_cursor;
        const shown = existing.filter((id) => seen.includes(id));
        const unseen = existing.filter((id) => !seen.includes(id));
        const movers = [...shown.slice(-2), ...unseen.slice(0, 1), ...unseen.slice(-1)];
        for (const id of movers) {
          renames++;
          const name = renames % 2 === 0 ? `A${String(renames).padStart(3, '0')}` : `Z${String(renames).padStart(3, '0')}`;
          const res = await stack.write(rep, 'PATCH', `${USERS}/${id}`, { last_name: name });
          expect(res.status).toBe(200);
          const check = await stack.read(rep, `${USERS}/${id}`, { 'x-consistency-token': res.headers.get('x-consistency-token')! });
          expect(check.headers.get('x-consistency')).toBe('fresh');
        }
        const added = await stack.write(rep, 'POST', USERS, { first_name: 'Newcomer', last_name: `N${page}` });
        expect(added.status).toBe(201);
        page++;
      } while (cursor !== null && page < 30);

      expect(renames).toBeGreaterThan(8);
      expect(new Set(seen).size).toBe(seen.length);
      expect(existing.filter((id) => !seen.includes(id))).toEqual([]);
    },
    120_000,
  );

  it('stops a list the database cannot answer within LIST_MAX_TIME_MS: a 503 with Retry-After, and serving goes on', async () => {
    // A tenant of 4,000 documents written straight into the active read model, and a search
    // that matches none of them: on FerretDB (which scans for every non-_id query) that takes
    // well over 100 ms; MongoDB answers it in a few, so there the limit is simply not reached.
    const tenant = 900_000 + Math.floor(Math.random() * 90_000);
    const mongo = await connectMongo({ url: env.mongoUrl, dbName: stack.readDb, appName: 'max-time-seed' });
    const quick = await startContactsQuery(
      contactsQueryConfigSchema.parse({
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        HOST: '127.0.0.1',
        PORT: '0',
        MONGO_URL: env.mongoUrl,
        MONGO_DB: stack.readDb,
        READ_MODEL_PREFIX: stack.prefix,
        AUTH_JWT_SECRET: TEST_SECRET,
        LIST_MAX_TIME_MS: '100',
      }),
      { handleSignals: false, exit: () => undefined },
    );
    try {
      const catalog = createReadModelCatalog(mongo.db, stack.prefix);
      const users = catalog.collections((await catalog.activeGeneration())!).user;
      const docs = Array.from({ length: 4000 }, (_, i) => ({
        _id: `${tenant}:${i + 1}`,
        id: i + 1,
        tenant_company_id: tenant,
        user_id: 1,
        company_visible: false,
        _v: 1,
        _discarded: false,
        _c: i,
        _u: i,
        _ln: `seed${i}`,
        _search: `seed${i}\nperson number ${i}`,
        _phone: '',
        _prior: [],
      })) as unknown as ContactReadDoc[];
      for (let i = 0; i < docs.length; i += 1000) await users.insertMany(docs.slice(i, i + 1000));
      const isFerretDb = (await mongo.db.admin().command({ buildInfo: 1 }))['ferretdbVersion'] !== undefined;

      const principal: Principal = { scope: 'user', userId: 1, companyId: tenant };
      const authorization = `Bearer ${await mintToken(TEST_SECRET, principal)}`;
      const res = await fetch(`http://127.0.0.1:${quick.port}${USERS}?q=nobody-by-this-name`, { headers: { authorization } });
      if (isFerretDb) {
        expect(res.status).toBe(503);
        expect(res.headers.get('retry-after')).toBe('5');
        expect((await json<ErrorBody>(res)).error.code).toBe('service_unavailable');
      } else {
        expect(res.status).toBe(200);
      }
      // The same service answers the next request (an `_id` read) normally.
      const single = await fetch(`http://127.0.0.1:${quick.port}${USERS}/7`, { headers: { authorization } });
      expect(single.status).toBe(200);
    } finally {
      await quick.shutdown();
      await mongo.close();
    }
  }, 60_000);
});
