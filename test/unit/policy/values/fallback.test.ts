import { describe, expect, it } from 'vitest';
import { ClassifiedError } from '../../../../src/policy/classified-error.js';
import type { PolicyEvent } from '../../../../src/policy/values/events.js';
import { fallback } from '../../../../src/policy/values/fallback.js';

const failWith = (errorClass: 'timeout' | 'validation' | 'dependency') => () => Promise.reject(new ClassifiedError(`${errorClass} failure`, { errorClass }));

describe('fallback policy value', () => {
  it("returns the handler's value for the chosen classes and reports it", async () => {
    const policy = fallback({ handler: (error) => `cached (${(error as Error).message})`, on: ['timeout'] });
    const events: PolicyEvent[] = [];
    policy.onEvent((e) => events.push(e));
    await expect(policy.execute<string>(failWith('timeout'))).resolves.toBe('cached (timeout failure)');
    await expect(policy.execute<string>(failWith('dependency'))).rejects.toThrow('dependency failure');
    await expect(policy.execute(async () => 'live')).resolves.toBe('live');
    expect(events.map((e) => [e.type, e.data])).toEqual([['fallback.used', { errorClass: 'timeout', message: 'timeout failure' }]]);
  });

  it('by default falls back on retryable classes only: a validation error is thrown as it is', async () => {
    const policy = fallback({ handler: () => 'default' });
    await expect(policy.execute<string>(failWith('dependency'))).resolves.toBe('default');
    await expect(policy.execute<string>(failWith('validation'))).rejects.toThrow('validation failure');
  });

  it('does not fall back once the caller aborted', async () => {
    const policy = fallback({ handler: () => 'default' });
    const controller = new AbortController();
    const result = policy.execute<string>(() => {
      controller.abort(new Error('stop'));
      return failWith('timeout')();
    }, controller.signal);
    await expect(result).rejects.toThrow('timeout failure');
  });

  it('checks its options up front', () => {
    expect(() => fallback({} as never)).toThrow('Invalid option fallback.handler: must be a function (got undefined)');
    expect(() => fallback({ handler: () => 1, on: [] })).toThrow('Invalid option fallback.on: must name at least one error class (got [])');
    expect(() => fallback({ handler: () => 1, on: ['timeout', 'slow'] as never })).toThrow(
      'Invalid option fallback.on[1]: unknown error class (known: transient, rate_limit, timeout, dependency, configuration, validation, logic, interrupted, cancelled, unknown) (got "slow")',
    );
  });
});
