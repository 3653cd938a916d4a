import { BrokenCircuitError } from '../../errors/broken-circuit-error.js';
import { isRetryableClass } from '../../errors/error-class.js';
import { checkNumber, checkOptions, checkOrdered, type NumberBounds } from '../../options/option-check.js';
import { monotonicNow, type Clock } from '../../time/clock.js';
import type { ClassifierRule } from '../classification.js';
import { classifyError } from '../classify.js';
import { clockOption, rulesOption } from './common-options.js';
import type { BreakerState } from './events.js';
import { invoke, PolicyBase, type PolicyContext, type PolicyFn } from './policy.js';

export interface CircuitBreakerOptions {
  /** How many of the latest calls the failure rate is computed over (count-based window). Default 20. */
  windowSize?: number;
  /** No decision before this many calls are in the window. Default 10 (at most windowSize). */
  minimumCalls?: number;
  /** Opens when failures are at least this percentage of the calls in the window. Default 50. */
  failureRateThreshold?: number;
  /** How long the breaker stays open before it lets probe calls through. Default 30 000 ms. */
  coolDownMs?: number;
  /** Probe calls allowed while half-open; all must succeed to close, one failure re-opens. Default 1. */
  halfOpenProbes?: number;
  rules?: readonly ClassifierRule[];
  clock?: Clock;
}

const COUNT: NumberBounds = { min: 1, max: 100_000, integer: true };
const PERCENT: NumberBounds = { min: 1, max: 100, integer: false };
const COOL_DOWN: NumberBounds = { min: 0, max: 86_400_000, integer: false };
const PROBES: NumberBounds = { min: 1, max: 1000, integer: true };
const num = (bounds: NumberBounds) => (v: unknown, p: string) => void checkNumber(v, p, bounds);

/**
 * An in-process circuit breaker (one per dependency, shared by the calls of this process only).
 * Only failures of retryable classes count: a validation or logic error says nothing about the
 * dependency's health, so it is neither a failure nor a success. While open, calls fail at once
 * with BrokenCircuitError (class `dependency`, `retryAfterMs` = the rest of the cool-down).
 */
export class CircuitBreakerValue extends PolicyBase {
  readonly windowSize: number;
  readonly minimumCalls: number;
  readonly failureRateThreshold: number;
  readonly coolDownMs: number;
  readonly halfOpenProbes: number;
  private readonly rules: readonly ClassifierRule[];
  private readonly clock: Clock;

  private current: BreakerState = 'closed';
  /** Bumped on every state change: a call that started in an earlier state does not vote. */
  private generation = 0;
  private readonly window: Uint8Array;
  private next = 0;
  private calls = 0;
  private failures = 0;
  private openedAt = 0;
  private probesStarted = 0;
  private probesSucceeded = 0;

  constructor(options: CircuitBreakerOptions = {}) {
    super();
    const o = checkOptions(options, 'circuitBreaker', {
      windowSize: num(COUNT),
      minimumCalls: num(COUNT),
      failureRateThreshold: num(PERCENT),
      coolDownMs: num(COOL_DOWN),
      halfOpenProbes: num(PROBES),
      rules: () => {},
      clock: () => {},
    });
    this.windowSize = (o.windowSize as number | undefined) ?? 20;
    this.minimumCalls = (o.minimumCalls as number | undefined) ?? Math.min(10, this.windowSize);
    checkOrdered({ path: 'circuitBreaker.minimumCalls', value: this.minimumCalls }, { path: 'circuitBreaker.windowSize', value: this.windowSize });
    this.failureRateThreshold = (o.failureRateThreshold as number | undefined) ?? 50;
    this.coolDownMs = (o.coolDownMs as number | undefined) ?? 30_000;
    this.halfOpenProbes = (o.halfOpenProbes as number | undefined) ?? 1;
    this.rules = rulesOption(o.rules, 'circuitBreaker.rules');
    this.clock = clockOption(o.clock, 'circuitBreaker.clock');
    this.window = new Uint8Array(this.windowSize);
  }

  /** The state now (an open breaker whose cool-down is over reads as half-open). */
  get state(): BreakerState {
    if (this.current === 'open' && this.coolDownLeft() <= 0) return 'half_open';
    return this.current;
  }

  async run<T>(fn: PolicyFn<T>, parent: PolicyContext): Promise<T> {
    this.admit();
    const generation = this.generation;
    const probe = this.current === 'half_open';
    let value: T;
    try {
      value = await invoke(fn, parent);
    } catch (error) {
      if (generation === this.generation) this.onFailure(error, probe, parent.signal.aborted);
      throw error;
    }
    if (generation === this.generation) this.onSuccess(probe);
    return value;
  }

  /** Lets the call through or throws BrokenCircuitError. */
  private admit(): void {
    if (this.current === 'open') {
      const left = this.coolDownLeft();
      if (left > 0) return this.reject(left);
      this.transition('half_open');
    }
    if (this.current === 'half_open') {
      if (this.probesStarted >= this.halfOpenProbes) return this.reject(undefined);
      this.probesStarted++;
    }
  }

  private reject(retryAfterMs: number | undefined): never {
    this.events.emit('breaker.rejected', { state: this.current, retryAfterMs: retryAfterMs ?? 0 }, this.clock.now());
    throw new BrokenCircuitError(retryAfterMs);
  }

  private onSuccess(probe: boolean): void {
    if (!probe) return this.record(0);
    if (++this.probesSucceeded >= this.halfOpenProbes) this.transition('closed');
  }

  private onFailure(error: unknown, probe: boolean, aborted: boolean): void {
    const counts = !aborted && isRetryableClass(classifyError(error, this.rules, this.clock.now()).errorClass);
    if (probe) {
      if (counts) this.open();
      else this.probesStarted--; // the probe said nothing about the dependency: let another one try
      return;
    }
    if (!counts) return;
    this.record(1);
    if (this.calls >= this.minimumCalls && this.failures * 100 >= this.failureRateThreshold * this.calls) this.open();
  }

  private record(failed: 0 | 1): void {
    if (this.calls === this.windowSize) this.failures -= this.window[this.next] as number;
    else this.calls++;
    this.window[this.next] = failed;
    this.failures += failed;
    this.next = (this.next + 1) % this.windowSize;
  }

  private open(): void {
    const failureRate = this.calls === 0 ? 100 : Math.round((this.failures * 10_000) / this.calls) / 100;
    const calls = this.calls;
    this.openedAt = monotonicNow(this.clock);
    this.transition('open', this.current === 'closed' ? { failureRate, calls } : {});
  }

  private transition(to: BreakerState, detail: { failureRate?: number; calls?: number } = {}): void {
    const from = this.current;
    this.current = to;
    this.generation++;
    this.probesStarted = 0;
    this.probesSucceeded = 0;
    if (to === 'closed') {
      this.window.fill(0);
      this.next = this.calls = this.failures = 0;
    }
    this.events.emit('breaker.state_changed', { from, to, ...detail }, this.clock.now());
  }

  private coolDownLeft(): number {
    return this.openedAt + this.coolDownMs - monotonicNow(this.clock);
  }
}

/** An in-process circuit breaker value: `circuitBreaker({ minimumCalls: 5, failureRateThreshold: 50, coolDownMs: 10_000 })`. */
export function circuitBreaker(options?: CircuitBreakerOptions): CircuitBreakerValue {
  return new CircuitBreakerValue(options);
}
