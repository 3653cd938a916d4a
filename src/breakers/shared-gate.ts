// Store-backed circuit breakers as a step gate (src/engine/step-gates.ts): one per Lifeline
// client, shared by its workers, every key's state shared by every worker on the store.
//
// Cost: the success path adds no store round trip. Each worker caches each key's state and
// reads the store again only when its copy is older than cacheTtlMs (one read per key per TTL,
// not per call). Outcomes are counted in the store in batches: successes at most every flushMs
// (one soft write for all of them), a counted failure at once (so the breaker opens promptly, and
// the write's answer refreshes the cache). Only while half-open does admission itself go to the
// store: a probe lease is granted there, across all workers.
import type { Admission, GateOutcome, GateRequest, StepGate } from '../engine/step-gates.js';
import type { WorkerEvent } from '../store/events.js';
import type { Store } from '../store/store.js';
import type { Clock, TimerHandle } from '../time/clock.js';
import { InvalidOptionsError } from '../errors/options-error.js';
import { countsAsFailure } from './config.js';
import type { BreakerData, CallOutcome, Transition } from './machine.js';
import type { BreakerUpdate } from './stored.js';
import type { SharedBreakerConfig } from './shared-options.js';

interface Entry {
  key: string;
  config: SharedBreakerConfig;
  data: BreakerData | null;
  /** When `data` was last read from or written to the store (this worker's clock); -Infinity: never. */
  fetchedAt: number;
  refreshing: Promise<void> | null;
  pending: Array<{ outcome: CallOutcome; holder?: string }>;
  flushTimer: TimerHandle | null;
  flushing: Promise<void> | null;
}

export interface SharedBreakersDeps {
  store: Store;
  clock: Clock;
  configs: ReadonlyMap<string, SharedBreakerConfig>;
  emit(event: WorkerEvent): void;
  onError(error: unknown, context: string): void;
}

const ADMITTED: Admission = Object.freeze({ admitted: true });

export class SharedBreakers implements StepGate {
  readonly name = 'breakers';
  private readonly entries = new Map<string, Entry>();
  private closed = false;

  constructor(private readonly deps: SharedBreakersDeps) {}

  admit(request: GateRequest): Admission | Promise<Admission> {
    const key = request.options.breaker;
    if (key === undefined) return ADMITTED;
    const entry = this.entry(key, request.stepName);
    const now = this.deps.clock.now();
    if (now - entry.fetchedAt <= entry.config.cacheTtlMs) return this.decide(entry, request, now);
    return this.refresh(entry).then(() => this.decide(entry, request, this.deps.clock.now()));
  }

  /** From this worker's cache (no store access): is `key` open now, its cool-down not over? */
  isOpen(key: string, now = this.deps.clock.now()): boolean {
    const data = this.entries.get(key)?.data;
    return data !== null && data !== undefined && data.state === 'open' && now < data.openUntil;
  }

  /**
   * For a fallback chain (engine/fallback-chain.ts): why an alternative whose calls go through
   * `key` is passed over now (its breaker open, cool-down not over), or null to try it. Read
   * from the cache, refreshed from the store when older than cacheTtlMs (so a breaker another
   * worker opened is seen). An unknown key throws as for a step's `breaker`.
   */
  async skipReason(key: string, stepName: string): Promise<string | null> {
    const entry = this.entry(key, stepName);
    if (this.deps.clock.now() - entry.fetchedAt > entry.config.cacheTtlMs) await this.refresh(entry);
    const data = entry.data;
    return data !== null && data.state === 'open' && this.deps.clock.now() < data.openUntil ? `circuit open: ${data.reason}` : null;
  }

  /** Writes the outcomes not yet written. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.entries.values()].map((e) => this.flush(e)));
  }

  private entry(key: string, stepName: string): Entry {
    let entry = this.entries.get(key);
    if (entry) return entry;
    const config = this.deps.configs.get(key) ?? this.deps.configs.get('*');
    if (!config) {
      const known = [...this.deps.configs.keys()].map((k) => JSON.stringify(k)).join(', ');
      throw new InvalidOptionsError(
        `Invalid option step "${stepName}".breaker: no breaker "${key}" in Lifeline.open's breakers (known: ${known}; '*' configures any key)`,
      );
    }
    entry = { key, config, data: null, fetchedAt: Number.NEGATIVE_INFINITY, refreshing: null, pending: [], flushTimer: null, flushing: null };
    this.entries.set(key, entry);
    return entry;
  }

  private decide(entry: Entry, request: GateRequest, now: number): Admission | Promise<Admission> {
    const data = entry.data;
    if (data === null || data.state === 'closed') return { admitted: true, settle: (o) => this.settle(entry, o, undefined) };
    if (data.state === 'open' && now < data.openUntil) return this.refusal(entry, data.openUntil, `circuit open: ${data.reason}`);
    return this.acquireProbe(entry, request, now);
  }

  /** Half-open (or open with its cool-down over): a probe lease from the store, granted to at most halfOpenProbes holders across all workers. */
  private async acquireProbe(entry: Entry, request: GateRequest, now: number): Promise<Admission> {
    const holder = `${request.workerId}/${request.runId}/${request.stepId}/${request.attempt}`;
    const outcomes = entry.pending.splice(0);
    const update = await this.deps.store.updateBreaker({
      key: entry.key,
      config: entry.config,
      now,
      outcomes,
      acquire: { holder, leaseMs: entry.config.probeLeaseMs },
    });
    this.absorb(entry, update, now);
    const acquired = update.acquired;
    if (acquired === undefined || acquired.admitted) {
      const probe = acquired?.probe === true ? holder : undefined;
      return { admitted: true, settle: (o) => this.settle(entry, o, probe) };
    }
    // Probes taken: ask again soon (they may succeed well before their leases could expire).
    const retryAt = acquired.state === 'half_open' ? Math.min(acquired.retryAt, now + entry.config.probeWaitMs) : acquired.retryAt;
    return this.refusal(entry, retryAt, acquired.reason);
  }

  private refusal(entry: Entry, retryAt: number, reason: string): Admission {
    return { admitted: false, gate: `breaker:${entry.key}`, reason, retryAt };
  }

  /** Resolves once a failure or a probe's outcome is written (successes are batched: at once). */
  private settle(entry: Entry, outcome: GateOutcome, probe: string | undefined): Promise<void> {
    const counted = this.toCallOutcome(entry, outcome);
    if (counted.kind === 'ignored' && probe === undefined) return Promise.resolve();
    entry.pending.push(probe === undefined ? { outcome: counted } : { outcome: counted, holder: probe });
    if (counted.kind === 'success' && probe === undefined && entry.config.flushMs > 0 && !this.closed) {
      entry.flushTimer ??= this.deps.clock.setTimer(entry.config.flushMs, () => {
        entry.flushTimer = null;
        void this.flush(entry);
      });
      return Promise.resolve();
    }
    return this.flush(entry);
  }

  private toCallOutcome(entry: Entry, outcome: GateOutcome): CallOutcome {
    if (outcome.kind === 'succeeded') return { kind: 'success', durationMs: outcome.durationMs };
    if (outcome.kind === 'abandoned' || !countsAsFailure(entry.config, outcome.classification.errorClass)) return { kind: 'ignored' };
    const retryAfterMs = outcome.classification.retryAfterMs;
    return retryAfterMs === undefined ? { kind: 'failure', durationMs: outcome.durationMs } : { kind: 'failure', durationMs: outcome.durationMs, retryAfterMs };
  }

  /** One soft write with every pending outcome of the key; its answer refreshes the cache. */
  private flush(entry: Entry): Promise<void> {
    entry.flushTimer?.cancel();
    entry.flushTimer = null;
    if (entry.pending.length === 0) return entry.flushing ?? Promise.resolve();
    const previous = entry.flushing ?? Promise.resolve();
    const outcomes = entry.pending.splice(0);
    const run = previous.then(async () => {
      const now = this.deps.clock.now();
      try {
        this.absorb(entry, await this.deps.store.updateBreaker({ key: entry.key, config: entry.config, now, outcomes }), now);
      } catch (error) {
        this.deps.onError(error, `breaker ${entry.key}: recording ${outcomes.length} outcome(s)`);
      }
    });
    entry.flushing = run;
    void run.then(() => {
      if (entry.flushing === run) entry.flushing = null;
    });
    return run;
  }

  private refresh(entry: Entry): Promise<void> {
    entry.refreshing ??= (async () => {
      try {
        const now = this.deps.clock.now();
        const [record] = await this.deps.store.listBreakers([entry.key]);
        entry.data = record?.data ?? null;
        entry.fetchedAt = now;
      } finally {
        entry.refreshing = null;
      }
    })();
    return entry.refreshing;
  }

  private absorb(entry: Entry, update: BreakerUpdate, now: number): void {
    entry.data = update.record.data;
    entry.fetchedAt = now;
    for (const t of update.transitions) this.publish(entry.key, t);
  }

  private publish(key: string, t: Transition): void {
    const base = { key, from: t.from, reason: t.reason };
    if (t.to === 'open') {
      const rates = t.calls === undefined ? {} : { failureRate: t.failureRate ?? 0, slowCallRate: t.slowCallRate ?? 0, calls: t.calls };
      this.deps.emit({ type: 'breaker.opened', data: { ...base, openUntil: t.openUntil ?? t.at, ...rates }, at: t.at });
    } else if (t.to === 'half_open') this.deps.emit({ type: 'breaker.half_open', data: base, at: t.at });
    else this.deps.emit({ type: 'breaker.closed', data: base, at: t.at });
  }
}
