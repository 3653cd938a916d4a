import { describe, expect, it } from 'vitest';
import { BrokenCircuitError } from '../../../../src/errors/broken-circuit-error.js';
import { ClassifiedError } from '../../../../src/policy/classified-error.js';
import { classifyError } from '../../../../src/policy/classify.js';
import { circuitBreaker } from '../../../../src/policy/values/circuit-breaker.js';
import type { PolicyEvent } from '../../../../src/policy/values/events.js';
import { flushAsync, ManualClock } from '../../../../src/time/clock.js';

const fail = (errorClass: 'transient' | 'validation') => () => Promise.reject(new ClassifiedError(errorClass, { errorClass }));
const ok = () => Promise.resolve('ok');

describe('circuitBreaker policy value (in-process)', () => {
  it('opens once the failure rate over the window reaches the threshold after the minimum calls, then fails fast', async () => {
    const clock = new ManualClock();
    const breaker = circuitBreaker({ windowSize: 4, minimumCalls: 4, failureRateThreshold: 50, coolDownMs: 1000, clock });
    const events: PolicyEvent[] = [];
    breaker.onEvent((e) => events.push(e));
    await breaker.execute(ok);
    await breaker.execute(ok);
    await expect(breaker.execute(fail('transient'))).rejects.toThrow('transient');
    expect(breaker.state).toBe('closed'); // 1 of 3: under the minimum calls
    await expect(breaker.execute(fail('transient'))).rejects.toThrow('transient');
    expect(breaker.state).toBe('open'); // 2 of 4 = 50 %
    let ran = false;
    const error = (await breaker
      .execute(() => {
        ran = true;
        return ok();
      })
      .catch((e: unknown) => e)) as BrokenCircuitError;
    expect(ran).toBe(false);
    expect(error).toBeInstanceOf(BrokenCircuitError);
    expect(error.retryAfterMs).toBe(1000);
    expect(error.message).toBe('Circuit breaker is open: call not attempted (may probe again in 1000 ms).');
    expect(classifyError(error)).toMatchObject({ errorClass: 'dependency', retryAfterMs: 1000 });
    expect(events.map((e) => [e.type, e.data])).toEqual([
      ['breaker.state_changed', { from: 'closed', to: 'open', failureRate: 50, calls: 4 }],
      ['breaker.rejected', { state: 'open', retryAfterMs: 1000 }],
    ]);
  });

  it('does not count errors of classes that are not retried (validation, logic)', async () => {
    const breaker = circuitBreaker({ windowSize: 2, minimumCalls: 2, failureRateThreshold: 50, clock: new ManualClock() });
    for (let i = 0; i < 5; i++) await expect(breaker.execute(fail('validation'))).rejects.toThrow('validation');
    expect(breaker.state).toBe('closed');
    await breaker.execute(ok);
    await expect(breaker.execute(fail('transient'))).rejects.toThrow();
    expect(breaker.state).toBe('open');
  });

  it('after the cool-down lets exactly halfOpenProbes calls through; all succeeding closes it, one failing re-opens it', async () => {
    const clock = new ManualClock();
    const breaker = circuitBreaker({ windowSize: 1, minimumCalls: 1, coolDownMs: 500, halfOpenProbes: 2, clock });
    await expect(breaker.execute(fail('transient'))).rejects.toThrow();
    expect(breaker.state).toBe('open');
    await clock.advance(499);
    await expect(breaker.execute(ok)).rejects.toBeInstanceOf(BrokenCircuitError);
    await clock.advance(1);
    expect(breaker.state).toBe('half_open');

    const release: Array<() => void> = [];
    const probe = () => new Promise<string>((r) => release.push(() => r('probe')));
    const p1 = breaker.execute(probe);
    const p2 = breaker.execute(probe);
    const third = await breaker.execute(ok).catch((e: unknown) => e);
    expect((third as BrokenCircuitError).message).toBe('Circuit breaker is half-open and its probe calls are taken: call not attempted.');
    expect(release).toHaveLength(2);
    release[0]?.();
    await flushAsync();
    expect(breaker.state).toBe('half_open');
    release[1]?.();
    await Promise.all([p1, p2]);
    expect(breaker.state).toBe('closed');

    await expect(breaker.execute(fail('transient'))).rejects.toThrow();
    await clock.advance(500);
    await expect(breaker.execute(fail('transient'))).rejects.toThrow('transient');
    expect(breaker.state).toBe('open');
  });

  it('checks its options up front', () => {
    expect(() => circuitBreaker({ failureRateThreshold: -5 })).toThrow(
      'Invalid option circuitBreaker.failureRateThreshold: must be a number from 1 to 100 (got -5)',
    );
    expect(() => circuitBreaker({ windowSize: 5, minimumCalls: 6 })).toThrow(
      'Invalid option circuitBreaker.windowSize: must be >= circuitBreaker.minimumCalls (got 5 < 6)',
    );
    expect(() => circuitBreaker({ halfOpenProbes: 0 })).toThrow('Invalid option circuitBreaker.halfOpenProbes: must be an integer from 1 to 1000 (got 0)');
    expect(() => circuitBreaker({ coolDownMs: -1 })).toThrow('Invalid option circuitBreaker.coolDownMs: must be a number from 0 to 86400000 (got -1)');
  });
});
