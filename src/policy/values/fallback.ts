import { isRetryableClass, type ErrorClass } from '../../errors/error-class.js';
import { checkFunction, checkOptions } from '../../options/option-check.js';
import type { Clock } from '../../time/clock.js';
import type { ClassifierRule } from '../classification.js';
import { classifyError } from '../classify.js';
import { clockOption, rulesOption } from './common-options.js';
import { errorClassesOption } from './error-classes-option.js';
import { invoke, PolicyBase, type PolicyContext, type PolicyFn } from './policy.js';

export interface FallbackPolicyOptions<F> {
  /** Produces the value returned instead of the error. */
  handler: (error: unknown, ctx: PolicyContext) => F | Promise<F>;
  /** Error classes that fall back. Default: every retryable class (not validation, logic, configuration, cancelled). */
  on?: readonly ErrorClass[];
  rules?: readonly ClassifierRule[];
  clock?: Clock;
}

/**
 * Returns the handler's value when the call fails with one of the chosen classes; other errors,
 * and any error once the signal aborted, are thrown as they are.
 */
export class FallbackPolicyValue<F> extends PolicyBase {
  private readonly handler: (error: unknown, ctx: PolicyContext) => F | Promise<F>;
  private readonly on: ReadonlySet<ErrorClass> | undefined;
  private readonly rules: readonly ClassifierRule[];
  private readonly clock: Clock;

  constructor(options: FallbackPolicyOptions<F>) {
    super();
    const o = checkOptions(options, 'fallback', { handler: checkFunction, on: () => {}, rules: () => {}, clock: () => {} });
    checkFunction(o.handler, 'fallback.handler');
    this.handler = o.handler as FallbackPolicyOptions<F>['handler'];
    this.on = o.on === undefined ? undefined : errorClassesOption(o.on, 'fallback.on');
    this.rules = rulesOption(o.rules, 'fallback.rules');
    this.clock = clockOption(o.clock, 'fallback.clock');
  }

  async run<T>(fn: PolicyFn<T>, parent: PolicyContext): Promise<T> {
    try {
      return await invoke(fn, parent);
    } catch (error) {
      if (parent.signal.aborted) throw error;
      const errorClass = classifyError(error, this.rules, this.clock.now()).errorClass;
      if (!(this.on ? this.on.has(errorClass) : isRetryableClass(errorClass))) throw error;
      this.events.emit('fallback.used', { errorClass, message: error instanceof Error ? error.message : String(error) }, this.clock.now());
      // The handler stands in for the call, so its value is the call's (F should be T; see docs/policies.md).
      return (await this.handler(error, parent)) as unknown as T;
    }
  }
}

/** A fallback policy value: `fallback({ handler: () => cachedAnswer, on: ['timeout', 'dependency'] })`. */
export function fallback<F>(options: FallbackPolicyOptions<F>): FallbackPolicyValue<F> {
  return new FallbackPolicyValue(options);
}
