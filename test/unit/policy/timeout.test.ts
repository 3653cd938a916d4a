import { getEventListeners } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock, flushAsync } from '../../../src/time/clock.js';
import { InvalidOptionsError } from '../../../src/errors/options-error.js';
import { StepTimeoutError } from '../../../src/errors/timeout-errors.js';
import { runWithTimeout, type CallSignal } from '../../../src/policy/timeout.js';

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Observes a promise without awaiting it, so tests can check "still pending" at a given time. */
function track<T>(promise: Promise<T>) {
  const state: { status: 'pending' | 'resolved' | 'rejected'; value?: T; error?: unknown } = { status: 'pending' };
  promise.then(
    (value) => Object.assign(state, { status: 'resolved', value }),
    (error: unknown) => Object.assign(state, { status: 'rejected', error }),
  );
  return state;
}

let clock: ManualClock;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeEach(() => {
  clock = new ManualClock();
  unhandled.length = 0;
  process.on('unhandledRejection', onUnhandled);
});

afterEach(async () => {
  await flushAsync(10);
  process.off('unhandledRejection', onUnhandled);
  expect(unhandled).toEqual([]);
});

describe('runWithTimeout', () => {
  it('resolves with fn result and cancels the timer', async () => {
    const result = await runWithTimeout(() => Promise.resolve(7), { timeoutMs: 1000, stepId: 's', clock });
    expect(result).toBe(7);
    expect(clock.pendingTimers).toBe(0);
  });

  it('accepts a synchronous result and no timeout', async () => {
    await expect(runWithTimeout(() => 'sync', { timeoutMs: undefined, stepId: 's', clock })).resolves.toBe('sync');
    expect(clock.pendingTimers).toBe(0);
  });

  it('turns a synchronous throw into a rejection', async () => {
    const boom = new Error('boom');
    const p = runWithTimeout(
      () => {
        throw boom;
      },
      { timeoutMs: 1000, stepId: 's', clock },
    );
    await expect(p).rejects.toBe(boom);
    expect(clock.pendingTimers).toBe(0);
  });

  it('rejects at the deadline even if fn ignores the signal, and drops its late result', async () => {
    const late = deferred<string>();
    const state = track(runWithTimeout(() => late.promise, { timeoutMs: 1000, stepId: 'slow', clock }));
    await clock.advance(999);
    expect(state.status).toBe('pending');
    await clock.advance(1);
    expect(state.status).toBe('rejected');
    expect(state.error).toBeInstanceOf(StepTimeoutError);
    expect((state.error as Error).message).toBe('Step "slow" timed out after 1000 ms.');
    late.resolve('too late');
    await flushAsync();
    expect(state.status).toBe('rejected');
  });

  it('a late rejection from fn is not an unhandled rejection', async () => {
    const late = deferred<string>();
    const state = track(runWithTimeout(() => late.promise, { timeoutMs: 10, stepId: 's', clock }));
    await clock.advance(10);
    expect(state.error).toBeInstanceOf(StepTimeoutError);
    late.reject(new Error('late failure'));
    // afterEach asserts that nothing was reported as unhandled.
  });

  it('fn that honours the signal sees a StepTimeoutError reason', async () => {
    let seen: unknown;
    const p = runWithTimeout(
      ({ signal }) =>
        new Promise<never>((_, reject) => {
          signal.addEventListener('abort', () => {
            seen = signal.reason;
            reject(new Error('aborted by signal'));
          });
        }),
      { timeoutMs: 50, stepId: 's', clock },
    );
    const state = track(p);
    await clock.advance(50);
    expect(seen).toBeInstanceOf(StepTimeoutError);
    // The timeout, not fn's reaction to it, is what the caller sees.
    expect(state.error).toBeInstanceOf(StepTimeoutError);
  });

  it('rejects at once with the parent reason, aborts fn and cancels the timer', async () => {
    const parent = new AbortController();
    let seen: unknown;
    const state = track(
      runWithTimeout(
        ({ signal }) => {
          signal.addEventListener('abort', () => (seen = signal.reason));
          return new Promise<never>(() => {});
        },
        { timeoutMs: 1000, stepId: 's', clock, parentSignal: parent.signal },
      ),
    );
    await flushAsync();
    const reason = new Error('run cancelled');
    parent.abort(reason);
    await flushAsync();
    expect(state).toMatchObject({ status: 'rejected', error: reason });
    expect(seen).toBe(reason);
    expect(clock.pendingTimers).toBe(0);
  });

  it('does not call fn when the parent is already aborted', async () => {
    const parent = new AbortController();
    parent.abort(new Error('gone'));
    let called = false;
    const p = runWithTimeout(() => (called = true), { timeoutMs: 10, stepId: 's', clock, parentSignal: parent.signal });
    await expect(p).rejects.toThrow('gone');
    expect(called).toBe(false);
  });

  it('gives every call a signal of its own, made when first read: read after the deadline it is already aborted', async () => {
    const parent = new AbortController();
    const signals: AbortSignal[] = [];
    await runWithTimeout(({ signal }) => signals.push(signal), { timeoutMs: undefined, stepId: 's', clock, parentSignal: parent.signal });
    await runWithTimeout(({ signal }) => signals.push(signal), { timeoutMs: undefined, stepId: 's', clock, parentSignal: parent.signal });
    // Never the parent's long-lived signal: SDKs leave a listener on every signal they are given.
    expect(signals[0]).not.toBe(parent.signal);
    expect(signals[0]).not.toBe(signals[1]);
    let late: CallSignal | undefined;
    const timedOut = track(
      runWithTimeout(
        (call) => {
          late = call;
          return new Promise<never>(() => {});
        },
        { timeoutMs: 10, stepId: 's', clock },
      ),
    );
    await clock.advance(10);
    expect(timedOut.error).toBeInstanceOf(StepTimeoutError);
    expect(late?.signal.aborted).toBe(true);
    expect(late?.signal.reason).toBe(timedOut.error);
  });

  it('stops listening to the parent once settled, however it settled', async () => {
    // One run signal outlives thousands of steps: a listener left behind per step is a leak.
    const parent = new AbortController();
    const listeners = () => getEventListeners(parent.signal, 'abort').length;
    await runWithTimeout(() => 1, { timeoutMs: 10, stepId: 's', clock, parentSignal: parent.signal });
    expect(listeners()).toBe(0);
    await runWithTimeout(() => 1, { timeoutMs: undefined, stepId: 's', clock, parentSignal: parent.signal });
    expect(listeners()).toBe(0);
    await expect(runWithTimeout(() => Promise.reject(new Error('no')), { timeoutMs: 10, stepId: 's', clock, parentSignal: parent.signal })).rejects.toThrow(
      'no',
    );
    expect(listeners()).toBe(0);
    const timedOut = track(runWithTimeout(() => new Promise<never>(() => {}), { timeoutMs: 10, stepId: 's', clock, parentSignal: parent.signal }));
    expect(listeners()).toBe(1);
    await clock.advance(10);
    expect(timedOut.error).toBeInstanceOf(StepTimeoutError);
    expect(listeners()).toBe(0);
    parent.abort(new Error('after the fact')); // must not throw or reject anything
    await flushAsync();
  });

  it('a zero timeout fires on the next advance', async () => {
    const state = track(runWithTimeout(() => new Promise<never>(() => {}), { timeoutMs: 0, stepId: 's', clock }));
    await clock.advance(0);
    expect(state.error).toBeInstanceOf(StepTimeoutError);
  });

  it('a timeout longer than setTimeout allows fires at its deadline (systemClock chaining: test/unit/system-clock.test.ts)', async () => {
    const month = 30 * 24 * 3600 * 1000;
    const state = track(runWithTimeout(() => new Promise<never>(() => {}), { timeoutMs: month, stepId: 's', clock }));
    await clock.advance(month - 1);
    expect(state.status).toBe('pending');
    await clock.advance(1);
    expect(state.error).toBeInstanceOf(StepTimeoutError);
  });

  it('rejects a negative or NaN timeout', async () => {
    await expect(runWithTimeout(() => 1, { timeoutMs: -1, stepId: 's', clock })).rejects.toThrow(
      new InvalidOptionsError('Invalid option timeoutMs: must be a number >= 0 (got -1)'),
    );
    await expect(runWithTimeout(() => 1, { timeoutMs: NaN, stepId: 's', clock })).rejects.toBeInstanceOf(InvalidOptionsError);
  });
});
