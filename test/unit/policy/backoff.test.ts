import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffCapMs, decideRetry } from '../../../src/policy/backoff.js';
import type { Classification } from '../../../src/policy/classification.js';
import { classifyError } from '../../../src/policy/classify.js';
import { ClassifiedError } from '../../../src/policy/classified-error.js';
import { ERROR_CLASSES, isRetryableClass, type ErrorClass } from '../../../src/errors/error-class.js';
import { resolveRetryPolicy, type RetryPolicy } from '../../../src/policy/retry-policy.js';

const transient: Classification = { errorClass: 'transient', retryable: true, reason: 'code ECONNRESET' };
const exact = resolveRetryPolicy({ jitter: 'none', maxAttempts: 10 });
const half = () => 0.5;

function delayOf(policy: RetryPolicy, attempt: number, c: Classification, random = half): number {
  const d = decideRetry(policy, attempt, c, random);
  if (!d.retry) throw new Error(`expected a retry, got: ${d.reason}`);
  return d.delayMs;
}

describe('decideRetry: whether to retry', () => {
  it.each(['configuration', 'validation', 'logic', 'cancelled'] as const)('%s errors are not retried', (errorClass) => {
    const c: Classification = { errorClass, retryable: false, reason: 'x' };
    expect(decideRetry(exact, 1, c, half)).toEqual({ retry: false, reason: `${errorClass} errors are not retried`, classification: c });
  });

  it('a ClassifiedError marked nonRetryable is final even for a retryable class', () => {
    const c = classifyError(new ClassifiedError('quota gone for the month', { errorClass: 'rate_limit', nonRetryable: true }));
    expect(decideRetry(exact, 1, c, half)).toMatchObject({ retry: false, reason: 'error marked non-retryable (ClassifiedError)' });
  });

  it('a class override can switch retries off, or on for a final class (not cancelled)', () => {
    const policy = resolveRetryPolicy({ classes: { transient: { retry: false }, validation: { retry: true }, cancelled: { retry: true } } });
    expect(decideRetry(policy, 1, transient, half)).toMatchObject({
      retry: false,
      reason: 'transient errors are not retried (classes.transient.retry is false)',
    });
    expect(decideRetry(policy, 1, { errorClass: 'validation', retryable: false, reason: 'x' }, half).retry).toBe(true);
    expect(decideRetry(policy, 1, { errorClass: 'cancelled', retryable: false, reason: 'x' }, half).retry).toBe(false);
  });

  it('gives up at maxAttempts', () => {
    const policy = resolveRetryPolicy({ maxAttempts: 3 });
    expect(decideRetry(policy, 2, transient, half).retry).toBe(true);
    expect(decideRetry(policy, 3, transient, half)).toEqual({ retry: false, reason: 'gave up after 3 attempts', classification: transient });
    expect(decideRetry(resolveRetryPolicy({ maxAttempts: 1 }), 1, transient, half)).toMatchObject({ reason: 'gave up after 1 attempt' });
  });

  it('the class maxAttempts wins (dependency defaults to 6)', () => {
    const dep: Classification = { errorClass: 'dependency', retryable: true, reason: 'HTTP 425' };
    const policy = resolveRetryPolicy(undefined);
    expect(decideRetry(policy, 5, dep, half).retry).toBe(true);
    expect(decideRetry(policy, 6, dep, half)).toMatchObject({ retry: false, reason: 'gave up after 6 attempts' });
  });

  it('rejects a nonsensical attempt number', () => {
    expect(() => decideRetry(exact, 0, transient, half)).toThrow(RangeError);
    expect(() => decideRetry(exact, NaN, transient, half)).toThrow(RangeError);
  });
});

describe('decideRetry: delays', () => {
  it('grows exponentially up to the cap without jitter', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((a) => delayOf(exact, a, transient))).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  });

  it('uses the class delays (dependency starts at 5 s)', () => {
    const dep: Classification = { errorClass: 'dependency', retryable: true, reason: 'x' };
    expect([1, 2, 5].map((a) => delayOf(exact, a, dep))).toEqual([5000, 10000, 80000]);
  });

  it('full jitter scales the capped backoff by random()', () => {
    const policy = resolveRetryPolicy({ jitter: 'full' });
    expect(delayOf(policy, 2, transient, () => 0.25)).toBe(500);
    expect(delayOf(policy, 2, transient, () => 0)).toBe(0);
  });

  it('honours retryAfterMs exactly, bounded by maxRetryAfterMs', () => {
    const limited: Classification = { errorClass: 'rate_limit', retryable: true, retryAfterMs: 42_000, reason: 'HTTP 429' };
    expect(delayOf(resolveRetryPolicy({ jitter: 'full' }), 1, limited, () => 0)).toBe(42_000);
    expect(delayOf(resolveRetryPolicy({ maxRetryAfterMs: 10_000 }), 1, limited)).toBe(10_000);
    const explicit = classifyError(new ClassifiedError('later', { errorClass: 'transient', retryAfterMs: 1234 }));
    expect(delayOf(exact, 1, explicit, () => 0.9)).toBe(1234);
  });
});

describe('decideRetry properties', () => {
  // Valid policies only (resolveRetryPolicy checks them), without class overrides.
  const noClasses = { ...resolveRetryPolicy(undefined), classes: {} };
  const policyArb = fc
    .record({
      initialDelayMs: fc.integer({ min: 0, max: 86_400_000 }),
      extra: fc.integer({ min: 0, max: 86_400_000 }),
      backoffMultiplier: fc.double({ min: 1, max: 100, noNaN: true }),
      maxRetryAfterMs: fc.integer({ min: 0, max: 86_400_000 }),
      jitter: fc.constantFrom('full' as const, 'none' as const),
    })
    .map(({ extra, ...p }) => resolveRetryPolicy({ ...p, maxAttempts: 1000, maxDelayMs: Math.min(86_400_000, p.initialDelayMs + extra) }, noClasses));
  const unitInterval = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });
  const retryable = fc.constantFrom(...ERROR_CLASSES.filter((c): c is ErrorClass => isRetryableClass(c)));

  it('delay is always within [0, cap]', () => {
    fc.assert(
      fc.property(policyArb, fc.integer({ min: 1, max: 999 }), retryable, unitInterval, (policy, attempt, errorClass, r) => {
        const cap = backoffCapMs(policy, errorClass, attempt);
        const d = delayOf(policy, attempt, { errorClass, retryable: true, reason: 'p' }, () => r);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThanOrEqual(cap);
        expect(cap).toBeLessThanOrEqual(policy.maxDelayMs);
      }),
    );
  });

  it('the cap never shrinks as attempts grow', () => {
    fc.assert(
      fc.property(policyArb, fc.integer({ min: 1, max: 998 }), (policy, attempt) => {
        expect(backoffCapMs(policy, 'transient', attempt + 1)).toBeGreaterThanOrEqual(backoffCapMs(policy, 'transient', attempt));
      }),
    );
  });

  it('retryAfterMs is honoured up to maxRetryAfterMs, whatever random() says', () => {
    fc.assert(
      fc.property(policyArb, fc.integer({ min: 0, max: 10 ** 9 }), fc.double({ noNaN: false }), (policy, after, r) => {
        const d = delayOf(policy, 1, { errorClass: 'rate_limit', retryable: true, retryAfterMs: after, reason: 'p' }, () => r);
        expect(d).toBe(Math.min(after, policy.maxRetryAfterMs));
      }),
    );
  });

  it('a broken random source cannot push the delay out of bounds', () => {
    fc.assert(
      fc.property(fc.double(), (r) => {
        const d = delayOf(resolveRetryPolicy({ jitter: 'full' }), 2, transient, () => r);
        expect(d >= 0 && d <= 2000).toBe(true);
      }),
    );
  });
});
