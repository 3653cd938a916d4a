// Rewind (issue 12 §2; store/rewind.ts): rewindRun sets the step results from the target on aside
// as the run's earlier generation, in one transaction, and makes the run pending; it refuses live
// runs and unknown steps with exact messages; two rewinds at once do it once.
import { describe, expect, it } from 'vitest';
import { InvalidRunStateError } from '../../errors/store-errors.js';
import { RewindTargetNotFoundError } from '../../errors/rewind-errors.js';
import type { Store } from '../../store/store.js';
import type { RunRecord } from '../../store/types.js';
import { claim, claimArgs, commitArgs, createRun, LEASE_MS, rejection, T0, tokenOf, type GetStore } from './helpers.js';

const DAY = 86_400_000;

/** Commits `stepIds` in order (seq 0, 1, ...) on a claimed run, each with its succeeded attempt. */
async function commitSteps(store: Store, run: RunRecord, stepIds: readonly string[], from = 0, at = T0 + 10): Promise<void> {
  for (const [i, stepId] of stepIds.entries()) {
    const now = at + i;
    await store.commitStep(commitArgs(run, stepId, { seq: from + i, now }, { attempt: { attempt: 1, endedAt: now, outcome: 'succeeded' } }));
  }
}

/** A run with steps a#0..d#0 committed, ended `status`. */
async function finishedRun(store: Store, id: string, status: 'completed' | 'failed' | 'cancelled', steps = ['a#0', 'b#0', 'c#0', 'd#0']) {
  await createRun(store, id);
  const run = await claim(store, id);
  await commitSteps(store, run, steps);
  await store.finishRun({
    runId: id,
    token: tokenOf(run),
    now: T0 + 100,
    status,
    ...(status === 'completed' ? { output: '"done"' } : {}),
    ...(status === 'failed' ? { error: { name: 'Error', message: 'boom', errorClass: 'logic' as const, stepId: 'd#0' } } : {}),
  });
  return run;
}

const rewoundEvents = async (store: Store, runId: string) =>
  (await store.listEvents({ runId })).filter((e) => e.type === 'run.rewound').map((e) => JSON.parse(e.data) as unknown);

export function rewindConformance(getStore: GetStore): void {
  describe('rewind', () => {
    it('refuses a run whose completed steps were compensated (their effects are undone: replaying their records would hide it)', async () => {
      const store = getStore();
      await createRun(store, 'undone');
      const run = await claim(store, 'undone');
      await commitSteps(store, run, ['a#0', 'b#0']);
      await store.setCompensation({ runId: 'undone', token: tokenOf(run), now: T0 + 50, state: 'done' });
      await store.finishRun({
        runId: 'undone',
        token: tokenOf(run),
        now: T0 + 60,
        status: 'failed',
        error: { name: 'Error', message: 'boom', errorClass: 'logic' },
      });
      const error = await rejection(store.rewindRun({ runId: 'undone', to: 'b#0', now: T0 + 200 }));
      expect(error).toBeInstanceOf(InvalidRunStateError);
      expect((error as Error).message).toBe(
        'Cannot rewind run undone: it is failed. Its completed steps were compensated (compensation done): start a new run instead.',
      );
      expect((await store.getSteps('undone')).map((s) => s.stepId)).toEqual(['a#0', 'b#0']);
      expect(await store.listStepGenerations('undone')).toEqual([]);
    });

    it('sets the target step and every later one aside as generation 1, keeps the earlier ones, and makes the run pending as generation 2', async () => {
      const store = getStore();
      await finishedRun(store, 'r1', 'completed');
      const before = await store.getSteps('r1');
      const attemptsBefore = await store.listAttempts('r1');
      const result = await store.rewindRun({ runId: 'r1', to: 'b#0', now: T0 + 200, by: 'ops@example' });
      expect(result).toMatchObject({ toStepId: 'b#0', generation: 2, setAside: 3 });
      expect(result?.run).toMatchObject({ status: 'pending', output: null, error: null, lease: null, wakeAt: null, cancelRequested: false });
      expect(result?.run).toMatchObject({ claimsWithoutProgress: 0, generation: 2, updatedAt: T0 + 200 });
      expect(await store.getRun('r1')).toEqual(result?.run);
      expect((await store.getSteps('r1')).map((s) => s.stepId)).toEqual(['a#0']);
      const kept = await store.listStepGenerations('r1');
      expect(kept).toEqual(before.slice(1).map((s) => ({ ...s, generation: 1, setAsideAt: T0 + 200 })));
      expect(await store.listAttempts('r1')).toEqual(attemptsBefore);
      expect(await rewoundEvents(store, 'r1')).toEqual([{ to: 'b#0', generation: 2, setAside: 3, from: 'completed', by: 'ops@example' }]);
    });

    it('a rewound run is claimed and commits the set-aside steps again; a second rewind keeps generation 2 beside generation 1', async () => {
      const store = getStore();
      await finishedRun(store, 'r1', 'completed');
      await store.rewindRun({ runId: 'r1', to: 'c#0', now: T0 + 200 });
      const again = await claim(store, 'r1', { now: T0 + 300 });
      expect(again.claimCount).toBe(2);
      await commitSteps(store, again, ['c#0', 'd#0'], 2, T0 + 310);
      await store.finishRun({ runId: 'r1', token: tokenOf(again), now: T0 + 400, status: 'completed', output: '"again"' });
      expect((await store.getSteps('r1')).map((s) => [s.stepId, s.completedAt])).toEqual([
        ['a#0', T0 + 10],
        ['b#0', T0 + 11],
        ['c#0', T0 + 310],
        ['d#0', T0 + 311],
      ]);
      const second = await store.rewindRun({ runId: 'r1', to: 'd#0', now: T0 + 500 });
      expect(second).toMatchObject({ toStepId: 'd#0', generation: 3, setAside: 1 });
      expect((await store.listStepGenerations('r1')).map((s) => [s.generation, s.stepId, s.completedAt])).toEqual([
        [1, 'c#0', T0 + 12],
        [1, 'd#0', T0 + 13],
        [2, 'd#0', T0 + 311],
      ]);
    });

    it('a step name means its first occurrence; a failed and a cancelled run are rewound too', async () => {
      const store = getStore();
      await finishedRun(store, 'named', 'completed', ['fetch#0', 'fetch#1', 'save#0']);
      expect(await store.rewindRun({ runId: 'named', to: 'fetch', now: T0 + 200 })).toMatchObject({ toStepId: 'fetch#0', setAside: 3 });
      await finishedRun(store, 'failed', 'failed');
      const failed = await store.rewindRun({ runId: 'failed', to: 'd', now: T0 + 200 });
      expect(failed).toMatchObject({ toStepId: 'd#0', setAside: 1 });
      expect(failed?.run).toMatchObject({ status: 'pending', error: null });
      await finishedRun(store, 'cancelled', 'cancelled');
      const cancelled = await store.rewindRun({ runId: 'cancelled', to: 'a#0', now: T0 + 200 });
      expect(cancelled?.run).toMatchObject({ status: 'pending', cancelRequested: false });
      expect((await rewoundEvents(store, 'cancelled'))[0]).toEqual({ to: 'a#0', generation: 2, setAside: 4, from: 'cancelled' });
    });

    it('refuses a run that is not finished, naming its status, and a step the run does not have, naming its steps; null for an unknown run', async () => {
      const store = getStore();
      await createRun(store, 'pending');
      const running = await claim(store, (await createRun(store, 'running')).id);
      await commitSteps(store, running, ['a#0']);
      const sleeping = await claim(store, (await createRun(store, 'sleeping')).id);
      await store.releaseRun({ runId: 'sleeping', token: tokenOf(sleeping), now: T0 + 20, status: 'sleeping', wakeAt: T0 + DAY });
      const waiting = await claim(store, (await createRun(store, 'waiting')).id);
      await store.releaseRun({ runId: 'waiting', token: tokenOf(waiting), now: T0 + 20, status: 'waiting', wakeAt: null, wakeOn: { signalNames: ['go'] } });
      await createRun(store, 'parked');
      await claim(store, 'parked');
      const parked = await store.claimRuns(claimArgs({ runId: 'parked', now: T0 + LEASE_MS + 1, maxClaimsWithoutProgress: 1 }));
      expect(parked.map((r) => r.status)).toEqual(['parked']);
      for (const status of ['pending', 'running', 'sleeping', 'waiting', 'parked']) {
        const error = await rejection(store.rewindRun({ runId: status, to: 'a#0', now: T0 + 200 }));
        expect(error).toBeInstanceOf(InvalidRunStateError);
        expect((error as Error).message).toBe(
          `Cannot rewind run ${status}: it is ${status}. Only a finished run (completed, failed or cancelled) can be rewound: cancel it first, then rewind it.`,
        );
      }
      expect((await store.getSteps('running')).map((s) => s.stepId)).toEqual(['a#0']);
      await finishedRun(store, 'done', 'completed', ['fetch#0', 'save#0']);
      const unknown = await rejection(store.rewindRun({ runId: 'done', to: 'nope', now: T0 + 200 }));
      expect(unknown).toBeInstanceOf(RewindTargetNotFoundError);
      expect((unknown as Error).message).toBe('Cannot rewind run done to "nope": the run has no such step id or step name; its steps are fetch#0, save#0.');
      await finishedRun(store, 'empty', 'failed', []);
      expect(((await rejection(store.rewindRun({ runId: 'empty', to: 'a', now: T0 + 200 }))) as Error).message).toBe(
        'Cannot rewind run empty to "a": the run has no such step id or step name; it has no step results yet.',
      );
      // Nothing was written by a refusal.
      expect(await store.getRun('done')).toMatchObject({ status: 'completed' });
      expect(await store.listStepGenerations('done')).toEqual([]);
      expect(await store.rewindRun({ runId: 'missing', to: 'a#0', now: T0 })).toBeNull();
    });

    it('signals consumed by a set-aside step are unconsumed again; those consumed by a kept step stay consumed', async () => {
      const store = getStore();
      await createRun(store, 's');
      const run = await claim(store, 's');
      const first = await store.sendSignal({ runId: 's', name: 'go', payload: '1', now: T0 + 1 });
      const second = await store.sendSignal({ runId: 's', name: 'go', payload: '2', now: T0 + 2 });
      await store.commitStep(commitArgs(run, 'signal:go#0', { seq: 0, kind: 'signal', output: '1' }, { consumeSignalId: first.id }));
      await store.commitStep(commitArgs(run, 'signal:go#1', { seq: 1, kind: 'signal', output: '2' }, { consumeSignalId: second.id }));
      await store.finishRun({ runId: 's', token: tokenOf(run), now: T0 + 100, status: 'completed', output: '2' });
      expect(await store.peekSignal('s', 'go')).toBeNull();
      await store.rewindRun({ runId: 's', to: 'signal:go#1', now: T0 + 200 });
      expect(await store.peekSignal('s', 'go')).toMatchObject({ id: second.id, payload: '2', consumedByStep: null });
    });

    it('two rewinds of one run at once: one sets the steps aside, the other is refused (the run is pending by then)', async () => {
      const store = getStore();
      await finishedRun(store, 'r1', 'completed');
      const results = await Promise.allSettled([
        store.rewindRun({ runId: 'r1', to: 'b#0', now: T0 + 200 }),
        store.rewindRun({ runId: 'r1', to: 'a#0', now: T0 + 200 }),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect((lost[0] as PromiseRejectedResult).reason).toBeInstanceOf(InvalidRunStateError);
      const winner = (won[0] as PromiseFulfilledResult<Awaited<ReturnType<Store['rewindRun']>>>).value;
      expect(await store.getRun('r1')).toMatchObject({ status: 'pending', generation: 2 });
      expect((await store.listStepGenerations('r1')).length).toBe(winner?.setAside);
      expect((await store.getSteps('r1')).length + (winner?.setAside ?? 0)).toBe(4);
      expect(await rewoundEvents(store, 'r1')).toHaveLength(1);
    });

    it('a prune deletes the set-aside results with their run and counts them', async () => {
      const store = getStore();
      await finishedRun(store, 'old', 'completed');
      await store.rewindRun({ runId: 'old', to: 'c#0', now: T0 + 200 });
      const again = await claim(store, 'old', { now: T0 + 300 });
      await store.finishRun({ runId: 'old', token: tokenOf(again), now: T0 + 400, status: 'completed', output: '1' });
      const args = { endedBefore: T0 + DAY, statuses: ['completed'] as const, limit: 10, now: T0 + DAY };
      expect(await store.pruneRuns({ ...args, dryRun: true })).toMatchObject({ runs: 1, steps: 2, setAsideSteps: 2 });
      expect(await store.pruneRuns(args)).toMatchObject({ runs: 1, steps: 2, setAsideSteps: 2 });
      expect(await store.listStepGenerations('old')).toEqual([]);
      expect(await store.getRun('old')).toBeNull();
    });
  });
}
