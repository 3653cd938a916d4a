// The durability promise on SQLite: a durable write resolves only once it survives power loss,
// i.e. it commits at synchronous=FULL (2). Soft-only batches may commit at NORMAL (1), and the
// connection must be back at FULL as soon as such a batch is done.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Lifeline } from '../../src/engine/lifeline.js';
import type { Store } from '../../src/store/store.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { WriteBatcher } from '../../src/store/sqlite/batcher.js';
import { claim, createRun, T0 } from '../../src/testing/store-conformance/helpers.js';
import { makeTempDir } from './sqlite-temp.js';

const FULL = 2;
const NORMAL = 1;

/** The store's own connection: synchronous is a per-connection setting, another one says nothing. */
function connectionOf(store: Store): Database.Database {
  const db = (store as unknown as { db?: Database.Database }).db;
  if (!db?.open) throw new Error('the SQLite store no longer keeps its connection in `db`: update this test');
  return db;
}

const synchronous = (db: Database.Database) => db.pragma('synchronous', { simple: true }) as number;

let dir = '';
let remove: () => Promise<void> = async () => {};
beforeEach(async () => {
  ({ dir, remove } = await makeTempDir());
});
afterEach(async () => {
  await remove();
});

describe('SQLite durability (synchronous=FULL)', () => {
  it('the store opens its connection at FULL and is back at FULL after soft-only batches', async () => {
    const store = await openSqliteStore(join(dir, 'a.db'));
    try {
      const db = connectionOf(store);
      expect(synchronous(db)).toBe(FULL);
      await createRun(store, 'r1');
      const run = await claim(store, 'r1');
      const token = run.lease?.token ?? '';
      // One batch of soft writes only (queued in the same tick): it commits at NORMAL.
      await Promise.all([
        store.heartbeat({ runId: 'r1', token, now: T0 + 1, leaseMs: 30_000 }),
        store.startAttempt({ runId: 'r1', stepId: 's#0', stepName: 's', attempt: 1, startedAt: T0 + 1, workerId: 'worker-a', token }),
        store.appendEvents([{ runId: 'r1', type: 'run.woken', data: { from: 'running' }, at: T0 + 1 }]),
      ]);
      expect(synchronous(db)).toBe(FULL);
      await store.appendEvents([{ runId: 'r1', type: 'run.woken', data: { from: 'running' }, at: T0 + 2 }]);
      expect(synchronous(db)).toBe(FULL);
    } finally {
      await store.close();
    }
  });

  it('Lifeline.open on a path opens the store at FULL', async () => {
    const lifeline = await Lifeline.open({ db: join(dir, 'b.db'), workflows: [] });
    try {
      expect(synchronous(connectionOf(lifeline.store))).toBe(FULL);
    } finally {
      await lifeline.close();
    }
  });

  it('the write batcher commits durable batches at FULL, soft-only batches at NORMAL, then restores FULL', async () => {
    const db = new Database(join(dir, 'c.db'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    const batcher = new WriteBatcher(db, 'FULL');
    const seen = () => synchronous(db); // read inside the batch's transaction
    try {
      expect(await batcher.write(true, seen)).toBe(FULL);
      expect(await batcher.write(false, seen)).toBe(NORMAL);
      expect(synchronous(db)).toBe(FULL);
      // A soft write sharing a batch with a durable one is committed durably too.
      expect(await Promise.all([batcher.write(false, seen), batcher.write(true, seen)])).toEqual([FULL, FULL]);
      // A soft op that throws still leaves the connection at FULL.
      await expect(
        batcher.write(false, () => {
          throw new Error('soft op failed');
        }),
      ).rejects.toThrow('soft op failed');
      expect(synchronous(db)).toBe(FULL);
    } finally {
      batcher.close();
      db.close();
    }
  });
});
