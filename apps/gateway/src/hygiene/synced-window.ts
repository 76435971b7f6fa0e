/**
 * Fixed-window rate limiting counted locally and shared through a store (Redis) in the background.
 *
 * Every instance decides from its own view of each key's window — the shared count it last read
 * plus what it admitted since — so an admitted request costs no round trip. Every `syncIntervalMs`
 * the instance adds what it admitted to the shared counts in one batch and reads them back (which
 * includes the other instances' requests). An instance never holds more than `localBudget`
 * unshared points for a key: a request that would go past it waits for a sync first, so across
 * N instances a key is admitted at most `points + N × max(localBudget, cost)` per window, and a
 * single instance is exact. Windows start at a key's first request (the store's key expiry is the
 * window, as with rate-limiter-flexible's fixed window), so all instances share one window per key.
 */

export interface StoreEntry {
  key: string;
  points: number;
}

export interface StoreCount {
  /** The shared count of the key's current window, including the points just added. */
  count: number;
  /** Milliseconds until that window ends. */
  msLeft: number;
}

/** Where instances share their counts; one call per sync, for every key with unshared points. */
export interface WindowStore {
  /** Adds each entry's points to its key's window (a new window lasts `windowMs`); answers in order. */
  add(entries: StoreEntry[], windowMs: number): Promise<StoreCount[]>;
  /** False while the store is known to be unreachable: decide locally without waiting for it. */
  available(): boolean;
}

export interface Decision {
  allowed: boolean;
  /** Points left in the window after this request (0 when refused). */
  remaining: number;
  msBeforeReset: number;
}

export interface SyncedWindowOptions {
  points: number;
  windowMs: number;
  /** Unshared points an instance may admit per key before it must sync; at least 1. */
  localBudget: number;
  store: WindowStore;
  now?: () => number;
  /** Called when a sync fails (the counts stay local and are retried next time). */
  onSyncError?: (error: unknown) => void;
}

export interface SyncedWindowLimiter {
  consume(key: string, cost: number): Promise<Decision>;
  /**
   * The same decision as `consume`, taken at once when it needs no sync first (the common case);
   * undefined when the request must wait for one (then call `consume`). Saves a promise per request.
   */
  tryConsume(key: string, cost: number): Decision | undefined;
  /** Shares the unshared points of every key now (also what the interval timer calls). */
  sync(): Promise<void>;
  /** Keys with a live window in this instance (for tests and metrics). */
  size(): number;
}

const MAX_SYNC_ROUNDS = 8;

interface KeyState {
  resetAt: number;
  /** The store's count at the last sync (every instance's points). */
  shared: number;
  /** Admitted here, on the way to the store. */
  inflight: number;
  /** Admitted here, not yet sent. */
  pending: number;
}

export function createSyncedWindowLimiter(options: SyncedWindowOptions): SyncedWindowLimiter {
  const { points, windowMs, store } = options;
  const budget = Math.max(1, Math.floor(options.localBudget));
  const now = options.now ?? Date.now;
  const states = new Map<string, KeyState>();
  let syncing: Promise<void> | undefined;

  function stateOf(key: string, t: number): KeyState {
    let state = states.get(key);
    if (!state || state.resetAt <= t) {
      state = { resetAt: t + windowMs, shared: 0, inflight: 0, pending: 0 };
      states.set(key, state);
    }
    return state;
  }

  function decide(state: KeyState, cost: number, t: number): Decision {
    const used = state.shared + state.inflight + state.pending;
    const msBeforeReset = state.resetAt - t;
    if (used + cost > points) return { allowed: false, remaining: Math.max(0, points - used), msBeforeReset };
    state.pending += cost;
    return { allowed: true, remaining: points - used - cost, msBeforeReset };
  }

  async function runSync(): Promise<void> {
    const t = now();
    const sent: [string, KeyState][] = [];
    for (const [key, state] of states) {
      if (state.resetAt <= t) states.delete(key);
      else if (state.pending > 0) sent.push([key, state]);
    }
    if (sent.length === 0 || !store.available()) return;
    const entries = sent.map(([key, state]) => {
      state.inflight = state.pending;
      state.pending = 0;
      return { key, points: state.inflight };
    });
    try {
      const counts = await store.add(entries, windowMs);
      const at = now();
      sent.forEach(([key, state], i) => {
        const answer = counts[i];
        // A window that ended locally meanwhile was replaced by a fresh state: leave that one be.
        if (!answer || states.get(key) !== state) return;
        state.shared = answer.count;
        state.inflight = 0;
        state.resetAt = at + answer.msLeft;
      });
    } catch (error) {
      for (const [, state] of sent) {
        state.pending += state.inflight;
        state.inflight = 0;
      }
      options.onSyncError?.(error);
    }
  }

  function sync(): Promise<void> {
    // Concurrent callers share the sync in flight rather than queueing more round trips.
    syncing ??= runSync().finally(() => {
      syncing = undefined;
    });
    return syncing;
  }

  function mustSync(state: KeyState, cost: number): boolean {
    return state.pending !== 0 && state.pending + cost > budget && store.available();
  }

  return {
    tryConsume(key, cost) {
      const t = now();
      const state = stateOf(key, t);
      return mustSync(state, cost) ? undefined : decide(state, cost, t);
    },
    async consume(key, cost) {
      // Past the budget, wait for the store (requests waiting together share each round trip);
      // bounded, so a store that is slow rather than down cannot stall a request forever.
      for (let round = 0; round < MAX_SYNC_ROUNDS; round++) {
        const state = stateOf(key, now());
        if (!mustSync(state, cost)) break;
        await sync();
      }
      const t = now();
      return decide(stateOf(key, t), cost, t);
    },
    sync,
    size: () => states.size,
  };
}
