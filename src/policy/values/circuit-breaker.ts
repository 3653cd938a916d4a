import { BrokenCircuitError } from '../../errors/broken-circuit-error.js';
import { BREAKER_FIELDS, countsAsFailure, resolveBreakerConfig, type BreakerOptions } from '../../breakers/config.js';
import { BreakerMachine, type CallOutcome, type Transition } from '../../breakers/machine.js';
import { checkOptions } from '../../options/option-check.js';
import { monotonicNow, type Clock } from '../../time/clock.js';
import type { ClassifierRule } from '../classification.js';
import { classifyError } from '../classify.js';
import { clockOption, rulesOption } from './common-options.js';
import type { BreakerState } from './events.js';
import { invoke, PolicyBase, type PolicyContext, type PolicyFn } from './policy.js';

export interface CircuitBreakerOptions extends BreakerOptions {
  rules?: readonly ClassifierRule[];
  clock?: Clock;
}

/**
 * An in-process circuit breaker (one per dependency, shared by the calls of this process only),
 * on the same state machine as the store-backed breakers (src/breakers/machine.ts). Only
 * failures of counted classes count: a validation or logic error says nothing about the
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
  private readonly machine: BreakerMachine;
  /** Whether a success must be timed or placed in time (slow calls, a time window): else the success path reads no clock. */
  private readonly timed: boolean;
  private probeSeq = 0;

  constructor(options: CircuitBreakerOptions = {}) {
    super();
    const o = checkOptions(options, 'circuitBreaker', { ...BREAKER_FIELDS, rules: () => {}, clock: () => {} });
    const config = resolveBreakerConfig(o, 'circuitBreaker');
    this.windowSize = config.window.kind === 'count' ? config.window.size : 0;
    this.minimumCalls = config.minimumCalls;
    this.failureRateThreshold = config.failureRateThreshold;
    this.coolDownMs = config.coolDownMs;
    this.halfOpenProbes = config.halfOpenProbes;
    this.rules = rulesOption(o.rules, 'circuitBreaker.rules');
    this.clock = clockOption(o.clock, 'circuitBreaker.clock');
    this.machine = new BreakerMachine(config);
    this.timed = config.slowCalls || config.window.kind === 'time';
  }

  /** The state now (an open breaker whose cool-down is over reads as half-open). */
  get state(): BreakerState {
    return this.machine.stateAt(monotonicNow(this.clock));
  }

  async run<T>(fn: PolicyFn<T>, parent: PolicyContext): Promise<T> {
    const m = this.machine;
    const probe = m.state === 'closed' ? undefined : this.admit();
    const generation = m.generation;
    const started = this.timed ? monotonicNow(this.clock) : 0;
    let value: T;
    try {
      value = await invoke(fn, parent);
    } catch (error) {
      if (generation === m.generation) this.settle(this.failureOutcome(error, started, parent.signal.aborted), probe);
      throw error;
    }
    if (generation === m.generation) {
      // The success path: with a count window and no slow-call threshold, one ring write (the
      // machine decides only for the success that brings the window to minimumCalls).
      if (probe === undefined && !this.timed && m.window.calls + 1 !== this.minimumCalls) m.window.add(0, 0);
      else this.settle({ kind: 'success', durationMs: this.timed ? monotonicNow(this.clock) - started : 0 }, probe);
    }
    return value;
  }

  /** Open or half-open: lets the call through as a probe (its holder name) or throws BrokenCircuitError. */
  private admit(): string | undefined {
    const now = monotonicNow(this.clock);
    const out: Transition[] = [];
    const holder = `p${++this.probeSeq}`;
    const acquired = this.machine.acquire(now, holder, Number.POSITIVE_INFINITY, out);
    this.emitTransitions(out);
    if (acquired.admitted) return acquired.probe ? holder : undefined;
    const retryAfterMs = acquired.state === 'open' ? acquired.retryAt - now : undefined;
    this.events.emit('breaker.rejected', { state: acquired.state, retryAfterMs: retryAfterMs ?? 0 }, this.clock.now());
    throw new BrokenCircuitError(retryAfterMs);
  }

  private failureOutcome(error: unknown, started: number, aborted: boolean): CallOutcome {
    if (aborted) return { kind: 'ignored' };
    const c = classifyError(error, this.rules, this.clock.now());
    if (!countsAsFailure(this.machine.config, c.errorClass)) return { kind: 'ignored' };
    const durationMs = this.timed ? monotonicNow(this.clock) - started : 0;
    return c.retryAfterMs === undefined ? { kind: 'failure', durationMs } : { kind: 'failure', durationMs, retryAfterMs: c.retryAfterMs };
  }

  private settle(outcome: CallOutcome, probe: string | undefined): void {
    const out: Transition[] = [];
    this.machine.record(monotonicNow(this.clock), outcome, probe, out);
    this.emitTransitions(out);
  }

  private emitTransitions(out: readonly Transition[]): void {
    for (const t of out) {
      const detail = t.calls === undefined ? {} : { failureRate: t.failureRate ?? 0, calls: t.calls };
      this.events.emit('breaker.state_changed', { from: t.from, to: t.to, ...detail }, this.clock.now());
    }
  }
}

/** An in-process circuit breaker value: `circuitBreaker({ minimumCalls: 5, failureRateThreshold: 50, coolDownMs: 10_000 })`. */
export function circuitBreaker(options?: CircuitBreakerOptions): CircuitBreakerValue {
  return new CircuitBreakerValue(options);
}
