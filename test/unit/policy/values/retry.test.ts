import { describe, expect, it } from 'vitest';
import { ClassifiedError } from '../../../../src/policy/classified-error.js';
import { retry } from '../../../../src/policy/values/retry.js';
import type { PolicyEvent } from '../../../../src/policy/values/events.js';
import { flushAsync, ManualClock } from '../../../../src/time/clock.js';

const transient = () => new ClassifiedError('blip', { errorClass: 'transient' });

describe('retry policy value', () => {
  it('retries a transient failure after the engine backoff (initial, then doubled) and reports each retry', async () => {
    const clock = new ManualClock();
    const policy = retry({ maxAttempts: 3, initialDelayMs: 100, jitter: 'none', clock });
    const events: PolicyEvent[] = [];
    policy.onEvent((e) => events.push(e));
    const attempts: number[] = [];
    const result = policy.execute(({ attempt }) => {
      attempts.push(attempt);
      if (attempt < 3) throw transient();
      return 'ok';
    });
    await flushAsync();
    expect(attempts).toEqual([1]);
    await clock.advance(99);
    expect(attempts).toEqual([1]);
    await clock.advance(1);
    expect(attempts).toEqual([1, 2]);
    await clock.advance(199);
    expect(attempts).toEqual([1, 2]);
    await clock.advance(1);
    await expect(result).resolves.toBe('ok');
    expect(events.map((e) => [e.type, e.data])).toEqual([
      ['retry.retrying', { attempt: 1, errorClass: 'transient', delayMs: 100, message: 'blip' }],
      ['retry.retrying', { attempt: 2, errorClass: 'transient', delayMs: 200, message: 'blip' }],
    ]);
  });

  it('gives up at once on a class that is not retried (validation) and after maxAttempts otherwise', async () => {
    const clock = new ManualClock();
    const policy = retry({ maxAttempts: 2, initialDelayMs: 10, jitter: 'none', clock });
    const events: PolicyEvent[] = [];
    policy.onEvent((e) => events.push(e));
    let calls = 0;
    await expect(
      policy.execute(() => {
        calls++;
        throw new ClassifiedError('bad input', { errorClass: 'validation' });
      }),
    ).rejects.toThrow('bad input');
    expect(calls).toBe(1);
    expect(events.map((e) => e.data)).toEqual([{ attempts: 1, errorClass: 'validation', reason: 'validation errors are not retried', message: 'bad input' }]);

    const failing = policy.execute(() => Promise.reject(transient()));
    const caught = failing.catch((e: unknown) => e);
    await clock.advance(10);
    expect(await caught).toBeInstanceOf(ClassifiedError);
    expect(events.at(-1)?.data).toMatchObject({ attempts: 2, reason: 'gave up after 2 attempts' });
  });

  it('stops waiting and retrying when the signal aborts', async () => {
    const clock = new ManualClock();
    const policy = retry({ maxAttempts: 5, initialDelayMs: 1000, jitter: 'none', clock });
    const controller = new AbortController();
    let calls = 0;
    const result = policy
      .execute(() => {
        calls++;
        throw transient();
      }, controller.signal)
      .catch((e: unknown) => e);
    await flushAsync();
    controller.abort(new Error('shutting down'));
    expect(((await result) as Error).message).toBe('shutting down');
    await clock.advance(10_000);
    expect(calls).toBe(1);
    expect(clock.pendingTimers).toBe(0);
  });

  it('does not retry (or report a retry) an attempt that failed after the signal aborted', async () => {
    const policy = retry({ maxAttempts: 5, initialDelayMs: 1000, clock: new ManualClock() });
    const events: PolicyEvent[] = [];
    policy.onEvent((e) => events.push(e));
    const controller = new AbortController();
    const error = await policy
      .execute(() => {
        controller.abort(new Error('cancelled'));
        throw transient();
      }, controller.signal)
      .catch((e: unknown) => e);
    expect((error as Error).message).toBe('blip');
    expect(events).toEqual([]);
  });

  it('honours a Retry-After the error carries instead of the backoff', async () => {
    const clock = new ManualClock();
    const policy = retry({ initialDelayMs: 10, jitter: 'none', clock });
    let calls = 0;
    const result = policy.execute(() => {
      if (++calls === 1) throw new ClassifiedError('slow down', { errorClass: 'rate_limit', retryAfterMs: 5000 });
      return calls;
    });
    await clock.advance(4999);
    expect(calls).toBe(1);
    await clock.advance(1);
    await expect(result).resolves.toBe(2);
  });

  it('checks its options up front with the field and the bound in the message', () => {
    expect(() => retry({ maxAttempts: 0 })).toThrow('Invalid option retry.maxAttempts: must be an integer from 1 to 1000 (got 0)');
    expect(() => retry({ maxAttemps: 3 } as never)).toThrow(
      'Invalid option retry.maxAttemps: unknown option (known: maxAttempts, initialDelayMs, maxDelayMs, backoffMultiplier, jitter, maxRetryAfterMs, classes)',
    );
    expect(() => retry({ initialDelayMs: 500, maxDelayMs: 100 })).toThrow('Invalid option retry.maxDelayMs: must be >= retry.initialDelayMs (got 100 < 500)');
    expect(() => retry({ clock: {} as never })).toThrow('Invalid option retry.clock: must be a Clock (an object with now, sleep, setTimer) (got object)');
    expect(() => retry({ rules: [1] as never })).toThrow('Invalid option retry.rules[0]: must be a function (got number)');
  });
});
