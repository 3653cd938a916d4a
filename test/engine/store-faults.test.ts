// Store faults on SQLite: the shared cases (store-fault-cases.ts), a real full disk, and a late
// un-awaited ctx.step.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/time/clock.js';
import { Lifeline } from '../../src/engine/lifeline.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { defineWorkflow } from '../../src/workflow/define.js';
import { tempDir } from '../helpers.js';
import { storeFaultCases } from './store-fault-cases.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

let path = '';
/** A second connection to the test's database file, for DDL (triggers) the test installs. */
function admin<T>(fn: (db: Database.Database) => T): T {
  const db = new Database(path);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}
const trigger = (step: string) => `lifeline_test_${step.replace(/\W/g, '_')}`;

storeFaultCases('sqlite', {
  async open() {
    const tmp = tempDir();
    path = join(tmp.dir, 'faults.db');
    const store = await openSqliteStore(path);
    return { store, cleanup: async () => (await store.close(), tmp.cleanup()) };
  },
  async refuseStep(step, message) {
    admin((db) =>
      db.exec(`CREATE TRIGGER ${trigger(step)} BEFORE INSERT ON step_results WHEN NEW.name = '${step}'
        BEGIN SELECT RAISE(ABORT, '${message}'); END`),
    );
  },
  async breakStep(step) {
    // "integer overflow" (plain SQLITE_ERROR): an error of no known kind.
    admin((db) =>
      db.exec(`CREATE TRIGGER ${trigger(step)} BEFORE INSERT ON step_results WHEN NEW.name = '${step}'
        BEGIN SELECT abs(-9223372036854775807 - 1); END`),
    );
  },
  async repairStep(step) {
    admin((db) => db.exec(`DROP TRIGGER ${trigger(step)}`));
  },
});

describe('store faults specific to SQLite', () => {
  it('a full disk (SQLITE_FULL) pauses claiming with a clear event and parks the run after bounded executions', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.cleanup);
    const store = await openSqliteStore(join(tmp.dir, 'full.db'));
    const clock = new ManualClock();
    let executions = 0;
    const wf = defineWorkflow('faults.disk-full', async (ctx) =>
      ctx.step('big', async () => {
        executions++;
        // Real work yields to the event loop: the attempt start is written before the result.
        await new Promise((r) => setImmediate(r));
        await new Promise((r) => setImmediate(r));
        return 'x'.repeat(64 * 1024); // needs new pages: the commit hits the page limit
      }),
    );
    const lifeline = await Lifeline.open({ db: store, workflows: [wf], clock });
    const events: Array<{ type: string; data?: unknown }> = [];
    lifeline.events.on('event', (e) => events.push(e));
    try {
      const h = await lifeline.start(wf, null);
      // The database may not grow past its current size from now on: the same error as a full disk.
      const db = (store as unknown as { db: Database.Database }).db;
      db.pragma(`max_page_count = ${Number(db.pragma('page_count', { simple: true }))}`);
      lifeline.worker({ pollMs: 20, leaseMs: 400, heartbeatMs: 100, maxClaimsWithoutProgress: 3 }).start();
      let status = 'pending';
      for (let tick = 0; tick < 400 && status !== 'parked'; tick++) {
        await clock.advance(250);
        status = (await lifeline.getRun(h.runId))?.status ?? 'missing';
      }
      expect(status).toBe('parked');
      expect(executions).toBe(3);
      const pauses = events.filter((e) => e.type === 'worker.store_exhausted').map((e) => e.data as { pauseMs: number; text: string });
      expect(pauses.map((p) => p.pauseMs)).toEqual([1000, 2000, 4000]);
      expect(pauses[0]?.text).toBe('the database is out of resources (database or disk is full): this worker stops claiming runs for 1000 ms');
      const attempts = await store.listAttempts(h.runId);
      expect(attempts.map((a) => [a.attempt, a.outcome])).toEqual([
        [1, 'interrupted'],
        [2, 'interrupted'],
        [3, 'interrupted'],
      ]);
    } finally {
      await lifeline.close();
    }
  });

  it('a claim the database cannot write pauses claiming (doubling), then claims again once it can', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.cleanup);
    const store = await openSqliteStore(join(tmp.dir, 'readonly.db'));
    const clock = new ManualClock();
    const wf = defineWorkflow('faults.claim-readonly', async (ctx) => ctx.step('a', () => 'done'));
    const lifeline = await Lifeline.open({ db: store, workflows: [wf], clock });
    const events: Array<{ type: string; data?: unknown }> = [];
    lifeline.events.on('event', (e) => events.push(e));
    try {
      const h = await lifeline.start(wf, null);
      const db = (store as unknown as { db: Database.Database }).db;
      db.pragma('query_only = 1'); // every write now fails with SQLITE_READONLY: the claim too
      lifeline.worker({ pollMs: 20 }).start();
      await clock.advance(2999); // pauses of 1000 and 2000 ms; no claim in between
      const pauses = () => events.filter((e) => e.type === 'worker.store_exhausted').map((e) => (e.data as { pauseMs: number }).pauseMs);
      expect(pauses()).toEqual([1000, 2000]);
      expect(events.filter((e) => e.type === 'worker.error')).toEqual([]);
      db.pragma('query_only = 0');
      await clock.advance(1);
      expect(await h.result()).toBe('done');
      expect(pauses()).toEqual([1000, 2000]);
    } finally {
      await lifeline.close();
    }
  });

  it('an un-awaited ctx.step called after the workflow returned fails that call only', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.cleanup);
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    let late: Promise<unknown> | undefined;
    let lateCalled: () => void = () => {};
    const called = new Promise<void>((r) => (lateCalled = r));
    const wf = defineWorkflow('faults.late-step', async (ctx, input: { late: boolean }) => {
      const value = await ctx.step('a', () => 'a');
      if (input.late) {
        setImmediate(() => {
          late = ctx.step('late', () => 'never'); // not awaited, no catch: the bug this test is for
          lateCalled();
        });
      }
      return value;
    });
    const lifeline = await Lifeline.open({ db: join(tmp.dir, 'late.db'), workflows: [wf] });
    try {
      lifeline.worker({ pollMs: 20 }).start();
      const h = await lifeline.start(wf, { late: true });
      expect(await h.result()).toBe('a');
      await called;
      // Give a would-be unhandled rejection the turns Node needs to report it.
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
      expect(unhandled).toEqual([]);
      await expect(late).rejects.toThrow(/^Step "late" was called on run .* after the workflow function returned; await every step before returning\.$/);
      // Nothing else is affected: the worker runs the next run.
      expect(await (await lifeline.start(wf, { late: false })).result()).toBe('a');
      expect((await lifeline.getRun(h.runId))?.status).toBe('completed');
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await lifeline.close();
    }
  });
});
