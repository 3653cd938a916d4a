import { afterEach, describe, expect, it } from 'vitest';
import { PolicyTimeoutError } from '../../../../src/errors/policy-timeout-error.js';
import { defineWorkflow } from '../../../../src/workflow/define.js';
import { ClassifiedError } from '../../../../src/policy/classified-error.js';
import type { PolicyEvent } from '../../../../src/policy/values/events.js';
import { fallback } from '../../../../src/policy/values/fallback.js';
import { retry } from '../../../../src/policy/values/retry.js';
import { timeout } from '../../../../src/policy/values/timeout.js';
import { wrap } from '../../../../src/policy/values/wrap.js';
import { flushAsync, ManualClock } from '../../../../src/time/clock.js';
import { startEngine, type TestEngine } from '../../../helpers.js';

let engine: TestEngine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

/** A call that hangs on its first `hangs` attempts (honouring its signal) and answers after. */
function flaky(hangs: number) {
  const seen: number[] = [];
  const fn = ({ attempt, signal }: { attempt: number; signal: AbortSignal }) => {
    seen.push(attempt);
    if (attempt > hangs) return Promise.resolve(`answer ${attempt}`);
    return new Promise<string>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }));
  };
  return { fn, seen };
}

describe('wrap: composition, outermost first', () => {
  it('wrap(retry, timeout) gives each attempt its own deadline and retries an attempt that timed out', async () => {
    const clock = new ManualClock();
    const policy = wrap(retry({ maxAttempts: 3, initialDelayMs: 0, clock }), timeout({ timeoutMs: 100, clock }));
    const events: PolicyEvent[] = [];
    policy.onEvent((e) => events.push(e));
    const { fn, seen } = flaky(2);
    const result = policy.execute(fn);
    await clock.advance(100);
    await clock.advance(100);
    await expect(result).resolves.toBe('answer 3');
    expect(seen).toEqual([1, 2, 3]);
    expect(events.map((e) => e.type)).toEqual(['timeout.timed_out', 'retry.retrying', 'timeout.timed_out', 'retry.retrying']);
  });

  it('wrap(timeout, retry) gives all the attempts one deadline', async () => {
    const clock = new ManualClock();
    const policy = wrap(timeout({ timeoutMs: 100, clock }), retry({ maxAttempts: 5, initialDelayMs: 30, jitter: 'none', backoffMultiplier: 1, clock }));
    let calls = 0;
    const result = policy
      .execute(() => {
        calls++;
        return Promise.reject(new ClassifiedError('blip', { errorClass: 'transient' }));
      })
      .catch((e: unknown) => e);
    await clock.advance(100);
    expect(await result).toBeInstanceOf(PolicyTimeoutError);
    expect(calls).toBe(4); // at 0, 30, 60, 90; the wait after the 4th is cut by the deadline
    await clock.advance(1000);
    expect(calls).toBe(4);
  });

  it('wrap(fallback, retry, timeout): the fallback answers once the retries are spent', async () => {
    const clock = new ManualClock();
    const policy = wrap(fallback({ handler: () => 'fallback' }), retry({ maxAttempts: 2, initialDelayMs: 0, clock }), timeout({ timeoutMs: 10, clock }));
    const { fn, seen } = flaky(5);
    const result = policy.execute(fn);
    await clock.advance(10);
    await clock.advance(10);
    await expect(result).resolves.toBe('fallback');
    expect(seen).toEqual([1, 2]);
  });

  it('rejects anything that is not a policy, naming its position', () => {
    expect(() => wrap()).toThrow('Invalid option wrap: needs at least one policy (got none)');
    expect(() => wrap(retry(), {} as never)).toThrow('Invalid option wrap[1]: must be a policy (retry, timeout, fallback, circuitBreaker, bulkhead or wrap)');
  });

  it('works inside a step: the step signal reaches the call, and the retried value is the step result', async () => {
    const policy = wrap(retry({ maxAttempts: 3, initialDelayMs: 0 }), timeout({ timeoutMs: 60_000 }));
    const signals: boolean[] = [];
    let calls = 0;
    const call = (signal: AbortSignal) => {
      signals.push(signal instanceof AbortSignal && !signal.aborted);
      if (++calls < 3) throw new ClassifiedError('blip', { errorClass: 'transient' });
      return Promise.resolve(calls);
    };
    const wf = defineWorkflow('policies.in-step', async (ctx) => ctx.step('x', ({ signal }) => policy.execute(() => call(signal))));
    engine = await startEngine({ workflows: [wf] });
    const handle = await engine.lifeline.start(wf, undefined);
    expect(await handle.result()).toBe(3);
    expect(signals).toEqual([true, true, true]);
    const steps = await engine.lifeline.store.getSteps(handle.runId);
    expect(steps.map((s) => [s.stepId, s.status])).toEqual([['x#0', 'completed']]);
    await flushAsync();
  });
});
