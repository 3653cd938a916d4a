// Issue 12 §7's crash test, for any backend: a real process prunes 30 old runs in batches of 10
// and is SIGKILLed while its second batch is in flight (its transaction open, some of the batch's
// rows deleted in it). How it is stopped there is the backend's (PrunePause): no sleep decides
// when. Afterwards every run is either fully there (run, steps, attempts, events, signals, cost
// rows) or fully gone, no row is left without its run, and a second prune finishes the job.
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { expect } from 'vitest';
import { pruneRuns } from '../../src/retention/prune.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { endedRun } from '../../src/testing/store-conformance/retention.js';
import { T0 } from '../../src/testing/store-conformance/helpers.js';
import { assertBuilt } from './harness.js';

/** How a backend stops the prune inside its second batch (at run r15's events). */
export interface PrunePause {
  /** Starts the prune process (after whatever will stop it is in place). */
  start(): Promise<ChildProcess>;
  /** Resolves once the process is stopped inside the batch, its transaction open. */
  paused(): Promise<void>;
  /** After the SIGKILL: resolves once the database has ended the killed process's transaction. */
  afterKill(): Promise<void>;
}

export const PAUSE_RUN = 'r15';
const RUNS = Array.from({ length: 30 }, (_, i) => `r${String(i).padStart(2, '0')}`);

type Rows = [run: boolean, steps: number, attempts: number, events: number, signals: number, costs: number];

async function rowsOf(store: Store, id: string): Promise<Rows> {
  return [
    (await store.getRun(id)) !== null,
    (await store.getSteps(id)).length,
    (await store.listAttempts(id)).length,
    (await store.listEvents({ runId: id })).length,
    (await store.listSignals({ runId: id })).length,
    (await store.listCosts({ runId: id })).length,
  ];
}

const GONE: Rows = [false, 0, 0, 0, 0, 0];

/** Every event, signal and cost row belongs to a run that exists. */
async function orphans(store: Store): Promise<string[]> {
  const runs = new Set((await store.listRuns({ limit: 10_000 })).map((r) => r.id));
  const events = (await store.listEvents({ limit: 100_000 })).map((e) => e.runId);
  const costs = (await store.listCosts({ limit: 100_000 })).map((c) => c.runId);
  return [...events, ...costs].filter((id) => !runs.has(id));
}

export async function runPruneCrashScenario(db: string, pause: PrunePause): Promise<void> {
  assertBuilt();
  const store = await openStore(db);
  try {
    // Oldest first: batch 1 is r00-r09, batch 2 r10-r19 (stopped at r15), batch 3 r20-r29.
    for (const [i, id] of RUNS.entries()) await endedRun(store, id, 'completed', T0 + i * 1000);
    await endedRun(store, 'recent', 'completed', Date.now());
    const before = new Map<string, Rows>();
    for (const id of [...RUNS, 'recent']) before.set(id, await rowsOf(store, id));
    expect(before.get('r15')).toEqual([true, 1, 1, expect.any(Number) as number, 1, 1]);

    const child = await pause.start();
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    await pause.paused();
    child.kill('SIGKILL');
    expect((await exited)[1]).toBe('SIGKILL');
    await pause.afterKill();

    // Batch 1 committed: gone. Batch 2 was in flight: rolled back, all there. Batch 3 never began.
    for (const id of [...RUNS, 'recent']) {
      const expected = RUNS.indexOf(id) >= 0 && RUNS.indexOf(id) < 10 ? GONE : before.get(id);
      expect([id, await rowsOf(store, id)]).toEqual([id, expected]);
    }
    expect(await orphans(store)).toEqual([]);

    // A second prune finishes the job.
    const second = await pruneRuns({ store, clock: { now: () => Date.now() } }, { olderThan: '1d', batchSize: 10 });
    expect(second).toMatchObject({ runs: 20, steps: 20, attempts: 20, signals: 20, costs: 20, batches: 2 });
    for (const id of RUNS) expect([id, await rowsOf(store, id)]).toEqual([id, GONE]);
    expect(await rowsOf(store, 'recent')).toEqual(before.get('recent'));
    expect(await orphans(store)).toEqual([]);
  } finally {
    await store.close();
  }
}
