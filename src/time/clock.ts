/**
 * All time in Lifeline goes through a Clock so that tests can inject it: no test waits on
 * the wall clock, and retries, leases and durable sleeps are driven by `ManualClock.advance`.
 */
export interface Clock {
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason if it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  setTimer(ms: number, fn: () => void): TimerHandle;
  /** Optional: a clock for measuring elapsed time that never jumps (wall-clock changes don't move it). */
  monotonic?(): number;
}

/** Elapsed-time reading: the clock's monotonic source, or its `now()` when it has none (ManualClock). */
export function monotonicNow(clock: Clock): number {
  return clock.monotonic ? clock.monotonic() : clock.now();
}

export interface TimerHandle {
  cancel(): void;
  /** Optional: whether the timer keeps the process alive (Node's ref/unref); true when set. */
  setRef?(ref: boolean): void;
}

/** Resolves after `ms` on `clock`'s timers; rejects with the signal's reason if it aborts first. */
function abortableSleep(clock: Pick<Clock, 'setTimer'>, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const handle = clock.setTimer(ms, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    const onAbort = () => {
      handle.cancel();
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** setTimeout fires at once for delays over 2^31-1 ms; longer timers are chained. */
const MAX_TIMER_MS = 2 ** 31 - 1;

function longTimeout(ms: number, fn: () => void): { clear: () => void; setRef: (ref: boolean) => void } {
  let handle: NodeJS.Timeout;
  let refed = true;
  const arm = (left: number) => {
    handle = setTimeout(() => (left > MAX_TIMER_MS ? arm(left - MAX_TIMER_MS) : fn()), Math.min(left, MAX_TIMER_MS));
    if (!refed) handle.unref();
  };
  arm(ms);
  return {
    clear: () => clearTimeout(handle),
    setRef: (ref) => {
      refed = ref;
      if (ref) handle.ref();
      else handle.unref();
    },
  };
}

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  sleep(ms, signal) {
    return abortableSleep(this, ms, signal);
  },
  setTimer(ms, fn) {
    const t = longTimeout(ms, fn);
    return { cancel: () => t.clear(), setRef: (ref) => t.setRef(ref) };
  },
};

/** A clock that only moves when told to. Timers fire in due order during `advance`. */
export class ManualClock implements Clock {
  private current: number;
  private timers: Array<{ at: number; seq: number; fn: () => void }> = [];
  private seq = 0;

  constructor(start = 1_700_000_000_000) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const timer = { at: this.current + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(timer);
    return { cancel: () => (this.timers = this.timers.filter((t) => t !== timer)) };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return abortableSleep(this, ms, signal);
  }

  /** Number of timers not yet fired. */
  get pendingTimers(): number {
    return this.timers.length;
  }

  /**
   * Moves time forward by `ms` WITHOUT firing timers, as a stalled process experiences it (a
   * blocked event loop, GC, SIGSTOP): timers that came due fire at the next `advance`.
   */
  stall(ms: number): void {
    this.current += ms;
  }

  /**
   * Moves time forward by `ms`, firing due timers in order and letting the promise jobs
   * they start run (macrotask turns) before the next one fires.
   */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      await flushAsync();
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.current = Math.max(this.current, due.at);
      due.fn();
    }
    this.current = target;
    await flushAsync();
  }
}

/** Lets pending promise jobs and I/O callbacks run: a few macrotask turns. */
export async function flushAsync(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((r) => setImmediate(r));
}
