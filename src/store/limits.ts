// Shared limits per key (concurrency slots, call and token buckets, retry budgets): the records
// the Store methods take and return, and the one decision both backends make on the rows they
// locked. A backend reads the key rows under its lock (SQLite: the write transaction; PostgreSQL:
// row locks), asks decideAcquire / decideRelease here, and writes back what they return, so the
// arithmetic exists once and the backends differ only in how they lock.

/** One key's limits as configured, sent with every acquisition (and remembered for `lifeline limits`). */
export interface LimitSpec {
  key: string;
  /** At most this many attempts hold a slot of the key at once, over every worker. */
  concurrency?: number;
  /** The rate interval of `calls` and `tokens` and the retry budget's window. */
  intervalMs: number;
  /** Calls per interval (a token bucket of this capacity, refilled continuously). */
  calls?: number;
  /** Tokens per interval (a token bucket; a call reserves its estimate). */
  tokens?: number;
  retryBudget?: RetryBudgetSpec;
}

export interface RetryBudgetSpec {
  /** Retries allowed per success in the same window (0.2: one retry per five successes). */
  ratio: number;
  /** Retries allowed per window whatever the successes (so a quiet key can still retry). */
  minRetries: number;
  /** Once the Retry-After waits asked for in the window add up to more than this, no retry is granted. */
  maxRetryWaitMs?: number;
}

export interface AcquireLimitsArgs {
  /** Who holds the slots: one attempt (run, step, attempt). Acquiring again with the same holder replaces its slots. */
  holder: string;
  now: number;
  /** A slot expires this long after its acquisition or last renewal unless released. */
  leaseMs: number;
  limits: readonly LimitSpec[];
  /** Reserved from the token bucket of every key that has one. */
  estimatedTokens: number;
  /** This attempt is a retry: it spends the retry budget of every key that has one. */
  retry: boolean;
}

export type LimitKind = 'concurrency' | 'calls' | 'tokens';

export type LimitGrant =
  | { granted: true }
  /** Not now: `retryAt` is when the refusing limit expects room (for concurrency: the earliest slot lease's expiry). */
  | { granted: false; kind: LimitKind; key: string; retryAt: number; reason: string }
  /** A retry refused for good: the key's retry budget is spent. */
  | { granted: false; kind: 'retry_budget'; key: string; retryAt: null; reason: string };

export interface ReleaseLimitsArgs {
  holder: string;
  now: number;
  keys: ReadonlyArray<{
    key: string;
    /** Tokens given back to the bucket: the estimate minus what the call used (negative when it used more). */
    tokensBack?: number;
    /** The attempt succeeded: one more success in the retry budget's window. */
    success?: boolean;
    /** The attempt failed asking for this Retry-After wait: added to the window's total. */
    retryWaitMs?: number;
  }>;
}

/** What `lifeline limits` shows of one key, at `now`. */
export interface LimitKeyStatus {
  key: string;
  concurrency: number | null;
  inUse: number;
  intervalMs: number;
  calls: { capacity: number; left: number } | null;
  tokens: { capacity: number; left: number } | null;
  throttled: number;
  retryBudget: { successes: number; retries: number; retryWaitMs: number; refused: number };
}

/** A key row as stored, plus its live slots (not held by the asking holder) at `now`. */
export interface LimitKeyRow {
  key: string;
  concurrency: number | null;
  intervalMs: number;
  callsCapacity: number | null;
  callsLevel: number | null;
  callsAt: number | null;
  tokensCapacity: number | null;
  tokensLevel: number | null;
  tokensAt: number | null;
  throttled: number;
  budgetWindow: number | null;
  budgetSuccesses: number;
  budgetRetries: number;
  budgetWaitMs: number;
  budgetRefused: number;
}

export interface LimitKeyState extends LimitKeyRow {
  inUse: number;
  /** Earliest expiry of a live slot, null when none. */
  nextExpiry: number | null;
}

/** What a backend writes after a decision: the new key rows and the slots to insert for the holder. */
export interface LimitWrites {
  rows: LimitKeyRow[];
  slotKeys: string[];
}

/** A fresh key's row (the backend inserts it when missing, then decides on it like any other). */
export function emptyLimitRow(key: string): LimitKeyRow {
  return {
    key,
    concurrency: null,
    intervalMs: 60_000,
    callsCapacity: null,
    callsLevel: null,
    callsAt: null,
    tokensCapacity: null,
    tokensLevel: null,
    tokensAt: null,
    throttled: 0,
    budgetWindow: null,
    budgetSuccesses: 0,
    budgetRetries: 0,
    budgetWaitMs: 0,
    budgetRefused: 0,
  };
}

/** A bucket's level at `now`: full when never used, else refilled at capacity per interval, never above capacity. */
export function bucketLevel(capacity: number, level: number | null, at: number | null, intervalMs: number, now: number): number {
  if (level === null || at === null) return capacity;
  return Math.min(capacity, level + (Math.max(0, now - at) * capacity) / intervalMs);
}

/** When a bucket refilled from `level` holds `need` (epoch ms, rounded up). */
function whenAvailable(capacity: number, level: number, need: number, intervalMs: number, now: number): number {
  return now + Math.ceil(((need - level) * intervalMs) / capacity);
}

/** The retry budget's counters as of `now`'s window (a new window starts from zero). */
function budgetAt(row: LimitKeyRow, intervalMs: number, now: number) {
  const window = Math.floor(now / intervalMs);
  if (row.budgetWindow === window) return { window, successes: row.budgetSuccesses, retries: row.budgetRetries, waitMs: row.budgetWaitMs };
  return { window, successes: 0, retries: 0, waitMs: 0 };
}

/**
 * All or nothing: the attempt gets a slot of every key with a concurrency limit, a call from
 * every calls bucket and its estimate from every tokens bucket, or nothing at all. A retry is
 * first checked against every key's retry budget. `states` holds one locked row per spec key.
 */
export function decideAcquire(args: AcquireLimitsArgs, states: ReadonlyMap<string, LimitKeyState>): { grant: LimitGrant; writes: LimitWrites } {
  const { now } = args;
  const rows = new Map<string, LimitKeyRow>();
  for (const spec of args.limits) {
    const state = states.get(spec.key);
    if (state === undefined) throw new Error(`decideAcquire: no row read for key "${spec.key}"`);
    const { inUse: _inUse, nextExpiry: _next, ...row } = state;
    rows.set(spec.key, {
      ...row,
      concurrency: spec.concurrency ?? null,
      intervalMs: spec.intervalMs,
      callsCapacity: spec.calls ?? null,
      tokensCapacity: spec.tokens ?? null,
    });
  }
  const writes = (slotKeys: string[]): LimitWrites => ({ rows: [...rows.values()], slotKeys });

  if (args.retry) {
    for (const spec of args.limits) {
      const budget = spec.retryBudget;
      if (budget === undefined) continue;
      const row = rows.get(spec.key)!;
      const b = budgetAt(row, spec.intervalMs, now);
      const allowed = budget.minRetries + budget.ratio * b.successes;
      const waitSpent = budget.maxRetryWaitMs !== undefined && b.waitMs > budget.maxRetryWaitMs;
      if (b.retries < allowed && !waitSpent) continue;
      rows.set(spec.key, {
        ...row,
        budgetWindow: b.window,
        budgetSuccesses: b.successes,
        budgetRetries: b.retries,
        budgetWaitMs: b.waitMs,
        budgetRefused: row.budgetRefused + 1,
      });
      const reason = waitSpent
        ? `retry budget of "${spec.key}" spent: Retry-After waits of ${b.waitMs} ms in this window exceed maxRetryWaitMs ${budget.maxRetryWaitMs}`
        : `retry budget of "${spec.key}" spent: ${b.retries} retries for ${b.successes} successes in this window (ratio ${budget.ratio}, minimum ${budget.minRetries})`;
      return { grant: { granted: false, kind: 'retry_budget', key: spec.key, retryAt: null, reason }, writes: writes([]) };
    }
  }

  const refusals: Array<{ kind: LimitKind; key: string; retryAt: number; reason: string }> = [];
  const taken = new Map<string, Partial<LimitKeyRow>>();
  for (const spec of args.limits) {
    const state = states.get(spec.key)!;
    const change: Partial<LimitKeyRow> = {};
    if (spec.concurrency !== undefined && state.inUse >= spec.concurrency) {
      refusals.push({
        kind: 'concurrency',
        key: spec.key,
        retryAt: state.nextExpiry ?? now + 1,
        reason: `"${spec.key}": ${state.inUse} of ${spec.concurrency} concurrent calls in use`,
      });
    }
    if (spec.calls !== undefined) {
      const level = bucketLevel(spec.calls, state.callsLevel, state.callsAt, spec.intervalMs, now);
      if (level >= 1) Object.assign(change, { callsLevel: level - 1, callsAt: now });
      else
        refusals.push({
          kind: 'calls',
          key: spec.key,
          retryAt: whenAvailable(spec.calls, level, 1, spec.intervalMs, now),
          reason: `"${spec.key}": ${spec.calls} calls per ${spec.intervalMs} ms used up`,
        });
    }
    if (spec.tokens !== undefined && args.estimatedTokens > 0) {
      const level = bucketLevel(spec.tokens, state.tokensLevel, state.tokensAt, spec.intervalMs, now);
      if (level >= args.estimatedTokens) Object.assign(change, { tokensLevel: level - args.estimatedTokens, tokensAt: now });
      else
        refusals.push({
          kind: 'tokens',
          key: spec.key,
          retryAt: whenAvailable(spec.tokens, level, args.estimatedTokens, spec.intervalMs, now),
          reason: `"${spec.key}": ${Math.floor(Math.max(0, level))} of ${spec.tokens} tokens per ${spec.intervalMs} ms left, ${args.estimatedTokens} needed`,
        });
    }
    taken.set(spec.key, change);
  }

  if (refusals.length > 0) {
    // The call can only go when every limit has room: the latest of the expected times.
    const last = refusals.reduce((a, b) => (b.retryAt > a.retryAt ? b : a));
    for (const key of new Set(refusals.map((r) => r.key))) {
      const row = rows.get(key)!;
      rows.set(key, { ...row, throttled: row.throttled + 1 });
    }
    return {
      grant: { granted: false, kind: last.kind, key: last.key, retryAt: last.retryAt, reason: refusals.map((r) => r.reason).join('; ') },
      writes: writes([]),
    };
  }

  for (const spec of args.limits) {
    let row = { ...rows.get(spec.key)!, ...taken.get(spec.key) };
    if (args.retry && spec.retryBudget !== undefined) {
      const b = budgetAt(row, spec.intervalMs, now);
      row = { ...row, budgetWindow: b.window, budgetSuccesses: b.successes, budgetRetries: b.retries + 1, budgetWaitMs: b.waitMs };
    }
    rows.set(spec.key, row);
  }
  return { grant: { granted: true }, writes: writes(args.limits.filter((s) => s.concurrency !== undefined).map((s) => s.key)) };
}

/** The rows after an attempt released its limits: tokens reconciled, successes and Retry-After waits counted. */
export function decideRelease(args: ReleaseLimitsArgs, rows: ReadonlyMap<string, LimitKeyRow>): LimitKeyRow[] {
  const out: LimitKeyRow[] = [];
  for (const entry of args.keys) {
    let row = rows.get(entry.key);
    if (row === undefined) continue;
    if (entry.tokensBack !== undefined && entry.tokensBack !== 0 && row.tokensLevel !== null) {
      row = { ...row, tokensLevel: row.tokensLevel + entry.tokensBack };
    }
    if (entry.success === true || (entry.retryWaitMs ?? 0) > 0) {
      const b = budgetAt(row, row.intervalMs, args.now);
      row = {
        ...row,
        budgetWindow: b.window,
        budgetRetries: b.retries,
        budgetSuccesses: b.successes + (entry.success === true ? 1 : 0),
        budgetWaitMs: b.waitMs + Math.max(0, Math.round(entry.retryWaitMs ?? 0)),
      };
    }
    out.push(row);
  }
  return out;
}

/** A key's status for `lifeline limits`, buckets refilled to `now`. */
export function toLimitStatus(state: LimitKeyState, now: number): LimitKeyStatus {
  const b = budgetAt(state, state.intervalMs, now);
  const bucket = (capacity: number | null, level: number | null, at: number | null) =>
    capacity === null ? null : { capacity, left: Math.floor(bucketLevel(capacity, level, at, state.intervalMs, now)) };
  return {
    key: state.key,
    concurrency: state.concurrency,
    inUse: state.inUse,
    intervalMs: state.intervalMs,
    calls: bucket(state.callsCapacity, state.callsLevel, state.callsAt),
    tokens: bucket(state.tokensCapacity, state.tokensLevel, state.tokensAt),
    throttled: state.throttled,
    retryBudget: { successes: b.successes, retries: b.retries, retryWaitMs: b.waitMs, refused: state.budgetRefused },
  };
}

/** Keys in one order everywhere, so two acquisitions lock shared keys in the same order (no deadlock). */
export function sortedKeys(keys: Iterable<string>): string[] {
  return [...new Set(keys)].sort();
}
