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
 * The signal of one call, made only when the call reads it (an AbortController costs microseconds
 * a step that never looks at its signal need not pay). A signal of its own for every call, never
 * the run's long-lived one: SDKs add an abort listener to the signal of every request and never
 * remove it (openai's fetchWithTimeout), so one signal shared by all of a run's steps would collect
 * a listener per model call (MaxListenersExceededWarning after 10, memory held until the run
 * ends). This one, with what was added to it, is garbage once the call is over.
 */
export class CallSignal {
  private controller: AbortController | undefined;
  private aborted = false;
  private reason: unknown;

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.controller?.abort(reason);
  }
}

/**
 * Runs `fn` with a signal (`call.signal`) that aborts at the deadline or when the parent aborts.
 * The result settles at the deadline even if `fn` ignores the signal: a step that hangs must not
 * hang the run. `fn`'s late outcome is then dropped (and its rejection handled, so it is not
 * reported as unhandled).
 */
export async function runWithTimeout<T>(fn: (call: CallSignal) => Promise<T> | T, options: RunWithTimeoutOptions): Promise<T> {
  const { timeoutMs, stepId, clock, parentSignal } = options;
  if (timeoutMs !== undefined && !(timeoutMs >= 0)) {
    throw optionError('timeoutMs', `must be a number >= 0 (got ${describeValue(timeoutMs)})`);
  }
  // Not started at all: work begun after a cancellation would be thrown away anyway.
  if (parentSignal?.aborted) throw parentSignal.reason;

  const hasDeadline = timeoutMs !== undefined && timeoutMs !== Infinity;
  const call = new CallSignal();
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
      call.abort(reason);
    };
    parentSignal?.addEventListener('abort', onParentAbort, { once: true });
    if (hasDeadline) {
      // Clocks chain timers longer than setTimeout's 2^31-1 ms limit themselves.
      timer = clock.setTimer(timeoutMs, () => {
        const error = new StepTimeoutError(stepId, timeoutMs);
        // Settle first: fn reacting to the abort synchronously must not win the race.
        settle(() => reject(error));
        call.abort(error);
      });
    }
    let result: Promise<T> | T;
    try {
      result = fn(call);
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
