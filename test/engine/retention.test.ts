// Retention (issue 12 §7): pruneRuns() through a Lifeline client on SQLite and PostgreSQL (old
// completed runs go in batches with their rows, failed ones only when asked, a dry run deletes
// nothing, the parent of a live run stays), a worker's periodic prune on the ManualClock, and
// the option errors with their exact messages.
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { defineWorkflow } from '../../src/workflow/define.js';
import { ManualClock } from '../../src/time/clock.js';
import { Lifeline } from '../../src/engine/lifeline.js';
import { pruneRuns } from '../../src/retention/prune.js';
import type { Store } from '../../src/store/store.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { usePostgres } from '../pg/pg-fixture.js';
import { tempDir, waitForEvent, type TestEngine } from '../helpers.js';
import type { EngineEvent } from '../../src/engine/lifeline.js';

const pg = usePostgres();
const DAY = 86_400_000;
let cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

const done = defineWorkflow('retention.done', async (ctx, input: { fail?: boolean }) => {
  const a = await ctx.step('a', () => 1);
  await ctx.step('b', () => {
    if (input.fail === true) throw Object.assign(new Error('refused'), { status: 400 });
    return a + 1;
  });
  return 'ok';
});
const parent = defineWorkflow('retention.parent', async (ctx) => ctx.step('p', () => 'done'));

async function openSqlite(): Promise<Store> {
  const tmp = tempDir('lifeline-retention-');
  const store = await openSqliteStore(join(tmp.dir, 'r.db'));
  cleanups.push(async () => {
    await store.close();
    tmp.cleanup();
  });
  return store;
}

async function openPg(): Promise<Store> {
  const { store, cleanup } = await pg.openFresh({ leaseClock: 'caller' });
  cleanups.push(cleanup);
  return store;
}

async function engineOn(store: Store, clock: ManualClock, worker: Parameters<Lifeline['worker']>[0] = {}): Promise<TestEngine> {
  const lifeline = await Lifeline.open({ db: store, workflows: [done, parent], clock });
  const events: EngineEvent[] = [];
  lifeline.events.on('event', (e) => events.push(e));
  const w = lifeline.worker({ pollMs: 5, ...worker });
  w.start();
  const engine = { lifeline, worker: w, db: '', events, close: () => lifeline.close() };
  cleanups.push(() => engine.close());
  return engine;
}

describe.each([
  ['SQLite', openSqlite],
  ['PostgreSQL', openPg],
])('pruneRuns on %s', (_name, open) => {
  it('deletes old completed runs in batches with their rows; failed only when asked; dry run and live parents are kept', async () => {
    const store = await open();
    const clock = new ManualClock();
    const engine = await engineOn(store, clock);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const h = await engine.lifeline.start(done, {});
      await h.result();
      ids.push(h.runId);
    }
    const failed = await engine.lifeline.start(done, { fail: true });
    await expect(failed.result()).rejects.toThrow(/refused/);
    // A completed parent whose child is still pending (no worker runs it: it is created directly).
    const p = await engine.lifeline.start(parent, null);
    await p.result();
    await engine.worker.stop();
    await store.createRun({ id: 'live-child', workflow: 'retention.unknown', input: 'null', parentRunId: p.runId, now: clock.now() });

    const later = { store, clock: new ManualClock(clock.now() + 31 * DAY) };
    const dry = await pruneRuns(later, { olderThan: '30d', dryRun: true });
    expect(dry).toEqual({
      runs: 5,
      steps: 10,
      attempts: 10,
      events: expect.any(Number) as number,
      signals: 0,
      recoveries: 0,
      costs: 0,
      cacheEntries: 0,
      setAsideSteps: 0,
      batches: 1,
      endedBefore: clock.now() + DAY,
      dryRun: true,
    });
    expect((await store.listRuns()).length).toBe(8);

    const pruned = await pruneRuns(later, { olderThan: '30d', batchSize: 2 });
    expect(pruned).toEqual({ ...dry, batches: 3, dryRun: false });
    for (const id of ids) expect(await store.getRun(id)).toBeNull();
    expect(await store.listAttempts(ids[0]!)).toEqual([]);
    expect(await store.listEvents({ runId: ids[0]! })).toEqual([]);
    expect((await store.listRuns()).map((r) => r.id).sort()).toEqual([failed.runId, p.runId, 'live-child'].sort());

    // Failed runs only when asked; too recent runs never.
    expect((await pruneRuns({ store, clock: new ManualClock(clock.now() + 29 * DAY) }, { olderThan: '30d', statuses: ['failed'] })).runs).toBe(0);
    expect((await pruneRuns(later, { olderThan: '30d', statuses: ['failed', 'cancelled'] })).runs).toBe(1);
    expect(await store.getRun(failed.runId)).toBeNull();
    expect(await store.getRun(p.runId)).not.toBeNull(); // parent of a live run
  });
});

describe('retention options and the worker', () => {
  it('refuses bad prune options with messages naming the field and the bound', async () => {
    const store = await openSqlite();
    const target = { store, clock: new ManualClock() };
    const cases: Array<[unknown, string]> = [
      [{}, 'Invalid option pruneRuns.olderThan: is required: how long ago a run must have ended to be deleted, e.g. "30d" (got no olderThan)'],
      [{ olderThan: '30s' }, 'Invalid option pruneRuns.olderThan: must be a duration of at least 1 minute (got "30s")'],
      [{ olderThan: 'a month' }, 'Invalid option pruneRuns.olderThan: must be a duration >= 0 in ms or a string like "5s" (got "a month")'],
      [{ olderThan: '30d', statuses: ['running'] }, 'Invalid option pruneRuns.statuses[0]: must be one of "completed", "failed", "cancelled" (got "running")'],
      [{ olderThan: '30d', statuses: [] }, 'Invalid option pruneRuns.statuses: must name at least one of "completed", "failed", "cancelled" (got [])'],
      [{ olderThan: '30d', batchSize: 0 }, 'Invalid option pruneRuns.batchSize: must be an integer from 1 to 10000 (got 0)'],
      [{ olderThan: '30d', keep: 1 }, 'Invalid option pruneRuns.keep: unknown option (known: olderThan, statuses, workflow, dryRun, batchSize)'],
    ];
    for (const [options, message] of cases) await expect(pruneRuns(target, options as never)).rejects.toThrow(message);
    const lifeline = await Lifeline.open({ db: store });
    cleanups.push(() => lifeline.close());
    expect(() => lifeline.worker({ retention: { olderThan: '30d', every: '10ms' } })).toThrow(
      'Invalid option worker.retention.every: must be a duration from 1 second to 7 days (got "10ms")',
    );
    expect(() => lifeline.worker({ retention: { olderThan: '30d', dryRun: true } as never })).toThrow(
      'Invalid option worker.retention.dryRun: unknown option (known: olderThan, statuses, workflow, batchSize, every)',
    );
  });

  it('a worker with `retention` prunes every `every` and reports a worker.pruned event', async () => {
    const store = await openSqlite();
    const clock = new ManualClock();
    const engine = await engineOn(store, clock, { pollMs: 1000, retention: { olderThan: '1m', every: '10s' } });
    const h = await engine.lifeline.start(done, {});
    await h.result();
    await clock.advance(60_000); // the prunes at 10 s ... 60 s find nothing older than a minute
    expect(engine.events.filter((e) => e.type === 'worker.pruned').every((e) => e.type === 'worker.pruned' && e.data.runs === 0)).toBe(true);
    expect(await store.getRun(h.runId)).not.toBeNull();
    await clock.advance(10_000);
    const pruned = await waitForEvent(engine, (e) => e.type === 'worker.pruned' && e.data.runs === 1);
    expect(pruned.type === 'worker.pruned' && pruned.data).toMatchObject({ runs: 1, steps: 2, attempts: 2, batches: 1 });
    expect(await store.getRun(h.runId)).toBeNull();
  });
});
