import type Database from 'better-sqlite3';
import { LifelineError } from '../../errors/lifeline-error.js';

/**
 * Group commit. A commit at synchronous=FULL costs one fsync, which dwarfs the SQL, so writes
 * are queued and flushed together in ONE `BEGIN IMMEDIATE` transaction on the next
 * setImmediate after the first enqueue: concurrent runs share the fsync. Each op runs in its
 * own SAVEPOINT so an op that throws (LeaseLostError, ...) rolls back alone and rejects only
 * its own promise; promises resolve only after COMMIT returned, i.e. after the data is durable.
 *
 * Soft ops (attempt bookkeeping, heartbeats, events) need not survive power loss. A batch of
 * only soft ops commits at synchronous=NORMAL: in WAL mode that survives a process crash,
 * and the next FULL commit's fsync of the WAL makes those earlier frames durable as well.
 */
export class WriteBatcher {
  private queue: Op[] = [];
  private scheduled = false;
  private closed = false;
  private readonly runBatch: Database.Transaction<(ops: Op[], out: Outcome[]) => void>;
  private readonly runInSavepoint: Database.Transaction<(op: Op) => unknown>;

  constructor(
    private readonly db: Database.Database,
    private readonly synchronous: 'FULL' | 'NORMAL',
  ) {
    // better-sqlite3 turns a transaction function called inside a transaction into a SAVEPOINT.
    this.runInSavepoint = db.transaction((op: Op) => op.fn());
    this.runBatch = db.transaction((ops: Op[], out: Outcome[]) => {
      const [only] = ops;
      // One op needs no savepoint: if it throws, rolling back the whole batch is the same thing.
      if (ops.length === 1 && only !== undefined) {
        out[0] = { ok: true, value: only.fn() };
        return;
      }
      ops.forEach((op, i) => {
        try {
          out[i] = { ok: true, value: this.runInSavepoint(op) };
        } catch (error) {
          // Lock trouble or an error that already rolled the transaction back (I/O, disk full)
          // concerns the whole batch, not this op.
          if (isBusyError(error) || !db.inTransaction) throw error;
          out[i] = { ok: false, error };
        }
      });
    });
  }

  get pending(): boolean {
    return this.queue.length > 0;
  }

  write<T>(durable: boolean, fn: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new LifelineError('STORE_CLOSED', 'logic', 'The store is closed.'));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ durable, fn, resolve: resolve as (v: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.flush();
        });
      }
    });
  }

  /** Commits everything queued now. Never throws: failures go to the ops' promises. */
  flush(): void {
    if (this.queue.length === 0) return;
    const ops = this.queue;
    this.queue = [];
    const durable = ops.some((op) => op.durable);
    let out: Outcome[] = [];
    try {
      withBusyRetry(() => {
        out = new Array<Outcome>(ops.length);
        this.commit(ops, out, durable);
      });
    } catch (error) {
      out = ops.map(() => ({ ok: false, error }));
    }
    ops.forEach((op, i) => {
      const o = out[i];
      if (o?.ok) op.resolve(o.value);
      else op.reject(o ? o.error : new Error('write batch ended without an outcome'));
    });
  }

  close(): void {
    this.flush();
    this.closed = true;
  }

  private commit(ops: Op[], out: Outcome[], durable: boolean): void {
    // synchronous cannot change inside a transaction, and a prepared PRAGMA applies its value
    // when compiled, so it is set with exec around the transaction.
    const relax = !durable && this.synchronous === 'FULL';
    if (relax) this.db.exec('PRAGMA synchronous = NORMAL');
    try {
      this.runBatch.immediate(ops, out);
    } finally {
      if (relax) this.db.exec('PRAGMA synchronous = FULL');
    }
  }
}

interface Op {
  durable: boolean;
  fn: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export function isBusyError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

const RETRY_DELAYS_MS = [5, 20, 50, 100];
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * busy_timeout already waits for the lock; this covers the cases where SQLite returns BUSY
 * without calling the busy handler (WAL recovery, snapshot conflicts). better-sqlite3 is
 * synchronous, so the backoff blocks the thread briefly rather than yielding.
 */
export function withBusyRetry<T>(fn: () => T): T {
  for (let attempt = 0; ; attempt++) {
    try {
      return fn();
    } catch (error) {
      const delay = RETRY_DELAYS_MS[attempt];
      if (!isBusyError(error) || delay === undefined) throw error;
      Atomics.wait(sleeper, 0, 0, delay);
    }
  }
}
