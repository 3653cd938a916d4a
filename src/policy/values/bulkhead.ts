import { BulkheadRejectedError } from '../../errors/bulkhead-rejected-error.js';
import { checkNumber, checkOptions, type NumberBounds } from '../../options/option-check.js';
import type { Clock } from '../../time/clock.js';
import { clockOption } from './common-options.js';
import { invoke, isNeverSignal, PolicyBase, type PolicyContext, type PolicyFn } from './policy.js';

export interface BulkheadOptions {
  /** Calls allowed to run at once. */
  maxConcurrent: number;
  /** Calls allowed to wait for a slot (first come, first served). Default 0: reject at once. */
  maxQueue?: number;
  /** Only stamps the events. Default: the system clock. */
  clock?: Clock;
}

const CONCURRENT: NumberBounds = { min: 1, max: 1_000_000, integer: true };
const QUEUE: NumberBounds = { min: 0, max: 1_000_000, integer: true };

interface Waiter {
  start: () => void;
}

/**
 * At most `maxConcurrent` calls at once in this process, `maxQueue` more waiting; beyond that a
 * call fails at once with BulkheadRejectedError (class `rate_limit`). A waiting call whose signal
 * aborts leaves the queue with the signal's reason.
 */
export class BulkheadValue extends PolicyBase {
  readonly maxConcurrent: number;
  readonly maxQueue: number;
  private readonly clock: Clock;
  private active = 0;
  private readonly queue: Waiter[] = [];

  constructor(options: BulkheadOptions) {
    super();
    const o = checkOptions(options, 'bulkhead', {
      maxConcurrent: (v, p) => void checkNumber(v, p, CONCURRENT),
      maxQueue: (v, p) => void checkNumber(v, p, QUEUE),
      clock: () => {},
    });
    this.maxConcurrent = checkNumber(o.maxConcurrent, 'bulkhead.maxConcurrent', CONCURRENT);
    this.maxQueue = (o.maxQueue as number | undefined) ?? 0;
    this.clock = clockOption(o.clock, 'bulkhead.clock');
  }

  /** Calls running now. */
  get running(): number {
    return this.active;
  }

  /** Calls waiting for a slot now. */
  get queued(): number {
    return this.queue.length;
  }

  async run<T>(fn: PolicyFn<T>, parent: PolicyContext): Promise<T> {
    if (this.active >= this.maxConcurrent) await this.wait(parent.signal);
    else this.active++;
    try {
      return await invoke(fn, parent);
    } finally {
      this.release();
    }
  }

  /** Resolves once a slot was handed over to this call (the slot is already counted in `active`). */
  private wait(signal: AbortSignal): Promise<void> {
    if (this.queue.length >= this.maxQueue) {
      this.events.emit('bulkhead.rejected', { active: this.active, queued: this.queue.length }, this.clock.now());
      return Promise.reject(new BulkheadRejectedError(this.maxConcurrent, this.maxQueue));
    }
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    return new Promise<void>((resolve, reject) => {
      const never = isNeverSignal(signal);
      const onAbort = () => {
        const i = this.queue.indexOf(waiter);
        if (i >= 0) this.queue.splice(i, 1);
        reject(signal.reason);
      };
      const waiter: Waiter = {
        start: () => {
          if (!never) signal.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.queue.push(waiter);
      if (!never) signal.addEventListener('abort', onAbort, { once: true });
      this.events.emit('bulkhead.queued', { queued: this.queue.length }, this.clock.now());
    });
  }

  private release(): void {
    const waiter = this.queue.shift();
    if (waiter)
      waiter.start(); // the slot passes straight to the next waiter
    else this.active--;
  }
}

/** A bulkhead value: `bulkhead({ maxConcurrent: 4, maxQueue: 16 })`. */
export function bulkhead(options: BulkheadOptions): BulkheadValue {
  return new BulkheadValue(options);
}
