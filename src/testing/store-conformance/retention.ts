// pruneRuns: one batch of a prune (src/store/retention.ts). Old terminal runs go with every row
// recorded about them; live runs, recent runs, parents of live children and unexpired cache
// entries stay; a dry run deletes nothing.
import { describe, expect, it } from 'vitest';
import type { Store } from '../../store/store.js';
import type { PruneRunsArgs } from '../../store/retention.js';
import { claim, commitArgs, createRun, T0, tokenOf, type GetStore } from './helpers.js';

const DAY = 86_400_000;

/** A run with one committed step (one attempt row), an event, a signal and a cost row, ended `status` at `endedAt`. */
export async function endedRun(
  store: Store,
  id: string,
  status: 'completed' | 'failed',
  endedAt: number,
  over: { parentRunId?: string; workflow?: string } = {},
) {
  await createRun(store, id, { now: endedAt - 100, ...over });
  const run = await claim(store, id, { now: endedAt - 90, ...(over.workflow === undefined ? {} : { workflows: [over.workflow] }) });
  await store.sendSignal({ runId: id, name: 'go', payload: '1', now: endedAt - 80 });
  await store.commitStep(commitArgs(run, 'a#0', { now: endedAt - 50 }, { attempt: { attempt: 1, endedAt: endedAt - 50, outcome: 'succeeded' } }));
  await store.recordCost({
    runId: id,
    workflow: over.workflow ?? run.workflow,
    stepId: 'a#0',
    attempt: 1,
    provider: 'openai',
    model: 'gpt-4o',
    now: endedAt - 40,
    inputTokens: 10,
    cachedInputTokens: 0,
    outputTokens: 5,
    costMicros: 7,
  });
  await store.finishRun({ runId: id, token: tokenOf(run), now: endedAt, status, ...(status === 'completed' ? { output: '1' } : {}) });
}

const args = (over: Partial<PruneRunsArgs> = {}): PruneRunsArgs => ({
  endedBefore: T0 + 30 * DAY,
  statuses: ['completed'],
  limit: 100,
  now: T0 + 40 * DAY,
  ...over,
});

export function retentionConformance(getStore: GetStore): void {
  describe('retention', () => {
    it('deletes old completed runs with their steps, attempts, events, signals and costs; counts them; keeps the rest', async () => {
      const store = getStore();
      await endedRun(store, 'old', 'completed', T0 + DAY);
      await endedRun(store, 'old-failed', 'failed', T0 + DAY);
      await endedRun(store, 'recent', 'completed', T0 + 35 * DAY);
      await createRun(store, 'live', { now: T0 });
      const eventsBefore = (await store.listEvents({ runId: 'old' })).length;
      expect(eventsBefore).toBeGreaterThan(0);

      const dry = await store.pruneRuns(args({ dryRun: true }));
      expect(dry).toEqual({ runs: 1, steps: 1, attempts: 1, events: eventsBefore, signals: 1, recoveries: 0, costs: 1, cacheEntries: 0, setAsideSteps: 0 });
      expect(await store.getRun('old')).not.toBeNull();

      expect(await store.pruneRuns(args())).toEqual(dry);
      expect(await store.getRun('old')).toBeNull();
      expect(await store.getSteps('old')).toEqual([]);
      expect(await store.listAttempts('old')).toEqual([]);
      expect(await store.listEvents({ runId: 'old' })).toEqual([]);
      expect(await store.listCosts({ runId: 'old' })).toEqual([]);
      expect((await store.listRuns()).map((r) => r.id).sort()).toEqual(['live', 'old-failed', 'recent']);
      expect(await store.listAttempts('recent')).toHaveLength(1);

      expect((await store.pruneRuns(args({ statuses: ['completed', 'failed'] }))).runs).toBe(1);
      expect(await store.getRun('old-failed')).toBeNull();
      expect((await store.pruneRuns(args())).runs).toBe(0);
    });

    it('works in batches of `limit`, oldest first, and filters by workflow', async () => {
      const store = getStore();
      for (let i = 0; i < 5; i++) await endedRun(store, `r${i}`, 'completed', T0 + DAY + i);
      await endedRun(store, 'x', 'completed', T0 + DAY, { workflow: 'other-wf' });
      expect((await store.pruneRuns(args({ limit: 2, workflow: 'other-wf' }))).runs).toBe(1);
      expect((await store.pruneRuns(args({ limit: 2 }))).runs).toBe(2);
      expect((await store.listRuns()).map((r) => r.id).sort()).toEqual(['r2', 'r3', 'r4']);
      expect((await store.pruneRuns(args({ limit: 2 }))).runs).toBe(2);
      expect((await store.pruneRuns(args({ limit: 2 }))).runs).toBe(1);
      expect(await store.listRuns()).toEqual([]);
    });

    it('never deletes the parent of a live run', async () => {
      const store = getStore();
      await endedRun(store, 'parent', 'completed', T0 + DAY);
      await createRun(store, 'child', { parentRunId: 'parent', now: T0 });
      expect((await store.pruneRuns(args())).runs).toBe(0);
      expect(await store.getRun('parent')).not.toBeNull();
    });

    it('deletes the cache entries a pruned run computed only once they expired', async () => {
      const store = getStore();
      await endedRun(store, 'src', 'completed', T0 + DAY);
      for (const [key, expiresAt] of [
        ['expired', T0 + 2 * DAY],
        ['fresh', T0 + 90 * DAY],
      ] as const) {
        await store.claimCacheEntry({ key, workflow: 'wf', stepName: 's', version: null, holder: 'src:s', now: T0, leaseMs: 1000 });
        await store.settleCacheEntry({ key, holder: 'src:s', now: T0 + 1, value: { output: '1', sourceRunId: 'src', expiresAt } });
      }
      expect((await store.pruneRuns(args())).cacheEntries).toBe(1);
      expect((await store.listCacheEntries()).map((e) => e.key)).toEqual(['fresh']);
    });
  });
}
