import type { Classification } from './classification.js';
import { isRetryableClass, type ErrorClass } from '../errors/error-class.js';
import type { RetryPolicy } from './retry-policy.js';

export type RetryDecision = { retry: true; delayMs: number; classification: Classification } | { retry: false; reason: string; classification: Classification };

/**
 * Whether to try again after attempt number `attempt` (1-based) failed, and how long to wait.
 * Pure: randomness is injected so the engine can record the decision and tests can fix it.
 */
export function decideRetry(policy: RetryPolicy, attempt: number, classification: Classification, random: () => number): RetryDecision {
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new RangeError(`decideRetry: attempt must be an integer >= 1 (got ${attempt})`);
  }
  const cls = classification.errorClass;
  const override = policy.classes?.[cls];
  const stop = (reason: string): RetryDecision => ({ retry: false, reason, classification });

  if (override?.retry === false) return stop(`${cls} errors are not retried (classes.${cls}.retry is false)`);
  if (!classification.retryable) {
    // `retry: true` lets a user opt a normally final class in (say, validation errors from a
    // flaky LLM), but never a cancellation, and never an error its thrower marked final.
    const optedIn = override?.retry === true && !isRetryableClass(cls) && cls !== 'cancelled';
    if (!optedIn) {
      return stop(isRetryableClass(cls) ? `error marked non-retryable (${classification.reason})` : `${cls} errors are not retried`);
    }
  }
  const maxAttempts = override?.maxAttempts ?? policy.maxAttempts;
  if (attempt >= maxAttempts) return stop(`gave up after ${attempt} attempt${attempt === 1 ? '' : 's'}`);

  // A server that said when to come back knows better than our backoff: wait exactly that,
  // without jitter, bounded so a hostile or buggy header cannot park the run for days.
  if (classification.retryAfterMs !== undefined) {
    return { retry: true, delayMs: Math.min(classification.retryAfterMs, policy.maxRetryAfterMs), classification };
  }
  const cap = backoffCapMs(policy, cls, attempt);
  const delayMs = policy.jitter === 'full' ? Math.floor(unit(random()) * cap) : cap;
  return { retry: true, delayMs, classification };
}

/** The un-jittered delay after `attempt`: `initial * multiplier^(attempt-1)`, capped at max. */
export function backoffCapMs(policy: RetryPolicy, errorClass: ErrorClass, attempt: number): number {
  const override = policy.classes?.[errorClass];
  const initial = override?.initialDelayMs ?? policy.initialDelayMs;
  const max = override?.maxDelayMs ?? policy.maxDelayMs;
  if (initial === 0) return 0; // avoids 0 * Infinity = NaN for huge attempt counts
  return Math.min(max, initial * Math.pow(policy.backoffMultiplier, attempt - 1));
}

// Guards against a random source outside [0, 1), which would break the [0, cap] bound.
function unit(r: number): number {
  return r >= 0 ? Math.min(r, 1) : 0;
}
