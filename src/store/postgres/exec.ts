// Running statements: durable ones on the main pool, soft ones on a pool whose connections
// commit with synchronous_commit=off, multi-statement transactions, error mapping, and
// read-your-writes across the two pools.
import type pg from 'pg';
import { LifelineError } from '../../errors/lifeline-error.js';
import { isConnectionFault, toStoreError } from './connection.js';
import { ERRCODE_REFUSED } from './migrations.js';

export type Query = <R extends pg.QueryResultRow = pg.QueryResultRow>(name: string, text: string, values?: unknown[]) => Promise<pg.QueryResult<R>>;

/** Lifeline error code carried by a lifeline_refuse() failure, else undefined. */
export function refusalCode(error: unknown): string | undefined {
  const e = error as { code?: unknown; message?: unknown } | null;
  return e?.code === ERRCODE_REFUSED && typeof e.message === 'string' ? e.message : undefined;
}

/**
 * Writes in flight, by run. The engine does not await every write (endAttempt of a retry, events) and
 * they may run on another connection than a following read, so a read first waits for this
 * store's earlier writes of the same run (or all of them, for reads across runs).
 */
class InFlight {
  private readonly byRun = new Map<string, Set<Promise<unknown>>>();
  private readonly unkeyed = new Set<Promise<unknown>>();
  private readonly all = new Set<Promise<unknown>>();

  track<T>(runIds: readonly string[] | null, promise: Promise<T>): Promise<T> {
    const settled: Promise<unknown> = promise.then(
      () => undefined,
      () => undefined,
    );
    const sets = runIds === null ? [this.unkeyed] : runIds.map((id) => this.setOf(id));
    for (const set of [...sets, this.all]) set.add(settled);
    void settled.then(() => {
      this.all.delete(settled);
      this.unkeyed.delete(settled);
      for (const id of runIds ?? []) {
        const set = this.byRun.get(id);
        set?.delete(settled);
        if (set?.size === 0) this.byRun.delete(id);
      }
    });
    return promise;
  }

  private setOf(runId: string): Set<Promise<unknown>> {
    let set = this.byRun.get(runId);
    if (set === undefined) {
      set = new Set();
      this.byRun.set(runId, set);
    }
    return set;
  }

  /** Resolves when the writes issued so far (of `runId`, or all) have settled. */
  settled(runId?: string): Promise<void> | undefined {
    const pending = runId === undefined ? [...this.all] : [...(this.byRun.get(runId) ?? []), ...this.unkeyed];
    if (pending.length === 0) return undefined;
    return Promise.all(pending).then(() => undefined);
  }
}

export class PgExec {
  private readonly inFlight = new InFlight();
  private closed = false;

  constructor(
    private readonly durablePool: pg.Pool,
    private readonly softPool: pg.Pool,
    private readonly secrets: readonly string[],
  ) {}

  private refuseClosed(): Promise<never> | undefined {
    return this.closed ? Promise.reject(new LifelineError('STORE_CLOSED', 'logic', 'The store is closed.')) : undefined;
  }

  /** One statement on the durable or soft pool, not counted for read-your-writes (see track). */
  query<R extends pg.QueryResultRow>(kind: 'durable' | 'soft', name: string, text: string, values: unknown[]) {
    const pool = kind === 'durable' ? this.durablePool : this.softPool;
    return (
      (this.refuseClosed() as Promise<pg.QueryResult<R>> | undefined) ??
      pool.query<R>({ name, text, values }).catch((error: unknown) => {
        throw toStoreError(error, this.secrets);
      })
    );
  }

  /** A durable write of one statement (autocommit: one round trip, one WAL flush). */
  durable<R extends pg.QueryResultRow>(runIds: readonly string[] | null, name: string, text: string, values: unknown[]) {
    return this.inFlight.track(runIds, this.query<R>('durable', name, text, values));
  }

  /** A soft write: committed without waiting for the WAL flush (survives a crash of this process). */
  soft<R extends pg.QueryResultRow>(runIds: readonly string[] | null, name: string, text: string, values: unknown[]) {
    return this.inFlight.track(runIds, this.query<R>('soft', name, text, values));
  }

  /** Counts a write issued outside durable()/soft() (held and merged ones) for read-your-writes. */
  track<T>(runIds: readonly string[], promise: Promise<T>): Promise<T> {
    return this.refuseClosed() ?? this.inFlight.track(runIds, promise);
  }

  /** Resolves once this store's writes of `runId` (or all) issued so far have settled. */
  async afterWrites(runId: string | undefined): Promise<void> {
    await (this.refuseClosed() ?? this.inFlight.settled(runId));
  }

  /** A read, after this store's writes of `runId` (or all, when undefined) have settled. */
  async read<R extends pg.QueryResultRow>(runId: string | undefined, name: string, text: string, values: unknown[]) {
    await this.afterWrites(runId);
    return this.query<R>('durable', name, text, values);
  }

  /** A durable multi-statement transaction on one connection; rolled back if `fn` throws. */
  tx<T>(runIds: readonly string[] | null, fn: (query: Query) => Promise<T>): Promise<T> {
    return this.refuseClosed() ?? this.inFlight.track(runIds, this.runTx(fn));
  }

  private async runTx<T>(fn: (query: Query) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.durablePool.connect();
    } catch (error) {
      throw toStoreError(error, this.secrets);
    }
    let broken: Error | undefined;
    try {
      await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
      const query: Query = (name, text, values = []) => client.query({ name, text, values });
      const result = await fn(query);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      if (isConnectionFault(error)) broken = error as Error;
      else await client.query('ROLLBACK').catch((e: unknown) => (broken = e as Error));
      throw toStoreError(error, this.secrets);
    } finally {
      // A connection that failed mid-transaction is destroyed, not handed to the next caller.
      client.release(broken);
    }
  }

  /** Waits for the writes in flight, then refuses new calls. */
  async close(): Promise<void> {
    await this.inFlight.settled();
    this.closed = true;
  }
}
