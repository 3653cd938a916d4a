import { PolicyTimeoutError } from '../../errors/policy-timeout-error.js';
import { checkNumber, checkOptions, type NumberBounds } from '../../options/option-check.js';
import { monotonicNow, type Clock, type TimerHandle } from '../../time/clock.js';
import { clockOption } from './common-options.js';
import { isNeverSignal, PolicyBase, type PolicyContext, type PolicyFn } from './policy.js';

export interface TimeoutPolicyOptions {
  /** The deadline of each call, from its start. */
  timeoutMs: number;
  /** Default: the system clock. */
  clock?: Clock;
}

const TIMEOUT_MS: NumberBounds = { min: 1, max: 2 ** 31 - 1, integer: false };

/**
 * One call in flight. Its signal is made only if the function reads it: an AbortController per
 * call would cost more than the rest of the policy.
 */
class Call<T> implements PolicyContext {
  next: Call<unknown> | undefined;
  done = false;
  cleanup: (() => void) | undefined;
  private controller: AbortController | undefined;
  private abortReason: unknown;

  constructor(
    private readonly parent: PolicyContext,
    readonly deadline: number,
    private readonly resolve: (value: T) => void,
    private readonly reject: (error: unknown) => void,
    private readonly owner: { settled(): void },
  ) {}

  get attempt(): number {
    return this.parent.attempt;
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.abortReason !== undefined) this.controller.abort(this.abortReason);
    }
    return this.controller.signal;
  }

  succeed(value: T): void {
    if (this.finish()) this.resolve(value);
  }

  /** Ends the call with `error` (settling first: a function reacting to the abort must not win the race), then aborts its signal. */
  fail(error: unknown): void {
    if (!this.finish()) return;
    this.reject(error);
    this.abortReason = error;
    this.controller?.abort(error);
  }

  private finish(): boolean {
    if (this.done) return false;
    this.done = true;
    this.cleanup?.();
    this.owner.settled();
    return true;
  }
}

/**
 * Gives each call `timeoutMs`: at the deadline the call's signal aborts and the caller gets a
 * PolicyTimeoutError (class `timeout`) even if the function ignores the signal; its late outcome
 * is dropped. All deadlines of one policy are `timeoutMs` after their start, so they come due in
 * start order: the calls wait in one queue under a single timer instead of one timer each.
 */
export class TimeoutPolicyValue extends PolicyBase {
  readonly timeoutMs: number;
  private readonly clock: Clock;
  private head: Call<unknown> | undefined;
  private tail: Call<unknown> | undefined;
  private timer: TimerHandle | undefined;

  constructor(options: TimeoutPolicyOptions) {
    super();
    const o = checkOptions(options, 'timeout', { timeoutMs: (v, p) => checkNumber(v, p, TIMEOUT_MS), clock: () => {} });
    if (o.timeoutMs === undefined) checkNumber(undefined, 'timeout.timeoutMs', TIMEOUT_MS);
    this.timeoutMs = o.timeoutMs as number;
    this.clock = clockOption(o.clock, 'timeout.clock');
  }

  run<T>(fn: PolicyFn<T>, parent: PolicyContext): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const call = new Call<T>(parent, monotonicNow(this.clock) + this.timeoutMs, resolve, reject, this);
      this.enqueue(call as Call<unknown>);
      const parentSignal = parent.signal;
      if (!isNeverSignal(parentSignal)) {
        if (parentSignal.aborted) return call.fail(parentSignal.reason);
        const onAbort = () => call.fail(parentSignal.reason);
        parentSignal.addEventListener('abort', onAbort, { once: true });
        call.cleanup = () => parentSignal.removeEventListener('abort', onAbort);
      }
      let result: Promise<T> | T;
      try {
        result = fn(call);
      } catch (error) {
        return call.fail(error);
      }
      Promise.resolve(result).then(
        (value) => call.succeed(value),
        (error: unknown) => call.fail(error),
      );
    });
  }

  /** @internal A call settled. */
  settled(): void {
    // Finished calls leave the front of the queue now, not at the next timer: the queue stays as
    // short as the calls in flight, and nothing keeps their closures alive until the deadline.
    while (this.head?.done) {
      const call = this.head;
      this.head = call.next;
      call.next = undefined;
    }
    if (!this.head) this.tail = undefined;
  }

  private enqueue(call: Call<unknown>): void {
    if (this.tail) this.tail.next = call;
    else this.head = call;
    this.tail = call;
    this.timer ??= this.arm(this.timeoutMs);
  }

  /** Fails the calls whose deadline passed, drops the finished ones, re-arms for the next. */
  private expire(): void {
    this.timer = undefined;
    const now = monotonicNow(this.clock);
    while (this.head && (this.head.done || this.head.deadline <= now)) {
      const call = this.head;
      this.head = call.next;
      call.next = undefined;
      if (!call.done) {
        this.events.emit('timeout.timed_out', { timeoutMs: this.timeoutMs }, this.clock.now());
        call.fail(new PolicyTimeoutError(this.timeoutMs));
      }
    }
    if (!this.head) this.tail = undefined;
    else this.timer = this.arm(this.head.deadline - now);
  }

  /**
   * The one timer does not keep the process alive (docs/decisions/2026-11-29-policy-values.md):
   * a call that can still finish holds its own handle (socket, child, timer), and toggling
   * ref/unref per call would cost a quarter of the policy.
   */
  private arm(ms: number): TimerHandle {
    const timer = this.clock.setTimer(ms, () => this.expire());
    timer.setRef?.(false);
    return timer;
  }
}

/** A timeout policy value: `timeout({ timeoutMs: 5_000 })`. */
export function timeout(options: TimeoutPolicyOptions): TimeoutPolicyValue {
  return new TimeoutPolicyValue(options);
}
