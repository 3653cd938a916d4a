import { describe, expect, it } from 'vitest';
import { InvalidOptionsError } from '../../../src/errors/options-error.js';
import { DEFAULT_RETRY_POLICY, resolveRetryPolicy, type RetryOptions } from '../../../src/policy/retry-policy.js';

function messageOf(options: unknown, path?: string): string {
  try {
    resolveRetryPolicy(options as RetryOptions, undefined, path);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionsError);
    return (error as Error).message;
  }
  throw new Error('expected InvalidOptionsError');
}

const KNOWN = 'maxAttempts, initialDelayMs, maxDelayMs, backoffMultiplier, jitter, maxRetryAfterMs, classes';
const CLASSES = 'transient, rate_limit, timeout, dependency, configuration, validation, logic, interrupted, cancelled, unknown';

describe('DEFAULT_RETRY_POLICY', () => {
  it('has the documented values and is frozen', () => {
    expect(DEFAULT_RETRY_POLICY).toEqual({
      maxAttempts: 3,
      initialDelayMs: 1000,
      maxDelayMs: 30_000,
      backoffMultiplier: 2,
      jitter: 'full',
      maxRetryAfterMs: 300_000,
      classes: { dependency: { initialDelayMs: 5_000, maxDelayMs: 120_000, maxAttempts: 6 } },
    });
    expect(Object.isFrozen(DEFAULT_RETRY_POLICY.classes?.dependency)).toBe(true);
  });
});

describe('resolveRetryPolicy merging', () => {
  it('undefined gives a mutable copy of the base', () => {
    const p = resolveRetryPolicy(undefined);
    expect(p).toEqual(DEFAULT_RETRY_POLICY);
    p.maxAttempts = 9;
    p.classes!.dependency!.maxAttempts = 1;
    expect(DEFAULT_RETRY_POLICY.maxAttempts).toBe(3);
    expect(DEFAULT_RETRY_POLICY.classes?.dependency?.maxAttempts).toBe(6);
  });

  it('overrides given fields and treats undefined as unset', () => {
    const p = resolveRetryPolicy({ maxAttempts: 5, jitter: 'none', initialDelayMs: undefined });
    expect(p).toMatchObject({ maxAttempts: 5, jitter: 'none', initialDelayMs: 1000 });
  });

  it('merges class overrides field by field', () => {
    const p = resolveRetryPolicy({ classes: { dependency: { maxAttempts: 10 }, validation: { retry: true } } });
    expect(p.classes).toEqual({
      dependency: { initialDelayMs: 5_000, maxDelayMs: 120_000, maxAttempts: 10 },
      validation: { retry: true },
    });
  });

  it('layers over a custom base (workflow policy, then step options)', () => {
    const workflow = resolveRetryPolicy({ maxAttempts: 7 });
    expect(resolveRetryPolicy({ initialDelayMs: 10 }, workflow)).toMatchObject({ maxAttempts: 7, initialDelayMs: 10 });
  });
});

describe('resolveRetryPolicy validation messages', () => {
  it.each<[string, unknown, string]>([
    ['maxAttempts 0', { maxAttempts: 0 }, 'Invalid option retry.maxAttempts: must be an integer from 1 to 1000 (got 0)'],
    ['maxAttempts 1.5', { maxAttempts: 1.5 }, 'Invalid option retry.maxAttempts: must be an integer from 1 to 1000 (got 1.5)'],
    ['maxAttempts 1001', { maxAttempts: 1001 }, 'Invalid option retry.maxAttempts: must be an integer from 1 to 1000 (got 1001)'],
    ['maxAttempts "3"', { maxAttempts: '3' }, 'Invalid option retry.maxAttempts: must be an integer from 1 to 1000 (got "3")'],
    ['initialDelayMs -5', { initialDelayMs: -5 }, 'Invalid option retry.initialDelayMs: must be a number from 0 to 86400000 (got -5)'],
    ['initialDelayMs NaN', { initialDelayMs: NaN }, 'Invalid option retry.initialDelayMs: must be a number from 0 to 86400000 (got NaN)'],
    ['maxDelayMs Infinity', { maxDelayMs: Infinity }, 'Invalid option retry.maxDelayMs: must be a number from 0 to 86400000 (got Infinity)'],
    ['maxDelayMs < initialDelayMs', { initialDelayMs: 100, maxDelayMs: 10 }, 'Invalid option retry.maxDelayMs: must be >= retry.initialDelayMs (got 10 < 100)'],
    ['backoffMultiplier 0.5', { backoffMultiplier: 0.5 }, 'Invalid option retry.backoffMultiplier: must be a number from 1 to 100 (got 0.5)'],
    ['jitter "half"', { jitter: 'half' }, 'Invalid option retry.jitter: must be "full" or "none" (got "half")'],
    ['maxRetryAfterMs -1', { maxRetryAfterMs: -1 }, 'Invalid option retry.maxRetryAfterMs: must be a number from 0 to 86400000 (got -1)'],
    ['unknown key', { maxAttemps: 3 }, `Invalid option retry.maxAttemps: unknown option (known: ${KNOWN})`],
    ['a string', 'fast', 'Invalid option retry: must be an object (got string)'],
    ['null', null, 'Invalid option retry: must be an object (got null)'],
    ['an array', [], 'Invalid option retry: must be an object (got array)'],
    ['classes not an object', { classes: 3 }, 'Invalid option retry.classes: must be an object (got number)'],
    ['unknown class', { classes: { foo: {} } }, `Invalid option retry.classes.foo: unknown error class (known: ${CLASSES})`],
    [
      'unknown override key',
      { classes: { timeout: { delay: 1 } } },
      'Invalid option retry.classes.timeout.delay: unknown option (known: maxAttempts, initialDelayMs, maxDelayMs, retry)',
    ],
    [
      'override maxAttempts',
      { classes: { timeout: { maxAttempts: 0 } } },
      'Invalid option retry.classes.timeout.maxAttempts: must be an integer from 1 to 1000 (got 0)',
    ],
    [
      'override initialDelayMs',
      { classes: { timeout: { initialDelayMs: -1 } } },
      'Invalid option retry.classes.timeout.initialDelayMs: must be a number from 0 to 86400000 (got -1)',
    ],
    [
      'override maxDelayMs',
      { classes: { timeout: { maxDelayMs: 1e9 } } },
      'Invalid option retry.classes.timeout.maxDelayMs: must be a number from 0 to 86400000 (got 1000000000)',
    ],
    ['override retry', { classes: { timeout: { retry: 'yes' } } }, 'Invalid option retry.classes.timeout.retry: must be true or false (got "yes")'],
    [
      'override max below its own initial',
      { classes: { timeout: { initialDelayMs: 100, maxDelayMs: 10 } } },
      'Invalid option retry.classes.timeout.maxDelayMs: must be >= retry.classes.timeout.initialDelayMs (got 10 < 100)',
    ],
    [
      'override initial above the policy max',
      { classes: { timeout: { initialDelayMs: 60_000 } } },
      'Invalid option retry.maxDelayMs: must be >= retry.classes.timeout.initialDelayMs (got 30000 < 60000)',
    ],
    ['override not an object', { classes: { timeout: true } }, 'Invalid option retry.classes.timeout: must be an object (got boolean)'],
  ])('%s', (_label, options, expected) => {
    expect(messageOf(options)).toBe(expected);
  });

  it('uses the given path', () => {
    expect(messageOf({ maxAttempts: 0 }, 'steps.fetch.retry')).toBe('Invalid option steps.fetch.retry.maxAttempts: must be an integer from 1 to 1000 (got 0)');
  });

  it('describes values that are not JSON', () => {
    expect(messageOf({ maxAttempts: () => 3 })).toBe('Invalid option retry.maxAttempts: must be an integer from 1 to 1000 (got function)');
    expect(messageOf({ maxAttempts: 3n })).toBe('Invalid option retry.maxAttempts: must be an integer from 1 to 1000 (got 3n)');
  });
});
