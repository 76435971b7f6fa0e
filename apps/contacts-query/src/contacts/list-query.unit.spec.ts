import { BadRequestError } from '@reps/errors';
import { decodeCursor, encodeCursor } from './list-cursor';
import { searchFilter } from './list-filter';
import { planList } from './list-walk';
import { parseContactListQuery as parseListQuery } from '@reps/contracts';
import { decodeConsistencyToken } from './consistency-token';

function badRequestFields(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequestError);
    return (error as BadRequestError).details!.map((d) => d.field);
  }
  throw new Error('expected a 400');
}

describe('parseListQuery', () => {
  it('applies the defaults', () => {
    expect(parseListQuery({})).toEqual({ limit: 25, discarded: 'exclude', sort: '-created_at' });
  });

  it('parses every filter', () => {
    expect(
      parseListQuery({
        limit: '100',
        status: 'lead',
        lead_type: 'hot',
        group_id: '12',
        q: '  Jane ',
        updated_since: '2025-06-01T00:00:00Z',
        discarded: 'only',
        sort: '-last_name',
      }),
    ).toEqual({
      limit: 100,
      status: 'lead',
      lead_type: 'hot',
      group_id: 12,
      q: 'Jane',
      updated_since: '2025-06-01T00:00:00Z',
      discarded: 'only',
      sort: '-last_name',
    });
  });

  it.each([
    [{ limit: '0' }, ['limit']],
    [{ limit: '101' }, ['limit']],
    [{ limit: 'ten' }, ['limit']],
    [{ status: 'gone' }, ['status']],
    [{ sort: 'email' }, ['sort']],
    [{ discarded: 'yes' }, ['discarded']],
    [{ updated_since: 'yesterday' }, ['updated_since']],
    [{ q: '   ' }, ['q']],
    [{ status: ['lead', 'hot'] }, ['status']],
    [{ page: '2', foo: 'x' }, ['page', 'foo']],
  ])('rejects %j naming %j', (raw, fields) => {
    expect(badRequestFields(() => parseListQuery(raw)).sort()).toEqual([...fields].sort());
  });
});

describe('cursors', () => {
  const query = parseListQuery({ sort: 'last_name', status: 'lead' });
  const now = Date.UTC(2026, 0, 1);
  const day = 24 * 60 * 60 * 1000;

  it('round-trip the keyset position and when the walk began', () => {
    const cursor = encodeCursor(query, { key: 'smith', id: 9 }, now);
    expect(decodeCursor({ ...query, cursor }, now)).toMatchObject({ s: 'last_name', k: 'smith', i: 9, t: now });
  });

  it('refuse garbage and cursors of another sort or other filters', () => {
    const cursor = encodeCursor(query, { key: 'smith', id: 9 }, now);
    expect(badRequestFields(() => decodeCursor({ ...query, cursor: 'not-a-cursor' }, now))).toEqual(['cursor']);
    expect(badRequestFields(() => decodeCursor({ ...query, sort: '-last_name', cursor }, now))).toEqual(['cursor']);
    expect(badRequestFields(() => decodeCursor({ ...query, status: 'customer', cursor }, now))).toEqual(['cursor']);
  });

  it('expire after a day on a mutable sort key, never on created_at', () => {
    const cursor = encodeCursor(query, { key: 'smith', id: 9 }, now);
    expect(decodeCursor({ ...query, cursor }, now + day)).toBeDefined();
    expect(badRequestFields(() => decodeCursor({ ...query, cursor }, now + day + 1))).toEqual(['cursor']);
    const byCreation = parseListQuery({ sort: 'created_at' });
    const old = encodeCursor(byCreation, { key: 5, id: 9 }, now);
    expect(decodeCursor({ ...byCreation, cursor: old }, now + 30 * day)).toMatchObject({ k: 5, i: 9 });
  });
});

describe('planList', () => {
  const now = 1_000_000;

  it('scopes a user list to the owner and a company list to the tenant, hiding discarded by default', () => {
    expect(planList({ scope: 'user', tenant: 7, userId: 42 }, parseListQuery({}), undefined, now).settled.filter).toEqual({
      tenant_company_id: 7,
      user_id: 42,
      _discarded: false,
    });
    const company = planList({ scope: 'company', tenant: 7 }, parseListQuery({ discarded: 'include' }), undefined, now);
    expect(company.settled.filter).toEqual({ tenant_company_id: 7, _discarded: { $in: [false, true] } });
    expect(company.settled.sort).toEqual({ _c: -1, id: -1 });
    expect(company.settled.limit).toBe(26);
    expect(company.changed).toBeUndefined();
  });

  it('continues after the cursor row in (key, id) order', () => {
    const query = parseListQuery({ sort: 'created_at' });
    const cursor = decodeCursor({ ...query, cursor: encodeCursor(query, { key: 500, id: 3 }, now) }, now);
    expect(planList({ scope: 'company', tenant: 7 }, query, cursor, now).settled.filter.$and).toEqual([
      { $or: [{ _c: { $gt: 500 } }, { _c: 500, id: { $gt: 3 } }] },
    ]);
  });

  it('splits a walk on a mutable key at the instant it began: settled rows by index, changed ones apart', () => {
    const query = parseListQuery({ sort: '-updated_at', updated_since: '1970-01-01T00:00:00.100Z', q: 'jane' });
    const started = now - 5000;
    const cursor = decodeCursor({ ...query, cursor: encodeCursor(query, { key: 700, id: 3 }, started) }, now);
    const plan = planList({ scope: 'user', tenant: 7, userId: 42 }, query, cursor, now);
    expect(plan.walkStartedAt).toBe(started);
    expect(plan.settled.filter._u).toEqual({ $gte: 100, $lte: started });
    expect(plan.settled.filter.$and).toEqual([
      { _search: { $regex: 'jane' } },
      { $or: [{ _u: { $lt: 700 } }, { _u: 700, id: { $lt: 3 } }] },
    ]);
    const first = planList({ scope: 'user', tenant: 7, userId: 42 }, query, undefined, now);
    expect(first.settled.filter._u).toEqual({ $gte: 100, $lte: now });
    expect(first.changed).toBeUndefined(); // nothing has changed since a walk that begins now
    expect(plan.changed?.filter).toEqual({
      tenant_company_id: 7,
      user_id: 42,
      _discarded: false,
      _u: { $gte: 100, $gt: started },
      _c: { $lte: started },
      $and: [{ _search: { $regex: 'jane' } }],
    });
  });

  it('searches names and emails as lower-cased text, phones by digits', () => {
    expect(searchFilter('Jane.S')).toEqual({ _search: { $regex: 'jane\\.s' } });
    expect(searchFilter('(555) 123')).toEqual({ $or: [{ _search: { $regex: '\\(555\\) 123' } }, { _phone: { $regex: '555123' } }] });
  });
});

describe('decodeConsistencyToken', () => {
  it('reads what contacts-command writes', () => {
    const header = Buffer.from('c1:123:4').toString('base64url');
    expect(decodeConsistencyToken(header)).toEqual({ contactId: 123, version: 4 });
  });

  it('reads a group write’s token too', () => {
    expect(decodeConsistencyToken(Buffer.from('g1:77:2').toString('base64url'))).toEqual({ groupId: 77, version: 2 });
    expect(() => decodeConsistencyToken(Buffer.from('x1:77:2').toString('base64url'))).toThrow(BadRequestError);
  });

  it('rejects anything else', () => {
    expect(() => decodeConsistencyToken('garbage')).toThrow(BadRequestError);
    expect(() => decodeConsistencyToken(Buffer.from('c1:0:1').toString('base64url'))).toThrow(BadRequestError);
  });
});
