// What the store keeps per breaker key, and the one operation both backends apply to it inside
// their write transaction (SQLite) or under the row's lock (PostgreSQL): outcomes recorded, then
// optionally a probe acquired. Pure: the backends only load and save the JSON.
import type { BreakerConfig } from './config.js';
import { BreakerMachine, type Acquired, type BreakerData, type BreakerStateName, type CallOutcome, type Transition } from './machine.js';
import { FAILED, SLOW, percent } from './window.js';

/** One breaker as stored. */
export interface BreakerRecord {
  key: string;
  data: BreakerData;
  updatedAt: number;
}

export interface UpdateBreakerArgs {
  key: string;
  /** The breaker's options (not stored: every worker passes its own, normally the same). */
  config: BreakerConfig;
  now: number;
  /** Outcomes to count, in order; `holder` names the probe lease a probe call settles. */
  outcomes?: ReadonlyArray<{ outcome: CallOutcome; holder?: string }>;
  /** Then: may `holder` start a call now (granting a probe lease of leaseMs when half-open)? */
  acquire?: { holder: string; leaseMs: number };
}

export interface BreakerUpdate {
  record: BreakerRecord;
  /** The state changes this update made, in order (for the breaker.* events). */
  transitions: Transition[];
  acquired?: Acquired;
}

/** Applies an update to the stored data (null: a key never seen, closed and empty). */
export function applyBreakerUpdate(
  current: BreakerData | null,
  args: UpdateBreakerArgs,
): { data: BreakerData; transitions: Transition[]; acquired?: Acquired } {
  const machine = new BreakerMachine(args.config, current ?? undefined);
  const transitions: Transition[] = [];
  for (const { outcome, holder } of args.outcomes ?? []) machine.record(args.now, outcome, holder, transitions);
  const acquired = args.acquire ? machine.acquire(args.now, args.acquire.holder, args.acquire.leaseMs, transitions) : undefined;
  return acquired === undefined ? { data: machine.toData(), transitions } : { data: machine.toData(), transitions, acquired };
}

/** A breaker for people (`lifeline breakers`): the state at `now`, the window's counts and rates. */
export interface BreakerSummary {
  key: string;
  state: BreakerStateName;
  calls: number;
  failures: number;
  slowCalls: number;
  failureRate: number;
  slowCallRate: number;
  /** While open: when probes may start. */
  openUntil: number | null;
  probesHeld: number;
  reason: string;
  changedAt: number;
  updatedAt: number;
}

export function summarizeBreaker(record: BreakerRecord, now: number): BreakerSummary {
  const { data } = record;
  let calls = 0;
  let failures = 0;
  let slowCalls = 0;
  if ('marks' in data.window) {
    for (const m of data.window.marks) {
      calls++;
      failures += m & FAILED;
      slowCalls += (m & SLOW) >> 1;
    }
  } else for (const [, c, f, s] of data.window.buckets) [calls, failures, slowCalls] = [calls + c, failures + f, slowCalls + s];
  const state: BreakerStateName = data.state === 'open' && now >= data.openUntil ? 'half_open' : data.state;
  return {
    key: record.key,
    state,
    calls,
    failures,
    slowCalls,
    failureRate: percent(failures, calls),
    slowCallRate: percent(slowCalls, calls),
    openUntil: data.state === 'open' ? data.openUntil : null,
    probesHeld: data.probes.filter((p) => p.expiresAt > now).length,
    reason: data.reason,
    changedAt: data.changedAt,
    updatedAt: record.updatedAt,
  };
}
