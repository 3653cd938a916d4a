import { describe, expect, it } from 'vitest';
import { PolicyTimeoutError } from '../../../../src/errors/policy-timeout-error.js';
import { classifyError } from '../../../../src/policy/classify.js';
import type { PolicyEvent } from '../../../../src/policy/values/events.js';
import { timeout } from '../../../../src/policy/values/timeout.js';
import { flushAsync, ManualClock } from '../../../../src/time/clock.js';

const never = () => new Promise<never>(() => {});

describe('timeout policy value', () => {
  it('fails a call that ignores its signal at the deadline, aborts the signal, and drops the late result', async () => {
    const clock = new ManualClock();
    const policy = timeout({ timeoutMs: 1000, clock });
    const events: PolicyEvent[] = [];
    policy.onEvent((e) => events.push(e));
    let signal: AbortSignal | undefined;
    let finishLate: (v: string) => void = () => {};
    const result = policy
      .execute((ctx) => {
        signal = ctx.signal;
        return new Promise<string>((r) => (finishLate = r));
      })
      .catch((e: unknown) => e);
    await clock.advance(999);
    expect(signal?.aborted).toBe(false);
    await clock.advance(1);
    const error = (await result) as PolicyTimeoutError;
    expect(error).toBeInstanceOf(PolicyTimeoutError);
    expect(error.message).toBe('Call timed out after 1000 ms (timeout policy).');
    expect(classifyError(error).errorClass).toBe('timeout');
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toBe(error);
    finishLate('too late');
    await flushAsync();
    expect(events.map((e) => [e.type, e.data])).toEqual([['timeout.timed_out', { timeoutMs: 1000 }]]);
  });

  it('gives every call its own deadline counted from its start', async () => {
    const clock = new ManualClock();
    const policy = timeout({ timeoutMs: 100, clock });
    const settled: string[] = [];
    const a = policy.execute(never).catch(() => settled.push('a'));
    await clock.advance(60);
    const b = policy.execute(never).catch(() => settled.push('b'));
    await clock.advance(40);
    expect(settled).toEqual(['a']);
    await clock.advance(59);
    expect(settled).toEqual(['a']);
    await clock.advance(1);
    expect(settled).toEqual(['a', 'b']);
    await Promise.all([a, b]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('returns a result that beats the deadline and does not fail it afterwards', async () => {
    const clock = new ManualClock();
    const policy = timeout({ timeoutMs: 50, clock });
    await expect(policy.execute(async () => 'fast')).resolves.toBe('fast');
    const slow = policy.execute(never).catch((e: unknown) => e);
    await clock.advance(50);
    expect(await slow).toBeInstanceOf(PolicyTimeoutError);
  });

  it("rejects with the caller's abort reason at once and aborts the call's signal", async () => {
    const clock = new ManualClock();
    const policy = timeout({ timeoutMs: 1000, clock });
    const controller = new AbortController();
    let signal: AbortSignal | undefined;
    const result = policy
      .execute((ctx) => {
        signal = ctx.signal;
        return never();
      }, controller.signal)
      .catch((e: unknown) => e);
    controller.abort(new Error('user cancelled'));
    expect(((await result) as Error).message).toBe('user cancelled');
    expect(signal?.aborted).toBe(true);
    await expect(policy.execute(async () => 1, controller.signal)).rejects.toThrow('user cancelled');
  });

  it('checks timeoutMs up front', () => {
    expect(() => timeout({ timeoutMs: 0 })).toThrow('Invalid option timeout.timeoutMs: must be a number from 1 to 2147483647 (got 0)');
    expect(() => timeout({} as never)).toThrow('Invalid option timeout.timeoutMs: must be a number from 1 to 2147483647 (got undefined)');
    expect(() => timeout({ timeoutMs: 5, timeotMs: 1 } as never)).toThrow('Invalid option timeout.timeotMs: unknown option (known: timeoutMs, clock)');
  });
});
