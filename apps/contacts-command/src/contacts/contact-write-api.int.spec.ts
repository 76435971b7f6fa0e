import type { Principal } from '@reps/auth';
import { resolveTestEnv, type TestEnv } from '@reps/testing';
import { startCommandUnderTest, type CommandUnderTest } from '../testing/command-service.spec-helper';

const USERS = '/api/user/crm/v202506/contacts';
const COMPANY = '/api/company/crm/v202506/contacts';

const repA: Principal = { scope: 'user', userId: 42, companyId: 7 };
const repB: Principal = { scope: 'user', userId: 43, companyId: 7 };
const companyC: Principal = { scope: 'company', companyId: 7 };
const companyD: Principal = { scope: 'company', companyId: 8 };

interface ContactBody {
  contact: Record<string, unknown> & { id: number };
}
interface ErrorBody {
  error: { code: string; message: string; details?: { field: string; message: string }[] };
}

describe('contacts-command write API (real MongoDB-compatible server and Kafka)', () => {
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

  const commitCount = () => svc.mongo.db.collection('contact_commits').countDocuments();
  const json = async <T>(res: Response) => (await res.json()) as T;

  async function create(principal: Principal, body: Record<string, unknown>) {
    const path = principal.scope === 'user' ? USERS : COMPANY;
    const res = await svc.request(principal, 'POST', path, body);
    expect(res.status).toBe(201);
    return { res, contact: (await json<ContactBody>(res)).contact };
  }

  it('creates a rep contact with owner, origin, public company_id and version headers', async () => {
    const { res, contact } = await create(repA, {
      contact: { first_name: 'Jane', last_name: 'Smith', email: 'Jane.Smith@Example.com', phone: '+1-555-123-4567' },
    });
    expect(contact).toMatchObject({
      first_name: 'Jane',
      full_name: 'Jane Smith',
      email: 'jane.smith@example.com',
      user_id: 42,
      origin: 'user_app',
      company_id: null,
      status: 'active',
      group_ids: [],
      discarded_at: null,
    });
    expect(Number.isInteger(contact.id)).toBe(true);
    expect(String(contact['token'])).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    expect(res.headers.get('etag')).toBe('W/"1"');
    expect(res.headers.get('x-consistency-token')).toBeTruthy();
  });

  it('creates a company contact assigned to a rep, visible to the company', async () => {
    const { contact } = await create(companyC, { first_name: 'Web', user_id: 42, origin: 'company_website' });
    expect(contact).toMatchObject({ user_id: 42, origin: 'company_website', company_id: 7 });
  });

  it('updates only the given fields, null clears, and a stale If-Match is a 412 that changes nothing', async () => {
    const { contact } = await create(repA, { first_name: 'Ann', city: 'Austin', lead_type: 'warm' });
    const path = `${USERS}/${contact.id}`;
    const updated = await svc.request(repA, 'PATCH', path, { city: null, lead_type: 'hot' }, { 'if-match': 'W/"1"' });
    expect(updated.status).toBe(200);
    expect(updated.headers.get('etag')).toBe('W/"2"');
    expect((await json<ContactBody>(updated)).contact).toMatchObject({ first_name: 'Ann', city: null, lead_type: 'hot' });

    const before = await commitCount();
    const stale = await svc.request(repA, 'PATCH', path, { city: 'Dallas' }, { 'if-match': 'W/"1"' });
    expect(stale.status).toBe(412);
    expect((await json<ErrorBody>(stale)).error.code).toBe('precondition_failed');
    expect(await commitCount()).toBe(before);
  });

  it('answers 404 for everything outside the caller scope and writes nothing', async () => {
    const { contact: appContact } = await create(repA, { first_name: 'Private' });
    const before = await commitCount();
    for (const [principal, base] of [
      [repB, USERS],
      [companyC, COMPANY],
      [companyD, COMPANY],
      [{ scope: 'user', userId: 42, companyId: 8 } as Principal, USERS],
    ] as const) {
      const patch = await svc.request(principal, 'PATCH', `${base}/${appContact.id}`, { first_name: 'Hacked' });
      expect(patch.status).toBe(404);
      expect((await svc.request(principal, 'DELETE', `${base}/${appContact.id}`)).status).toBe(404);
      expect((await svc.request(principal, 'POST', `${base}/${appContact.id}/restore`)).status).toBe(404);
    }
    // A stale If-Match from an outsider is still a 404: existence does not leak.
    expect((await svc.request(repB, 'PATCH', `${USERS}/${appContact.id}`, { first_name: 'x' }, { 'if-match': 'W/"9"' })).status).toBe(404);
    expect((await svc.request(repA, 'PATCH', `${USERS}/999999999`, { first_name: 'x' })).status).toBe(404);
    expect((await svc.request(repA, 'PATCH', `${USERS}/abc`, { first_name: 'x' })).status).toBe(404);
    expect(await commitCount()).toBe(before);
  });

  it('soft-deletes idempotently, refuses updates while discarded, and restores', async () => {
    const { contact } = await create(repA, { first_name: 'Del' });
    const path = `${USERS}/${contact.id}`;
    const deleted = await svc.request(repA, 'DELETE', path);
    expect(deleted.status).toBe(200);
    expect((await json<ContactBody>(deleted)).contact['discarded_at']).toEqual(expect.any(String));
    const again = await svc.request(repA, 'DELETE', path);
    expect(again.status).toBe(200);
    expect(again.headers.get('etag')).toBe('W/"2"');
    const blocked = await svc.request(repA, 'PATCH', path, { first_name: 'No' });
    expect(blocked.status).toBe(409);
    expect((await json<ErrorBody>(blocked)).error.code).toBe('contact_discarded');
    const restored = await svc.request(repA, 'POST', `${path}/restore`);
    expect(restored.status).toBe(200);
    expect((await json<ContactBody>(restored)).contact['discarded_at']).toBeNull();
    expect((await svc.request(repA, 'PATCH', path, { first_name: 'Yes' })).status).toBe(200);
  });

  it('lets a company reassign its contact but not a rep, and the company may not touch app contacts', async () => {
    const { contact } = await create(companyC, { first_name: 'Lead', user_id: 42 });
    const reassigned = await svc.request(companyC, 'PATCH', `${COMPANY}/${contact.id}`, { user_id: 43, status: 'lead' });
    expect(reassigned.status).toBe(200);
    expect((await json<ContactBody>(reassigned)).contact).toMatchObject({ user_id: 43, status: 'lead' });
    // The old owner no longer sees it; the new one does.
    expect((await svc.request(repA, 'PATCH', `${USERS}/${contact.id}`, { first_name: 'x' })).status).toBe(404);
    expect((await svc.request(repB, 'PATCH', `${USERS}/${contact.id}`, { first_name: 'Mine' })).status).toBe(200);
    const repTries = await svc.request(repB, 'PATCH', `${USERS}/${contact.id}`, { user_id: 42 });
    expect(repTries.status).toBe(422);
    expect((await json<ErrorBody>(repTries)).error.details).toEqual([expect.objectContaining({ field: 'user_id' })]);

    const events = (await svc.topicEvents(1, (seen) => seen.filter((e) => e.aggregate_id === contact.id).length >= 4)).filter(
      (e) => e.aggregate_id === contact.id,
    );
    // One decision, two events: the field change, then the move to the new owner.
    expect(events.map((e) => e.type)).toEqual(['contact.created', 'contact.updated', 'contact.reassigned', 'contact.updated']);
    expect(events.map((e) => e.aggregate_version)).toEqual([1, 2, 3, 4]);
    expect(events[1]).toMatchObject({ data: { changes: { status: 'lead' }, previous: { status: 'active' } } });
    expect(events[2]).toMatchObject({ user_id: 43, data: { from_user_id: 42, to_user_id: 43 } });
  });

  it('rejects bad input with 4xx and writes nothing: no event stored, nothing on Kafka', async () => {
    const before = await commitCount();
    const cases: [Principal, string, string, unknown, number, string][] = [
      [repA, 'POST', USERS, { id: 5, token: 'x', first_name: 'A' }, 422, 'validation_failed'],
      [repA, 'POST', USERS, { first_name: 'A', user_id: 1, origin: 'company_api' }, 422, 'validation_failed'],
      [repA, 'POST', USERS, { nickname: 'A' }, 422, 'validation_failed'],
      [repA, 'POST', USERS, { email: 'not-an-email' }, 422, 'validation_failed'],
      [repA, 'POST', USERS, { city: 'Only a city' }, 422, 'validation_failed'],
      [repA, 'POST', USERS, '{"first_name": ', 400, 'malformed_json'],
      [companyC, 'POST', COMPANY, { first_name: 'NoOwner' }, 422, 'validation_failed'],
      [companyC, 'POST', COMPANY, { first_name: 'A', user_id: 1, origin: 'user_app' }, 422, 'validation_failed'],
    ];
    for (const [index, [principal, method, path, body, status, code]] of cases.entries()) {
      const res = await svc.request(principal, method, path, body, { 'x-request-id': `bad-input-${index}` });
      expect({ body, status: res.status }).toEqual({ body, status });
      expect((await json<ErrorBody>(res)).error.code).toBe(code);
    }
    const readOnly = await svc.request(repA, 'POST', USERS, { first_name: 'A', id: 1, created_at: '2020-01-01T00:00:00Z' });
    const fields = (await json<ErrorBody>(readOnly)).error.details?.map((d) => d.field).sort();
    expect(fields).toEqual(['created_at', 'id']);
    expect(await commitCount()).toBe(before);
    // Correlation ids are the request ids: no event on the topic came from these requests. A valid
    // write afterwards marks how far the topic must be read.
    const marker = await svc.request(repA, 'POST', USERS, { first_name: 'Marker' }, { 'x-request-id': 'good-after-bad' });
    expect(marker.status).toBe(201);
    const events = await svc.topicEvents(1, (seen) => seen.some((e) => e.correlation_id === 'good-after-bad'));
    expect(events.filter((e) => e.correlation_id.startsWith('bad-input-'))).toEqual([]);
  });

  it('answers 401 without a valid token and 403 for the other scope', async () => {
    expect((await fetch(`${svc.base}${USERS}`, { method: 'POST', body: '{}' })).status).toBe(401);
    const wrong = await svc.request(repA, 'POST', COMPANY, { first_name: 'x', user_id: 42 });
    expect(wrong.status).toBe(403);
    expect((await svc.request(companyC, 'POST', `${USERS}/bulk`, { contacts: [{ first_name: 'x' }] })).status).toBe(403);
  });

  it('20 concurrent PATCHes with the same If-Match: one 200, nineteen 412, one new version on Kafka', async () => {
    const { contact } = await create(repA, { first_name: 'Race' });
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        svc.request(repA, 'PATCH', `${USERS}/${contact.id}`, { first_name: `Writer ${i}` }, { 'if-match': 'W/"1"' }),
      ),
    );
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 412)).toHaveLength(19);
    const events = (await svc.topicEvents(1, (seen) => seen.filter((e) => e.aggregate_id === contact.id).length >= 2)).filter(
      (e) => e.aggregate_id === contact.id,
    );
    expect(events.map((e) => e.aggregate_version)).toEqual([1, 2]);
  });

  it('without If-Match, concurrent PATCHes all succeed by retrying the lost races', async () => {
    const { contact } = await create(repA, { first_name: 'Busy' });
    const responses = await Promise.all(
      Array.from({ length: 5 }, (_, i) => svc.request(repA, 'PATCH', `${USERS}/${contact.id}`, { city: `City ${i}` })),
    );
    const statuses = responses.map((r) => r.status);
    // A few retries absorb most races; any leftover is an explicit 409, never a lost update.
    expect(statuses.every((s) => s === 200 || s === 409)).toBe(true);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(1);
  });

  it('bulk: 1000 items with 10 invalid create 990, each failure names its index and field', async () => {
    const invalid = new Set([3, 50, 101, 222, 333, 444, 555, 666, 777, 999]);
    const contacts = Array.from({ length: 1000 }, (_, i) =>
      invalid.has(i) ? { first_name: `Bad ${i}`, email: `broken-${i}` } : { first_name: `Bulk ${i}`, email: `bulk${i}@example.com` },
    );
    const before = await commitCount();
    const res = await svc.request(repA, 'POST', `${USERS}/bulk`, { contacts });
    expect(res.status).toBe(200);
    const body = await json<{
      results: { index: number; status: number; contact?: { id: number }; error?: ErrorBody['error'] }[];
      meta: { created: number; failed: number };
    }>(res);
    expect(body.meta).toEqual({ created: 990, failed: 10 });
    expect(body.results.map((r) => r.index)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    const failures = body.results.filter((r) => r.status !== 201);
    expect(failures.map((f) => f.index)).toEqual([...invalid].sort((a, b) => a - b));
    for (const f of failures) expect(f.error?.details).toEqual([expect.objectContaining({ field: 'email' })]);
    const ids = body.results.flatMap((r) => (r.contact ? [r.contact.id] : []));
    expect(new Set(ids).size).toBe(990);
    expect((await commitCount()) - before).toBe(990);
  });

  it('bulk: over 1000 items is a 413 and writes nothing', async () => {
    const before = await commitCount();
    const contacts = Array.from({ length: 1001 }, (_, i) => ({ first_name: `Too many ${i}` }));
    const res = await svc.request(repA, 'POST', `${USERS}/bulk`, { contacts });
    expect(res.status).toBe(413);
    expect((await json<ErrorBody>(res)).error.code).toBe('payload_too_large');
    expect(await commitCount()).toBe(before);
  });

  it('Idempotency-Key: a retried POST creates one contact and returns an identical body; another body is a 409', async () => {
    const key = `key-${Date.now()}`;
    const body = { first_name: 'Once', email: 'once@example.com' };
    const before = await commitCount();
    const first = await svc.request(repA, 'POST', USERS, body, { 'idempotency-key': key });
    const second = await svc.request(repA, 'POST', USERS, body, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(await second.text()).toBe(await first.text());
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(await commitCount()).toBe(before + 1);
    const reused = await svc.request(repA, 'POST', USERS, { first_name: 'Other' }, { 'idempotency-key': key });
    expect(reused.status).toBe(409);
    expect((await json<ErrorBody>(reused)).error.code).toBe('idempotency_key_reused');
    // Another rep's identical key is a separate key.
    expect((await svc.request(repB, 'POST', USERS, body, { 'idempotency-key': key })).status).toBe(201);
  });

  // npm run chaos found it: while the database restarted, a create whose write was applied but
  // whose reply was lost failed, released its claim, and each retry created the contact again.
  it('Idempotency-Key: a retry after a failure that came after the write answers the stored contacts, creating nothing twice', async () => {
    const keys = svc.mongo.db.collection<{ _id: string; state: string; response?: unknown }>('idempotency_keys');
    /** As if the request had failed after storing: its claim released with the ids it reserved. */
    const failAfterWrite = (key: string) =>
      keys.updateOne({ _id: `user:7:42:${key}` }, { $set: { state: 'released' }, $unset: { response: '' } });

    const key = `lost-reply-${Date.now()}`;
    const body = { first_name: 'Lost', last_name: 'Reply' };
    const first = await svc.request(repA, 'POST', USERS, body, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    const before = await commitCount();
    await failAfterWrite(key);
    const retry = await svc.request(repA, 'POST', USERS, body, { 'idempotency-key': key });
    expect(retry.status).toBe(201);
    expect((await json<ContactBody>(retry)).contact.id).toBe((await json<ContactBody>(first)).contact.id);
    expect(await commitCount()).toBe(before);

    const bulkKey = `lost-bulk-reply-${Date.now()}`;
    const bulk = { contacts: [{ first_name: 'B1' }, { first_name: 'B2' }, { first_name: 'B3' }] };
    const bulkFirst = await svc.request(repA, 'POST', `${USERS}/bulk`, bulk, { 'idempotency-key': bulkKey });
    expect(bulkFirst.status).toBe(200);
    const createdIds = (body: { results: { contact?: { id: number } }[] }) => body.results.map((r) => r.contact?.id);
    const firstIds = createdIds(await json(bulkFirst));
    const beforeBulk = await commitCount();
    await failAfterWrite(bulkKey);
    const bulkRetry = await svc.request(repA, 'POST', `${USERS}/bulk`, bulk, { 'idempotency-key': bulkKey });
    expect(bulkRetry.status).toBe(200);
    const retried = await json<{ results: { status: number; contact?: { id: number } }[]; meta: unknown }>(bulkRetry);
    expect(retried.results.map((r) => r.status)).toEqual([201, 201, 201]);
    expect(createdIds(retried)).toEqual(firstIds);
    expect(await commitCount()).toBe(beforeBulk);
  });

  it('every event on the topic carries the DESIGN §3 envelope', async () => {
    const events = await svc.topicEvents(5);
    // topicEvents parses each with the public zod contract; check the envelope fields explicitly too.
    for (const event of events) {
      expect(Object.keys(event)).toEqual(
        expect.arrayContaining([
          'id', 'type', 'schema_version', 'occurred_at', 'aggregate_id', 'aggregate_version', 'company_id',
          'user_id', 'company_visible', 'actor', 'correlation_id', 'causation_id', 'data',
        ]),
      );
      expect(event.company_id).toBe(7);
    }
    const appCreated = events.find((e) => e.type === 'contact.created' && e.actor.scope === 'user');
    expect(appCreated?.company_visible).toBe(false);
    const companyCreated = events.find((e) => e.type === 'contact.created' && e.actor.scope === 'company');
    expect(companyCreated?.company_visible).toBe(true);
  });
});
