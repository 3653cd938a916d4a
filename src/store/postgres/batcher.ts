// Group commit for the hot durable writes (createRun, commitStep, finishRun). Concurrent calls
// of one kind are gathered on the next event-loop turn and written by ONE multi-row statement:
// one round trip, one transaction, one WAL flush for the lot. PostgreSQL's own group commit
// already shares the flush between connections, but every transaction still costs CPU in both
// processes (protocol, executor start, commit bookkeeping), and on a small machine that CPU, not
// the disk, is what limits throughput. A few batches may be in flight at once so the CPU work of
// one overlaps the WAL flush of another. A lone call is one statement, as it would be unbatched.
import { isConnectionFault } from './connection.js';

export interface BatcherOptions<A> {
  /** Batches in flight at once (each on its own pooled connection). */
  maxInFlight: number;
  maxBatch: number;
  /** Calls with the same key never share a batch (a statement cannot change a row twice). */
  keyOf: (arg: A) => string;
}

/** Measured on W2 (500 runs x 3 steps, 16 concurrent): see the postgres decision record. */
export const BATCHING = { maxInFlight: 2, maxBatch: 64 } as const;

interface Entry<A, R> {
  arg: A;
  resolve: (value: R) => void;
  reject: (error: unknown) => void;
}

export class StatementBatcher<A, R> {
  private queue: Entry<A, R>[] = [];
  private inFlight = 0;
  private scheduled = false;

  /** `write` returns one result per argument, in order; it throws only when the statement fails. */
  constructor(
    private readonly write: (args: A[]) => Promise<R[]>,
    private readonly options: BatcherOptions<A>,
  ) {}

  add(arg: A): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ arg, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.queue.length === 0 || this.inFlight >= this.options.maxInFlight) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.queue.length > 0 && this.inFlight < this.options.maxInFlight) {
      const batch = this.take();
      this.inFlight++;
      void this.run(batch).finally(() => {
        this.inFlight--;
        this.schedule();
      });
    }
  }

  /** The oldest calls, up to maxBatch, stopping before a key already taken (order is kept). */
  private take(): Entry<A, R>[] {
    const keys = new Set<string>();
    let n = 0;
    while (n < this.queue.length && n < this.options.maxBatch) {
      const key = this.options.keyOf((this.queue[n] as Entry<A, R>).arg);
      if (keys.has(key)) break;
      keys.add(key);
      n++;
    }
    return this.queue.splice(0, n);
  }

  private async run(batch: Entry<A, R>[]): Promise<void> {
    try {
      const results = await this.write(batch.map((e) => e.arg));
      batch.forEach((e, i) => e.resolve(results[i] as R));
    } catch (error) {
      // A statement error of a batch (e.g. one call's signal was already consumed) is retried
      // call by call, so it reaches only the call it concerns. A connection fault concerns all:
      // none of them knows whether the batch landed.
      if (batch.length === 1 || failsWholeBatch(error)) {
        for (const e of batch) e.reject(error);
        return;
      }
      await Promise.all(batch.map((e) => this.run([e])));
    }
  }
}

/**
 * Whether a failed multi-row statement failed for every call in it (a connection fault: none
 * knows whether the batch landed), rather than for one call's values (then each is retried alone).
 */
export function failsWholeBatch(error: unknown): boolean {
  return isConnectionFault(error) || (error as { code?: unknown } | null)?.code === 'STORE_UNAVAILABLE';
}
