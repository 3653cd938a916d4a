// Insight aggregates (issue 10 §9): Store.attemptRollups folds ended attempts into hourly rows by
// workflow, step, worker and model, lazily, and folds an attempt that was still running when it
// was first read into the hour it ended in, even when that hour is already rolled up.
import { describe, expect, it } from 'vitest';
import type { Store } from '../../store/store.js';
import { LEASE_MS, T0, claim, createRun, tokenOf, type GetStore } from './helpers.js';

const HOUR = 3_600_000;
/** An hour boundary after T0. */
const H0 = T0 - (T0 % HOUR) + HOUR;

async function attempt(
  store: Store,
  run: { id: string; token: string },
  step: string,
  n: number,
  from: number,
  to: number | null,
  outcome: 'succeeded' | 'failed' | 'cancelled',
) {
  await store.startAttempt({
    runId: run.id,
    token: run.token,
    stepId: `${step}#0`,
    stepName: step,
    attempt: n,
    startedAt: from,
    workerId: 'worker-a',
    leaseMs: LEASE_MS,
  });
  if (to !== null)
    await store.endAttempt({
      runId: run.id,
      token: run.token,
      stepId: `${step}#0`,
      attempt: n,
      endedAt: to,
      outcome,
      errorClass: outcome === 'failed' ? 'transient' : null,
    });
}

async function started(store: Store, id: string, workflow: string) {
  await createRun(store, id, { workflow, now: H0 });
  return { id, token: tokenOf(await claim(store, id, { now: H0, workflows: [workflow] })) };
}

const figures = (rows: Awaited<ReturnType<Store['attemptRollups']>>) =>
  rows.map((r) => [
    r.hour - H0,
    r.workflow,
    r.step,
    r.worker,
    r.model,
    r.attempts,
    r.successes,
    r.firstTries,
    r.firstTrySuccesses,
    r.retries,
    r.failedCostMicros,
  ]);

export function insightConformance(getStore: GetStore): void {
  describe('insight rollups', () => {
    it('counts ended attempts per hour, workflow, step and worker; running and cancelled ones are not counted', async () => {
      const store = getStore();
      const a = await started(store, 'ra', 'wf-a');
      const b = await started(store, 'rb', 'wf-b');
      await attempt(store, a, 'fetch', 1, H0 + 10, H0 + 110, 'failed');
      await attempt(store, a, 'fetch', 2, H0 + 200, H0 + 1_200, 'succeeded');
      await attempt(store, a, 'send', 1, H0 + HOUR + 5, H0 + HOUR + 9, 'succeeded');
      await attempt(store, b, 'fetch', 1, H0 + 20, H0 + 25, 'cancelled');
      await attempt(store, b, 'plan', 1, H0 + 30, null, 'succeeded');
      const rows = await store.attemptRollups({ since: H0, until: H0 + 2 * HOUR, now: H0 + 2 * HOUR });
      expect(figures(rows)).toEqual([
        [0, 'wf-a', 'fetch', 'worker-a', null, 2, 1, 1, 0, 1, 0],
        [HOUR, 'wf-a', 'send', 'worker-a', null, 1, 1, 1, 1, 0, 0],
      ]);
      // Durations land in their log-scale buckets: 100 ms and 1000 ms in the first row.
      expect(Object.values(rows[0]!.durations).reduce((s, n) => s + n, 0)).toBe(2);
      // The window and the workflow filter.
      expect(figures(await store.attemptRollups({ since: H0 + HOUR + 1, until: H0 + 2 * HOUR, now: H0 + 2 * HOUR }))).toEqual([
        [HOUR, 'wf-a', 'send', 'worker-a', null, 1, 1, 1, 1, 0, 0],
      ]);
      expect(await store.attemptRollups({ since: H0, until: H0 + 2 * HOUR, workflow: 'wf-b', now: H0 + 2 * HOUR })).toEqual([]);
    });

    it('folds an attempt that ends after the rollup passed it into the hour it ended in, once', async () => {
      const store = getStore();
      const a = await started(store, 'ra', 'wf-a');
      await attempt(store, a, 'plan', 1, H0 + 10, null, 'succeeded');
      await attempt(store, a, 'other', 1, H0 + HOUR + 10, H0 + HOUR + 20, 'succeeded');
      const now = H0 + 3 * HOUR;
      expect(figures(await store.attemptRollups({ since: H0, until: now, now }))).toEqual([[HOUR, 'wf-a', 'other', 'worker-a', null, 1, 1, 1, 1, 0, 0]]);
      // Interrupted by a takeover later, ended where the lease was last renewed: in the first hour.
      await store.endAttempt({
        runId: 'ra',
        token: a.token,
        stepId: 'plan#0',
        attempt: 1,
        endedAt: H0 + 500,
        outcome: 'interrupted',
        errorClass: 'interrupted',
      });
      const expected = [
        [0, 'wf-a', 'plan', 'worker-a', null, 1, 0, 1, 0, 0, 0],
        [HOUR, 'wf-a', 'other', 'worker-a', null, 1, 1, 1, 1, 0, 0],
      ];
      expect(figures(await store.attemptRollups({ since: H0, until: now, now }))).toEqual(expected);
      expect(figures(await store.attemptRollups({ since: H0, until: now, now: now + 1 }))).toEqual(expected);
    });
  });
}
