import { BadRequestError } from '@reps/errors';
import { decodeCursor, encodeCursor } from './list-cursor';
import { buildListQuery, searchFilter } from './list-filter';
import { parseListQuery } from './list-query';
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

  it('round-trip the keyset position', () => {
    const cursor = encodeCursor(query, { _c: 1, _u: 2, _ln: 'smith', id: 9 });
    expect(decodeCursor({ ...query, cursor })).toMatchObject({ s: 'last_name', k: 'smith', i: 9 });
  });

  it('refuse garbage and cursors of another sort or other filters', () => {
    const cursor = encodeCursor(query, { _c: 1, _u: 2, _ln: 'smith', id: 9 });
    expect(badRequestFields(() => decodeCursor({ ...query, cursor: 'not-a-cursor' }))).toEqual(['cursor']);
    expect(badRequestFields(() => decodeCursor({ ...query, sort: '-last_name', cursor }))).toEqual(['cursor']);
    expect(badRequestFields(() => decodeCursor({ ...query, status: 'customer', cursor }))).toEqual(['cursor']);
  });
});

describe('buildListQuery', () => {
  it('scopes a user list to the owner and a company list to the tenant, hiding discarded by default', () => {
    expect(buildListQuery({ scope: 'user', tenant: 7, userId: 42 }, parseListQuery({})).filter).toEqual({
      tenant_company_id: 7,
      user_id: 42,
      _discarded: false,
    });
    const company = buildListQuery({ scope: 'company', tenant: 7 }, parseListQuery({ discarded: 'include' }));
    expect(company.filter).toEqual({ tenant_company_id: 7, _discarded: { $in: [false, true] } });
    expect(company.sort).toEqual({ _c: -1, id: -1 });
    expect(company.limit).toBe(26);
  });

  it('continues after the cursor row in (key, id) order', () => {
    const query = parseListQuery({ sort: 'updated_at' });
    const cursor = decodeCursor({ ...query, cursor: encodeCursor(query, { _c: 1, _u: 500, _ln: '', id: 3 }) });
    expect(buildListQuery({ scope: 'company', tenant: 7 }, query, cursor).filter.$and).toEqual([
      { $or: [{ _u: { $gt: 500 } }, { _u: 500, id: { $gt: 3 } }] },
    ]);
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

  it('rejects anything else', () => {
    expect(() => decodeConsistencyToken('garbage')).toThrow(BadRequestError);
    expect(() => decodeConsistencyToken(Buffer.from('c1:0:1').toString('base64url'))).toThrow(BadRequestError);
  });
});
