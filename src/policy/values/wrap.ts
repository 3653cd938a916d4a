import { optionError } from '../../options/option-check.js';
import type { PolicyEventListener } from './events.js';
import { PolicyBase, type Policy, type PolicyContext, type PolicyFn } from './policy.js';

/**
 * Policies composed, outermost first: `wrap(a, b, c).execute(fn)` is `a` around `b` around `c`
 * around `fn`. So `wrap(timeout, retry)` gives all the attempts (and their waits) one deadline,
 * while `wrap(retry, timeout)` gives each attempt its own and retries a timed-out attempt.
 */
export class WrappedPolicy extends PolicyBase {
  readonly policies: readonly Policy[];

  constructor(policies: readonly Policy[]) {
    super();
    if (policies.length === 0) throw optionError('wrap', 'needs at least one policy (got none)');
    policies.forEach((p, i) => {
      const o = p as Partial<Policy> | null;
      if (o === null || typeof o !== 'object' || typeof o.run !== 'function' || typeof o.onEvent !== 'function') {
        throw optionError(`wrap[${i}]`, 'must be a policy (retry, timeout, fallback, circuitBreaker, bulkhead or wrap)');
      }
    });
    this.policies = [...policies];
  }

  run<T>(fn: PolicyFn<T>, parent: PolicyContext): Promise<T> {
    return this.runFrom(0, fn, parent);
  }

  override onEvent(listener: PolicyEventListener): () => void {
    const offs = this.policies.map((p) => p.onEvent(listener));
    return () => offs.forEach((off) => off());
  }

  private runFrom<T>(i: number, fn: PolicyFn<T>, ctx: PolicyContext): Promise<T> {
    const policy = this.policies[i] as Policy;
    if (i === this.policies.length - 1) return policy.run(fn, ctx);
    return policy.run((inner) => this.runFrom(i + 1, fn, inner), ctx);
  }
}

/** Composes policies, outermost first (see WrappedPolicy). */
export function wrap(...policies: Policy[]): WrappedPolicy {
  return new WrappedPolicy(policies);
}
