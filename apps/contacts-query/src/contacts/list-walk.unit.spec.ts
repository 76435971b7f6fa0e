import type { ContactReadDoc, PriorSortKeys } from '@reps/contacts-read-model';
import { ConflictError } from '@reps/errors';
import { decodeCursor, encodeCursor } from './list-cursor';
import { parseContactListQuery as parseListQuery } from '@reps/contracts';
import { pageOfWalk, planList, WALK_CHANGED_MAX } from './list-walk';

const scope = { scope: 'user', tenant: 7, userId: 42 } as const;
const T0 = 1_000_000;

function doc(id: number, ln: string, u: number, prior: PriorSortKeys[] = []): ContactReadDoc {
  return { _id: `7:${id}`, id, _c: 10 + id, _u: u, _ln: ln, _prior: prior } as unknown as ContactReadDoc;
}

function walk(sort: string, limit: number, startedAt: number, after?: { key: number | string; id: number }) {
  const query = parseListQuery({ sort, limit: String(limit) });
  const cursorText = after ? encodeCursor(query, after, startedAt) : undefined;
  const withCursor = { ...query, cursor: cursorText };
  const cursor = decodeCursor(withCursor, T0 + 1);
  return { query: withCursor, cursor, plan: planList(scope, withCursor, cursor, startedAt) };
}

describe('a page of a walk over a mutable sort key', () => {
  it('places a contact renamed during the walk where it was when the walk began', () => {
    // given a walk by last_name that began at T0 and has shown up to "bell"
    const { query, cursor, plan } = walk('last_name', 2, T0, { key: 'bell', id: 2 });
    // when "cole" was renamed "zane" after T0, and "ames" (already shown) was renamed "dunn"
    const settled = [doc(4, 'eddy', 50)];
    const changed = [doc(3, 'zane', T0 + 10, [{ t: T0 + 10, u: 30, ln: 'cole' }]), doc(1, 'dunn', T0 + 20, [{ t: T0 + 20, u: 10, ln: 'ames' }])];
    // then the page is "cole" (as it was) then "eddy"; "ames" is not shown again
    const page = pageOfWalk(query, plan, cursor, settled, changed);
    expect(page.rows.map((row) => row.id)).toEqual([3, 4]);
    expect(page.next).toBeNull();
  });

  it('places a contact updated during the walk by its updated_at at the start, newest first', () => {
    const { query, cursor, plan } = walk('-updated_at', 2, T0);
    const settled = [doc(1, 'a', 900), doc(2, 'b', 800), doc(3, 'c', 700)];
    const changed = [doc(4, 'd', T0 + 5, [{ t: T0 + 5, u: 850, ln: 'd' }])];
    const page = pageOfWalk(query, plan, cursor, settled, changed);
    expect(page.rows.map((row) => row.id)).toEqual([1, 4]);
    // the cursor carries the walk's key (850), not the current one
    expect(page.next).toEqual({ key: 850, id: 4 });
  });

  it('leaves out a contact created during the walk', () => {
    const { query, cursor, plan } = walk('updated_at', 5, T0);
    const created = { ...doc(9, 'new', T0 + 50, [{ t: T0 + 50, u: T0 + 20, ln: 'new' }]), _c: T0 + 20 };
    const page = pageOfWalk(query, plan, cursor, [doc(1, 'a', 100)], [created]);
    expect(page.rows.map((row) => row.id)).toEqual([1]);
  });

  it('does not show a contact twice when it changed between the two queries', () => {
    const { query, cursor, plan } = walk('last_name', 5, T0);
    const before = doc(1, 'ames', 10);
    const after = doc(1, 'zane', T0 + 1, [{ t: T0 + 1, u: 10, ln: 'ames' }]);
    expect(pageOfWalk(query, plan, cursor, [before], [after]).rows).toHaveLength(1);
  });

  it('orders last names by their bytes, as MongoDB does', () => {
    const { query, cursor, plan } = walk('last_name', 5, T0);
    const page = pageOfWalk(query, plan, cursor, [doc(1, 'b', 1)], [doc(2, 'B', T0 + 1, [{ t: T0 + 1, u: 1, ln: 'B' }]), doc(3, 'é', T0 + 2, [{ t: T0 + 2, u: 2, ln: 'é' }])]);
    expect(page.rows.map((row) => row._ln)).toEqual(['B', 'b', 'é']);
  });

  it('asks the client to start again when too many contacts changed since the walk began', () => {
    const { query, cursor, plan } = walk('updated_at', 5, T0);
    const changed = Array.from({ length: WALK_CHANGED_MAX + 1 }, (_, i) => doc(i + 1, 'x', T0 + 1, [{ t: T0 + 1, u: 5, ln: 'x' }]));
    expect(() => pageOfWalk(query, plan, cursor, [], changed)).toThrow(ConflictError);
  });
});
