// Progress and ETA over a real store: completed runs of a workflow with chosen step times, a
// running run judged at chosen instants. Expected figures are worked out by hand below (nearest-
// rank percentiles), not with the code under test.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.js';
import { runOverview } from '../../src/observe/run-overview.js';
import { ProgressHistory } from '../../src/observe/progress.js';
import { claimArgs, commitArgs, createRun, T0, tokenOf } from '../../src/testing/store-conformance/helpers.js';

const S = 1000;
/** Completed runs of "etl": step completion offsets (s) and end offset (s), created one minute apart. */
const HISTORY: Array<{ steps: number[]; end: number }> = [
  { steps: [10, 20, 30, 40], end: 50 },
  { steps: [20, 40, 60, 80], end: 100 },
  { steps: [10, 20, 30, 40, 50, 60], end: 70 },
  { steps: [5, 10, 15], end: 20 },
  { steps: [30, 60, 90, 120], end: 150 },
];
const C = T0 + 3_600_000; // the running run's creation

export function progressScenarios(name: string, open: () => Promise<{ store: Store; cleanup: () => Promise<void> }>): void {
  describe(`progress and ETA (${name})`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    beforeEach(async () => {
      ({ store, cleanup } = await open());
    });
    afterEach(async () => {
      await cleanup();
    });

    async function completedRun(id: string, createdAt: number, h: { steps: number[]; end: number }) {
      await createRun(store, id, { workflow: 'etl', now: createdAt });
      const [run] = await store.claimRuns(claimArgs({ runId: id, now: createdAt, workflows: ['etl'] }));
      if (!run) throw new Error('not claimed');
      for (const [seq, at] of h.steps.entries()) await store.commitStep(commitArgs(run, `s${seq}#0`, { seq, now: createdAt + at * S }));
      await store.finishRun({ runId: id, token: tokenOf(run), now: createdAt + h.end * S, status: 'completed', output: 'null' });
    }

    async function runningWith(id: string, stepTimes: number[]) {
      await createRun(store, id, { workflow: 'etl', now: C });
      const [run] = await store.claimRuns(claimArgs({ runId: id, now: C, workflows: ['etl'] }));
      if (!run) throw new Error('not claimed');
      for (const [seq, at] of stepTimes.entries()) await store.commitStep(commitArgs(run, `s${seq}#0`, { seq, now: C + at }));
    }

    it('expected steps and an ETA range from the runs that got as far, as nearest-rank p50–p90', async () => {
      for (const [i, h] of HISTORY.entries()) await completedRun(`h${i + 1}`, T0 + i * 60_000, h);
      await runningWith('now-2', [12 * S, 25 * S]);
      // Counts 3,4,4,4,6 → p50 (rank 3) = 4. Still to go after the 2nd step: 30, 60, 50, 10, 90 s;
      // 10 s spent since this run's 2nd step → 20, 50, 40, 0, 80 → sorted 0,20,40,50,80: p50 (rank 3) 40 s, p90 (rank 5) 80 s.
      const two = await runOverview(store, 'now-2', { now: C + 35 * S, history: new ProgressHistory(store) });
      expect(two?.progress).toEqual({
        done: 2,
        expected: 4,
        percent: 50,
        eta: { p50Ms: 40 * S, p90Ms: 80 * S },
        basis: 5,
        text: '2/4 steps · 50% · ETA 40–80s',
      });

      await runningWith('now-4', [S, 2 * S, 3 * S, 4 * S]);
      // Runs with ≥ 4 steps: h1,h2,h3,h5 (counts 4,4,6,4 → p50 rank 2 = 4). To go after step 4: 10, 20, 30, 30 s; 5 s spent →
      // 5,15,25,25: p50 (rank 2) 15 s, p90 (rank 4) 25 s. 4 of 4 done but not completed: 99 %.
      const four = await runOverview(store, 'now-4', { now: C + 9 * S, history: new ProgressHistory(store) });
      expect(four?.progress).toEqual({
        done: 4,
        expected: 4,
        percent: 99,
        eta: { p50Ms: 15 * S, p90Ms: 25 * S },
        basis: 5,
        text: '4/4 steps · 99% · ETA 15–25s',
      });

      await runningWith(
        'now-7',
        [1, 2, 3, 4, 5, 6, 7].map((x) => x * S),
      );
      const seven = await runOverview(store, 'now-7', { now: C + 8 * S, history: new ProgressHistory(store) });
      expect(seven?.progress).toMatchObject({ done: 7, expected: null, eta: null, text: '7 steps · more than any of the last 5 runs · ETA unknown' });

      // Only the newest two completed runs (h5: 4 steps, h4: 3 steps): ≥ 2 steps both; counts 3,4 → p50 rank 1 = 3.
      // To go after step 2: h4 10 s, h5 90 s; 10 s spent → 0, 80: p50 0, p90 80 s.
      const recent = await runOverview(store, 'now-2', { now: C + 35 * S, history: new ProgressHistory(store, { historyRuns: 2 }) });
      expect(recent?.progress).toMatchObject({ expected: 3, percent: 66, eta: { p50Ms: 0, p90Ms: 80 * S }, basis: 2, text: '2/3 steps · 66% · ETA 0–80s' });

      const done = await runOverview(store, 'h1', { now: C, history: new ProgressHistory(store) });
      expect(done?.progress.text).toBe('4/4 steps · 100%');
    });

    it('says calculating… without history, and reads a workflow history once per ttl', async () => {
      await runningWith('first', [5 * S]);
      let listRuns = 0;
      const counting = new Proxy(store, {
        get(target, prop, receiver) {
          const value = Reflect.get(target, prop, receiver) as unknown;
          if (typeof value !== 'function') return value;
          return (...args: unknown[]) => {
            if (prop === 'listRuns') listRuns++;
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      }) as Store;
      const history = new ProgressHistory(counting, { ttlMs: 60_000 });
      const before = await runOverview(store, 'first', { now: C + 6 * S, history });
      expect(before?.progress).toEqual({ done: 1, expected: null, percent: null, eta: null, basis: 0, text: '1 step · calculating…' });
      await completedRun('h-late', T0, { steps: [10, 20], end: 30 });
      expect((await runOverview(store, 'first', { now: C + 30 * S, history }))?.progress.basis).toBe(0); // cached
      expect(listRuns).toBe(1);
      const after = await runOverview(store, 'first', { now: C + 67 * S, history });
      // One run of 2 steps: to go after step 1: 20 s; 62 s spent since it → 0: overdue.
      expect(after?.progress).toMatchObject({ expected: 2, percent: 50, eta: { p50Ms: 0, p90Ms: 0 }, basis: 1, text: '1/2 steps · 50% · ETA overdue' });
      expect(listRuns).toBe(2);
      // An ended run needs no history: judging it reads none.
      const ended = await runOverview(counting, 'h-late', { now: C + 200 * S, history: new ProgressHistory(counting) });
      expect(ended?.progress.text).toBe('2/2 steps · 100%');
      expect(listRuns).toBe(2);
    });
  });
}
