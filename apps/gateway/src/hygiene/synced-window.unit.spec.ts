import { createSyncedWindowLimiter, type StoreEntry, type WindowStore } from './synced-window';

/** A store shared by several limiters (the role Redis plays), with a hand-moved clock. */
function sharedStore(clock: { now: number }) {
  const counts = new Map<string, { count: number; resetAt: number }>();
  let up = true;
  let calls = 0;
  const store: WindowStore = {
    available: () => up,
    async add(entries: StoreEntry[], windowMs: number) {
      calls += 1;
      if (!up) throw new Error('store down');
      return entries.map(({ key, points }) => {
        let entry = counts.get(key);
        if (!entry || entry.resetAt <= clock.now)
          counts.set(key, (entry = { count: 0, resetAt: clock.now + windowMs }));
        entry.count += points;
        return { count: entry.count, msLeft: entry.resetAt - clock.now };
      });
    },
  };
  return {
    store,
    counts,
    calls: () => calls,
    setUp: (value: boolean) => (up = value),
  };
}

function setup(points: number, localBudget: number) {
  const clock = { now: 1_000_000 };
  const shared = sharedStore(clock);
  const limiter = () =>
    createSyncedWindowLimiter({
      points,
      windowMs: 60_000,
      localBudget,
      store: shared.store,
      now: () => clock.now,
    });
  return { clock, shared, limiter };
}

async function consumeMany(limiter: ReturnType<ReturnType<typeof setup>['limiter']>, key: string, n: number) {
  const allowed: boolean[] = [];
  for (let i = 0; i < n; i++) allowed.push((await limiter.consume(key, 1)).allowed);
  return allowed;
}

describe('synced window limiter', () => {
  it('given one instance, admits exactly the limit per window without waiting for the store', async () => {
    const { shared, limiter } = setup(100, 10);
    const one = limiter();
    const first = await one.consume('k', 1);
    expect(first).toEqual({ allowed: true, remaining: 99, msBeforeReset: 60_000 });
    // Under the budget nothing waits on the store; the background sync carries the counts.
    for (let i = 0; i < 8; i++) await one.consume('k', 1);
    expect(shared.calls()).toBe(0);
    const rest = await consumeMany(one, 'k', 100);
    expect(rest.filter(Boolean)).toHaveLength(91);
    expect(await one.consume('k', 1)).toMatchObject({ allowed: false, remaining: 0 });
    await one.sync();
    expect(shared.counts.get('k')?.count).toBe(100);
  });

  it('when a request would pass the local budget, it waits for a sync first', async () => {
    const { shared, limiter } = setup(100, 5);
    const one = limiter();
    await consumeMany(one, 'k', 5);
    expect(shared.calls()).toBe(0);
    await one.consume('k', 1);
    expect(shared.calls()).toBe(1);
    expect(shared.counts.get('k')?.count).toBe(5);
  });

  it('tryConsume decides at once under the budget and defers (undefined, nothing counted) when a sync is due', async () => {
    const { shared, limiter } = setup(100, 5);
    const one = limiter();
    for (let i = 0; i < 5; i++)
      expect(one.tryConsume('k', 1)).toMatchObject({ allowed: true, remaining: 99 - i });
    expect(one.tryConsume('k', 1)).toBeUndefined();
    expect(shared.calls()).toBe(0);
    expect(await one.consume('k', 1)).toMatchObject({ allowed: true, remaining: 94 });
    expect(shared.calls()).toBe(1);
    expect(shared.counts.get('k')?.count).toBe(5);
  });

  it('given two instances, each sees the other after a sync and the pair stays within limit + 2 × budget', async () => {
    const { shared, limiter } = setup(100, 5);
    const a = limiter();
    const b = limiter();
    expect((await consumeMany(a, 'k', 60)).every(Boolean)).toBe(true);
    await a.sync();
    // b has never seen the key: it admits on its own view only until its budget is spent.
    const fromB = await consumeMany(b, 'k', 60);
    expect(fromB.filter(Boolean)).toHaveLength(40);
    await b.sync();
    expect(shared.counts.get('k')?.count).toBe(100);
    // Interleaved, without explicit syncs: the budget bounds what both admit together.
    const c = limiter();
    const d = limiter();
    let admitted = 0;
    for (let i = 0; i < 150; i++) {
      if ((await c.consume('other', 1)).allowed) admitted++;
      if ((await d.consume('other', 1)).allowed) admitted++;
    }
    expect(admitted).toBeGreaterThanOrEqual(100);
    expect(admitted).toBeLessThanOrEqual(100 + 2 * 5);
  });

  it('charges a request its cost and refuses one larger than what is left', async () => {
    const { limiter } = setup(20, 1);
    const one = limiter();
    expect(await one.consume('k', 10)).toMatchObject({ allowed: true, remaining: 10 });
    expect(await one.consume('k', 11)).toMatchObject({ allowed: false, remaining: 10 });
    expect(await one.consume('k', 10)).toMatchObject({ allowed: true, remaining: 0 });
  });

  it('starts a new window when the old one ends, adopting the store window of other instances', async () => {
    const { clock, limiter } = setup(3, 1);
    const a = limiter();
    const b = limiter();
    expect(await consumeMany(a, 'k', 4)).toEqual([true, true, true, false]);
    await a.sync();
    clock.now += 30_000;
    // b joins mid-window: after its forced sync it knows the window ends in 30 s, not 60.
    await b.consume('k', 1);
    const refused = await b.consume('k', 1);
    expect(refused).toMatchObject({ allowed: false, msBeforeReset: 30_000 });
    clock.now += 30_000;
    expect(await consumeMany(a, 'k', 4)).toEqual([true, true, true, false]);
  });

  it('when the store is down, keeps limiting with the same numbers and shares the counts once it is back', async () => {
    const errors: unknown[] = [];
    const clock = { now: 0 };
    const shared = sharedStore(clock);
    const one = createSyncedWindowLimiter({
      points: 3,
      windowMs: 60_000,
      localBudget: 1,
      store: shared.store,
      now: () => clock.now,
      onSyncError: (error) => errors.push(error),
    });
    shared.setUp(false);
    expect(await consumeMany(one, 'k', 5)).toEqual([true, true, true, false, false]);
    await one.sync();
    expect(shared.calls()).toBe(0);
    shared.setUp(true);
    await one.sync();
    expect(shared.counts.get('k')?.count).toBe(3);
    // A store that fails mid-call (not known to be down) keeps the counts for the next sync.
    await one.consume('j', 1);
    const flaky = shared.store.add;
    shared.store.add = () => Promise.reject(new Error('reset'));
    await one.sync();
    expect(errors).toHaveLength(1);
    shared.store.add = flaky;
    await one.sync();
    expect(shared.counts.get('j')?.count).toBe(1);
  });

  it('forgets keys whose window ended', async () => {
    const { clock, limiter } = setup(10, 5);
    const one = limiter();
    await one.consume('a', 1);
    await one.consume('b', 1);
    expect(one.size()).toBe(2);
    clock.now += 60_000;
    await one.sync();
    expect(one.size()).toBe(0);
  });
});
