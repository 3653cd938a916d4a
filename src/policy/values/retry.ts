import { checkFunction, checkObject } from '../../options/option-check.js';
import type { Clock } from '../../time/clock.js';
import { decideRetry } from '../backoff.js';
import type { ClassifierRule } from '../classification.js';
import { classifyError } from '../classify.js';
import { resolveRetryPolicy, type RetryOptions, type RetryPolicy } from '../retry-policy.js';
import { clockOption, rulesOption } from './common-options.js';
import { invoke, PolicyBase, type PolicyContext, type PolicyFn } from './policy.js';

export interface RetryPolicyOptions extends RetryOptions {
  /** Extra classifier rules, tried before the built-in ones (see classifyError). */
  rules?: readonly ClassifierRule[];
  /** Time source for the waits between attempts (ManualClock in tests). Default: the system clock. */
  clock?: Clock;
  /** Random source in [0, 1) for the jitter. Default: Math.random. */
  random?: () => number;
}

const OWN_KEYS = ['rules', 'clock', 'random'];

/** The attempt's context: the caller's signal, read only when the function asks for it. */
class AttemptContext implements PolicyContext {
  constructor(
    private readonly parent: PolicyContext,
    readonly attempt: number,
  ) {}

  get signal(): AbortSignal {
    return this.parent.signal;
  }
}

/**
 * Tries again by error class with the engine's retry policy (the same options, defaults and
 * backoff as a step's `retry`): exponential backoff with full jitter, Retry-After honoured,
 * validation/logic/configuration/cancelled errors not retried. Stops at once when the signal aborts.
 */
export class RetryPolicyValue extends PolicyBase {
  readonly policy: RetryPolicy;
  private readonly rules: readonly ClassifierRule[];
  private readonly clock: Clock;
  private readonly random: () => number;

  constructor(options: RetryPolicyOptions = {}) {
    super();
    const o = checkObject(options, 'retry');
    const engineOptions: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(o)) if (!OWN_KEYS.includes(key)) engineOptions[key] = value;
    this.policy = resolveRetryPolicy(engineOptions as RetryOptions, undefined, 'retry');
    this.rules = rulesOption(o.rules, 'retry.rules');
    this.clock = clockOption(o.clock, 'retry.clock');
    if (o.random !== undefined) checkFunction(o.random, 'retry.random');
    this.random = (o.random as (() => number) | undefined) ?? Math.random;
  }

  run<T>(fn: PolicyFn<T>, parent: PolicyContext): Promise<T> {
    // The success path is one call and one `then`: no async frame until something failed.
    const ctx = parent.attempt === 1 ? parent : new AttemptContext(parent, 1);
    return invoke(fn, ctx).then(undefined, (error: unknown) => this.retryAfter(error, fn, parent));
  }

  /** Attempt 1 failed with `error`: decides, waits and tries again until done. */
  private async retryAfter<T>(error: unknown, fn: PolicyFn<T>, parent: PolicyContext): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const signal = parent.signal;
      if (signal.aborted) throw error;
      const decision = decideRetry(this.policy, attempt, classifyError(error, this.rules, this.clock.now()), this.random);
      const message = error instanceof Error ? error.message : String(error);
      const errorClass = decision.classification.errorClass;
      if (!decision.retry) {
        this.events.emit('retry.gave_up', { attempts: attempt, errorClass, reason: decision.reason, message }, this.clock.now());
        throw error;
      }
      this.events.emit('retry.retrying', { attempt, errorClass, delayMs: decision.delayMs, message }, this.clock.now());
      if (decision.delayMs > 0) await this.clock.sleep(decision.delayMs, signal);
      try {
        return await invoke(fn, new AttemptContext(parent, attempt + 1));
      } catch (next) {
        error = next;
      }
    }
  }
}

/** A retry policy value: `retry({ maxAttempts: 5, initialDelayMs: 200 })`. Options are checked here. */
export function retry(options?: RetryPolicyOptions): RetryPolicyValue {
  return new RetryPolicyValue(options);
}
