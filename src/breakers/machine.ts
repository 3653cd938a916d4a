// The circuit breaker's state machine, pure (time is passed in): closed with a sliding window,
// open until a cool-down (or a quota reset) ends, then half-open with N probe calls granted as
// leases to named holders. The in-process `circuitBreaker` runs one in memory; the store-backed
// breakers load one from the store, apply an operation and save it in one write transaction.
import { FAILED, SLOW, makeWindow, percent, type OutcomeWindow, type WindowData } from './window.js';
import type { BreakerConfig } from './config.js';

export type BreakerStateName = 'closed' | 'open' | 'half_open';

/** A granted half-open probe: its holder must settle it before `expiresAt`, or it is granted again. */
export interface ProbeLease {
  holder: string;
  expiresAt: number;
}

/** The machine as JSON (what the store keeps per key). */
export interface BreakerData {
  state: BreakerStateName;
  /** While open: when probes may start (end of the cool-down, or the quota reset). */
  openUntil: number;
  changedAt: number;
  reason: string;
  window: WindowData;
  probes: ProbeLease[];
  probeSuccesses: number;
}

/** What one call did, as the breaker counts it. */
export type CallOutcome =
  | { kind: 'success'; durationMs: number }
  /** A failure of a counted class; `retryAfterMs`: the dependency said when it may be called again (a quota reset). */
  | { kind: 'failure'; durationMs: number; retryAfterMs?: number }
  /** Neither (validation, logic, cancelled, abandoned): frees a probe, counts nothing. */
  | { kind: 'ignored' };

export interface Transition {
  from: BreakerStateName;
  to: BreakerStateName;
  at: number;
  reason: string;
  /** When the breaker opened: until when, and the window's rates. */
  openUntil?: number;
  failureRate?: number;
  slowCallRate?: number;
  calls?: number;
}

export type Acquired = { admitted: true; probe: boolean } | { admitted: false; retryAt: number; reason: string; state: BreakerStateName };

export class BreakerMachine {
  state: BreakerStateName;
  openUntil: number;
  changedAt: number;
  reason: string;
  probes: ProbeLease[];
  probeSuccesses: number;
  /** Bumped on every transition: an in-process call admitted in an earlier state does not vote. */
  generation = 0;
  readonly window: OutcomeWindow;

  constructor(
    readonly config: BreakerConfig,
    data?: BreakerData,
  ) {
    this.state = data?.state ?? 'closed';
    this.openUntil = data?.openUntil ?? 0;
    this.changedAt = data?.changedAt ?? 0;
    this.reason = data?.reason ?? '';
    this.probes = data?.probes ? [...data.probes] : [];
    this.probeSuccesses = data?.probeSuccesses ?? 0;
    this.window = makeWindow(config.window, data?.window);
  }

  toData(): BreakerData {
    const { state, openUntil, changedAt, reason, probes, probeSuccesses } = this;
    return { state, openUntil, changedAt, reason, window: this.window.toData(), probes, probeSuccesses };
  }

  /** The state at `now`: an open breaker whose cool-down is over reads as half-open. */
  stateAt(now: number): BreakerStateName {
    return this.state === 'open' && now >= this.openUntil ? 'half_open' : this.state;
  }

  failureRate(): number {
    return percent(this.window.failures, this.window.calls);
  }

  slowCallRate(): number {
    return percent(this.window.slow, this.window.calls);
  }

  /**
   * May a call start at `now`? Closed: yes. Open: no, until openUntil. Half-open: as a probe, if
   * fewer than halfOpenProbes probes are held or succeeded; `holder` names it, and a holder that
   * asks again gets its own lease back (renewed). Expired leases are taken back first.
   */
  acquire(now: number, holder: string, leaseMs: number, out: Transition[]): Acquired {
    if (this.state === 'closed') return { admitted: true, probe: false };
    if (this.state === 'open') {
      if (now < this.openUntil) return { admitted: false, retryAt: this.openUntil, reason: `circuit open: ${this.reason}`, state: 'open' };
      this.transition('half_open', now, 'cool-down over', out);
    }
    this.probes = this.probes.filter((p) => p.expiresAt > now && p.holder !== holder);
    if (this.probes.length + this.probeSuccesses >= this.config.halfOpenProbes) {
      const retryAt = Math.min(...this.probes.map((p) => p.expiresAt), now + leaseMs);
      return { admitted: false, retryAt, reason: `circuit half-open: its ${this.config.halfOpenProbes} probe call(s) are taken`, state: 'half_open' };
    }
    this.probes.push({ holder, expiresAt: now + leaseMs });
    return { admitted: true, probe: true };
  }

  /**
   * Counts a call's outcome. `holder` names a probe lease: a probe's success counts towards
   * closing, its failure re-opens, an ignored probe frees its lease. A call that was not a probe
   * counts in the window only while closed (a late outcome of a call admitted before the breaker
   * opened says nothing new). A failure that names a quota reset opens the breaker until then.
   */
  record(now: number, outcome: CallOutcome, holder: string | undefined, out: Transition[]): void {
    const probeIndex = holder === undefined || this.state !== 'half_open' ? -1 : this.probes.findIndex((p) => p.holder === holder);
    if (probeIndex >= 0) {
      this.probes.splice(probeIndex, 1);
      if (outcome.kind === 'success') {
        if (++this.probeSuccesses >= this.config.halfOpenProbes) this.transition('closed', now, `${this.probeSuccesses} probe call(s) succeeded`, out);
      } else if (outcome.kind === 'failure') this.open(now, this.quotaUntil(now, outcome), 'a probe call failed', out);
      return;
    }
    if (outcome.kind === 'ignored') return;
    if (outcome.kind === 'failure' && outcome.retryAfterMs !== undefined && outcome.retryAfterMs > 0) {
      const until = now + outcome.retryAfterMs;
      if (this.state !== 'open' || until > this.openUntil) this.open(now, until, `the dependency asked to wait ${outcome.retryAfterMs} ms (quota reset)`, out);
      return;
    }
    if (this.state !== 'closed') return;
    const slow = this.config.slowCalls && outcome.durationMs >= this.config.slowCallDurationMs;
    const w = this.window;
    w.add((outcome.kind === 'failure' ? FAILED : 0) | (slow ? SLOW : 0), now);
    // A fast success can only lower the rates, except when it brings the window to minimumCalls
    // (or, in a time window, when older calls just left it).
    if (outcome.kind === 'failure' || slow || (w.failures + w.slow > 0 && (this.config.window.kind === 'time' || w.calls === this.config.minimumCalls))) {
      this.check(now, out);
    }
  }

  /** Opens when the window holds minimumCalls and a rate reaches its threshold. */
  private check(now: number, out: Transition[]): void {
    const w = this.window;
    w.expire(now);
    if (w.calls < this.config.minimumCalls) return;
    const failing = w.failures * 100 >= this.config.failureRateThreshold * w.calls;
    const slow = this.config.slowCalls && w.slow * 100 >= this.config.slowCallRateThreshold * w.calls;
    if (!failing && !slow) return;
    const why = failing
      ? `${w.failures} of ${w.calls} calls failed (${this.failureRate()} % >= ${this.config.failureRateThreshold} %)`
      : `${w.slow} of ${w.calls} calls were slow (${this.slowCallRate()} % >= ${this.config.slowCallRateThreshold} %)`;
    this.open(now, now + this.config.coolDownMs, why, out);
  }

  private quotaUntil(now: number, outcome: { retryAfterMs?: number }): number {
    return Math.max(now + this.config.coolDownMs, now + (outcome.retryAfterMs ?? 0));
  }

  private open(now: number, until: number, why: string, out: Transition[]): void {
    const rates = this.state === 'closed' ? { failureRate: this.failureRate(), slowCallRate: this.slowCallRate(), calls: this.window.calls } : {};
    this.openUntil = until;
    this.transition('open', now, why, out, { openUntil: until, ...rates });
  }

  private transition(to: BreakerStateName, now: number, why: string, out: Transition[], detail: Partial<Transition> = {}): void {
    const from = this.state;
    this.state = to;
    this.changedAt = now;
    this.reason = why;
    this.generation++;
    this.probes = [];
    this.probeSuccesses = 0;
    if (to !== 'half_open') this.window.clear();
    out.push({ from, to, at: now, reason: why, ...detail });
  }
}
