// listRunActivity: what many runs are doing, read at once (src/store/activity.ts). These cases
// hold a backend to the latest attempt by id, the latest event per asked type, the completed
// step count, ids asked twice or unknown, and the order of the answer.
import { describe, expect, it } from 'vitest';
import { commitArgs, createClaimed, createRun, T0, tokenOf, type GetStore } from './helpers.js';

export function activityConformance(getStore: GetStore): void {
  describe('activity', () => {
    it('gives each run its latest attempt, latest event per asked type and completed steps, in the order asked', async () => {
      const store = getStore();
      const a = await createClaimed(store, 'act-a');
      const token = tokenOf(a);
      await store.commitStep(commitArgs(a, 'one#0', { seq: 0, now: T0 + 10 }, { attempt: { attempt: 1, endedAt: T0 + 10, outcome: 'succeeded' } }));
      await store.startAttempt({ runId: 'act-a', token, stepId: 'two#0', stepName: 'two', attempt: 1, startedAt: T0 + 20, workerId: 'w' });
      await store.endAttempt({
        runId: 'act-a',
        token,
        stepId: 'two#0',
        attempt: 1,
        endedAt: T0 + 25,
        outcome: 'failed',
        errorClass: 'rate_limit',
        errorMessage: 'HTTP 429',
        events: [
          {
            runId: 'act-a',
            type: 'step.retrying',
            data: { stepId: 'two#0', attempt: 1, errorClass: 'rate_limit', delayMs: 500, message: 'HTTP 429' },
            at: T0 + 25,
          },
        ],
      });
      await store.startAttempt({ runId: 'act-a', token, stepId: 'two#0', stepName: 'two', attempt: 2, startedAt: T0 + 525, workerId: 'w' });
      await store.appendEvents([
        { runId: 'act-a', type: 'step.retrying', data: { stepId: 'two#0', attempt: 2, errorClass: 'timeout', delayMs: 900, message: 'slow' }, at: T0 + 600 },
      ]);
      await createRun(store, 'act-b', { now: T0 + 1 });

      const got = await store.listRunActivity({ runIds: ['act-b', 'act-a', 'unknown', 'act-a'], eventTypes: ['step.retrying', 'step.deferred'] });
      expect(got.map((r) => r.runId)).toEqual(['act-b', 'act-a', 'unknown']);
      const [b, act, unknown] = got;
      expect(b).toEqual({ runId: 'act-b', latestAttempt: null, latestEvents: [], completedSteps: 0, lastCompletedAt: null });
      expect(unknown).toEqual({ runId: 'unknown', latestAttempt: null, latestEvents: [], completedSteps: 0, lastCompletedAt: null });
      expect(act?.latestAttempt).toMatchObject({ runId: 'act-a', stepId: 'two#0', attempt: 2, outcome: 'running', startedAt: T0 + 525 });
      expect(act?.latestEvents.map((e) => [e.type, JSON.parse(e.data) as unknown, e.at])).toEqual([
        ['step.retrying', { stepId: 'two#0', attempt: 2, errorClass: 'timeout', delayMs: 900, message: 'slow' }, T0 + 600],
      ]);
      expect(act).toMatchObject({ completedSteps: 1, lastCompletedAt: T0 + 10 });
    });

    it('returns nothing for no ids and no events when no types are asked', async () => {
      const store = getStore();
      const a = await createClaimed(store, 'act-c');
      await store.commitStep(commitArgs(a, 'one#0', { seq: 0, now: T0 + 10 }));
      await store.commitStep(commitArgs(a, 'two#0', { seq: 1, now: T0 + 30 }));
      await store.appendEvents([{ runId: 'act-c', type: 'run.woken', data: { from: 'sleeping' }, at: T0 + 40 }]);
      expect(await store.listRunActivity({ runIds: [], eventTypes: ['run.woken'] })).toEqual([]);
      const [c] = await store.listRunActivity({ runIds: ['act-c'], eventTypes: [] });
      expect(c).toMatchObject({ latestEvents: [], completedSteps: 2, lastCompletedAt: T0 + 30 });
      const [withEvents] = await store.listRunActivity({ runIds: ['act-c'], eventTypes: ['run.woken', 'run.claimed'] });
      expect(withEvents?.latestEvents.map((e) => e.type)).toEqual(['run.woken']);
    });
  });
}
