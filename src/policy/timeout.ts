import type { Clock, TimerHandle } from '../time/clock.js';
import { StepTimeoutError } from '../errors/timeout-errors.js';
import { optionError, describeValue } from '../options/option-check.js';

export interface RunWithTimeoutOptions {
  /** undefined (or Infinity): no deadline. */
  timeoutMs: number | undefined;
  stepId: string;
  clock: Clock;
  /** Run-level signal (cancellation, shutdown); its abort propagates to `fn`. */
  parentSignal?: AbortSignal;
}

/**
 * Runs `fn` with a signal that aborts at the deadline or when the parent aborts. The result
 * settles at the deadline even if `fn` ignores the signal: a step that hangs must not hang the
 * run. `fn`'s late outcome is then dropped (and its rejection handled, so it is not reported
 * as unhandled).
 */
export async function runWithTimeout<T>(fn: (signal: AbortSignal) => Promise<T> | T, options: RunWithTimeoutOptions): Promise<T> {
  const { timeoutMs, stepId, clock, parentSignal } = options;
  if (timeoutMs !== undefined && !(timeoutMs >= 0)) {
    throw optionError('timeoutMs', `must be a number >= 0 (got ${describeValue(timeoutMs)})`);
  }
  // Not started at all: work begun after a cancellation would be thrown away anyway.
  if (parentSignal?.aborted) throw parentSignal.reason;

  const hasDeadline = timeoutMs !== undefined && timeoutMs !== Infinity;
  // A signal of its own for every call, even without a deadline, never the run's long-lived one:
  // SDKs add an abort listener to the signal of every request and never remove it (openai's
  // fetchWithTimeout), so a run's signal shared by all its steps would collect one listener per
  // model call (MaxListenersExceededWarning after 10, and memory held until the run ends).
  // This signal, with what was added to it, is garbage once the call is over.
  const controller = new AbortController();
  const signal = controller.signal;
  return new Promise<T>((resolve, reject) => {
    let done = false;
    let timer: TimerHandle | undefined;
    const settle = (finish: () => void) => {
      if (done) return;
      done = true;
      timer?.cancel();
      parentSignal?.removeEventListener('abort', onParentAbort);
      finish();
    };
    const onParentAbort = () => {
      const reason: unknown = parentSignal?.reason;
      settle(() => reject(reason));
      controller.abort(reason);
    };
    parentSignal?.addEventListener('abort', onParentAbort, { once: true });
    if (hasDeadline) {
      // Clocks chain timers longer than setTimeout's 2^31-1 ms limit themselves.
      timer = clock.setTimer(timeoutMs, () => {
        const error = new StepTimeoutError(stepId, timeoutMs);
        // Settle first: fn reacting to the abort synchronously must not win the race.
        settle(() => reject(error));
        controller.abort(error);
      });
    }
    let result: Promise<T> | T;
    try {
      result = fn(signal);
    } catch (error) {
      settle(() => reject(error));
      return;
    }
    Promise.resolve(result).then(
      (value) => settle(() => resolve(value)),
      (error: unknown) => settle(() => reject(error)),
    );
  });
}
