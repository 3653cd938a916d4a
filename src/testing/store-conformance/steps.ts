// commitStep, attempts, fencing, group commit and read-your-writes.
import { describe, expect, it } from 'vitest';
import { LeaseLostError, StepAlreadyCommittedError } from '../../errors/store-errors.js';
import { LEASE_MS, T0, claim, commitArgs, createClaimed, rejection, tokenOf, type GetStore } from './helpers.js';

export function stepsConformance(getStore: GetStore): void {
  describe('commitStep', () => {
    it('records steps, returned in seq order, with errors round-tripped', async () => {
      const store = getStore();
      const run = await createClaimed(store, 'r1');
      const error = { name: 'Error', message: 'bad', errorClass: 'logic' as const, stepId: 'b#0', attempts: 3 };
      await store.commitStep(commitArgs(run, 'b#0', { seq: 1, status: 'failed', output: null, error, attempts: 3 }));
      await store.commitStep(commitArgs(run, 'a#0', { seq: 0, now: T0 + 20 }));
      const steps = await store.getSteps('r1');
      expect(steps.map((s) => s.stepId)).toEqual(['a#0', 'b#0']);
      expect(steps[0]).toEqual({
        runId: 'r1',
        stepId: 'a#0',
        name: 'a',
        seq: 0,
        kind: 'step',
        status: 'completed',
        output: '{"from":"a#0"}',
        error: null,
        attempts: 1,
        startedAt: T0 + 15,
        completedAt: T0 + 20,
      });
      expect(steps[1]).toMatchObject({ status: 'failed', error, attempts: 3, output: null });
      expect(await store.getSteps('missing')).toEqual([]);
    });

    it('replaces a waiting record; a completed or failed one is never replaced', async () => {
      const store = getStore();
      const run = await createClaimed(store, 'r1');
      await store.commitStep(commitArgs(run, 'sleep#0', { kind: 'sleep', status: 'waiting', output: null, completedAt: null }));
      await store.commitStep(commitArgs(run, 'sleep#0', { kind: 'sleep', status: 'completed', output: 'null', now: T0 + 50 }));
      expect(await store.getSteps('r1')).toMatchObject([{ stepId: 'sleep#0', status: 'completed', completedAt: T0 + 50 }]);

      const again = await rejection(store.commitStep(commitArgs(run, 'sleep#0', { output: '"other"' })));
      expect(again).toBeInstanceOf(StepAlreadyCommittedError);
      expect(again).toMatchObject({ code: 'STEP_ALREADY_COMMITTED', runId: 'r1', stepId: 'sleep#0' });
      await store.commitStep(commitArgs(run, 'f#0', { seq: 1, status: 'failed', output: null }));
      expect(await rejection(store.commitStep(commitArgs(run, 'f#0')))).toBeInstanceOf(StepAlreadyCommittedError);
      expect((await store.getSteps('r1')).map((s) => [s.stepId, s.status, s.output])).toEqual([
        ['sleep#0', 'completed', 'null'],
        ['f#0', 'failed', null],
      ]);
    });

    it('appends its events in the same transaction, and none when it fails', async () => {
      const store = getStore();
      const run = await createClaimed(store, 'r1');
      const events = [{ runId: 'r1', type: 'step.completed' as const, data: { stepId: 'a#0', attempt: 1 }, at: T0 + 10 }];
      await store.commitStep(commitArgs(run, 'a#0', {}, { events }));
      const again = await rejection(store.commitStep(commitArgs(run, 'a#0', {}, { events })));
      expect(again).toBeInstanceOf(StepAlreadyCommittedError);
      expect(again).toMatchObject({ code: 'STEP_ALREADY_COMMITTED', runId: 'r1', stepId: 'a#0' });
      expect((await store.listEvents({ runId: 'r1' })).map((e) => [e.type, e.data, e.at])).toEqual([
        ['step.completed', '{"stepId":"a#0","attempt":1}', T0 + 10],
      ]);
    });
  });

  describe('attempts', () => {
    it('start, end and commit one attempt row each, with durations', async () => {
      const store = getStore();
      const run = await createClaimed(store, 'r1');
      const start = { runId: 'r1', stepId: 'fetch#0', stepName: 'fetch', workerId: 'worker-a' };
      await store.startAttempt({ ...start, attempt: 1, startedAt: T0 + 1 });
      expect(await store.listAttempts('r1')).toMatchObject([
        {
          runId: 'r1',
          stepId: 'fetch#0',
          stepName: 'fetch',
          attempt: 1,
          startedAt: T0 + 1,
          endedAt: null,
          outcome: 'running',
          durationMs: null,
          workerId: 'worker-a',
        },
      ]);
      await store.endAttempt({
        runId: 'r1',
        stepId: 'fetch#0',
        attempt: 1,
        endedAt: T0 + 4,
        outcome: 'timeout',
        errorClass: 'timeout',
        errorMessage: 'too slow',
        events: [{ runId: 'r1', type: 'run.cancel_requested', at: T0 + 4 }],
      });
      await store.startAttempt({ ...start, attempt: 2, startedAt: T0 + 10 });
      await store.commitStep(commitArgs(run, 'fetch#0', { attempts: 2, now: T0 + 17 }, { attempt: { attempt: 2, endedAt: T0 + 17, outcome: 'succeeded' } }));
      const attempts = await store.listAttempts('r1');
      expect(attempts.map((a) => [a.attempt, a.outcome, a.errorClass, a.errorMessage, a.durationMs])).toEqual([
        [1, 'timeout', 'timeout', 'too slow', 3],
        [2, 'succeeded', null, null, 7],
      ]);
      expect(attempts[0]!.id).toBeLessThan(attempts[1]!.id);
      expect((await store.listEvents({ runId: 'r1' })).map((e) => e.type)).toEqual(['run.cancel_requested']);
    });

    it('commitStep records an attempt that was never started', async () => {
      const store = getStore();
      const run = await createClaimed(store, 'r1');
      await store.commitStep(
        commitArgs(
          run,
          'x#0',
          { now: T0 + 30, startedAt: T0 + 20 },
          { attempt: { attempt: 1, endedAt: T0 + 30, outcome: 'failed', errorClass: 'logic', errorMessage: 'm' } },
        ),
      );
      expect(await store.listAttempts('r1')).toMatchObject([
        { stepId: 'x#0', stepName: 'x', attempt: 1, startedAt: T0 + 20, endedAt: T0 + 30, outcome: 'failed', durationMs: 10, workerId: 'worker-a' },
      ]);
    });
  });

  describe('fencing', () => {
    it('refuses every write of a worker whose run was taken over', async () => {
      const store = getStore();
      const old = await createClaimed(store, 'r1');
      const fresh = await claim(store, 'r1', { now: T0 + LEASE_MS, workerId: 'worker-b' });
      const stale = { runId: 'r1', token: tokenOf(old), now: T0 + LEASE_MS + 1 };
      const lost = [
        await rejection(store.commitStep(commitArgs(old, 'a#0'))),
        await rejection(store.finishRun({ ...stale, status: 'completed', output: '1' })),
        await rejection(store.releaseRun({ ...stale, status: 'pending', wakeAt: null })),
      ];
      for (const error of lost) {
        expect(error).toBeInstanceOf(LeaseLostError);
        expect(error).toMatchObject({ code: 'LEASE_LOST', runId: 'r1' });
      }
      expect(await store.heartbeat({ ...stale, leaseMs: LEASE_MS })).toMatchObject({ ok: false });
      expect(await store.getSteps('r1')).toEqual([]);
      expect(await store.getRun('r1')).toMatchObject({ status: 'running', lease: { token: tokenOf(fresh) } });
      await store.commitStep(commitArgs(fresh, 'a#0'));
      expect(await store.getSteps('r1')).toHaveLength(1);
    });

    it('refuses writes after the run was released or finished', async () => {
      const store = getStore();
      const run = await createClaimed(store, 'r1');
      await store.releaseRun({ runId: 'r1', token: tokenOf(run), now: T0 + 1, status: 'pending', wakeAt: null });
      const released = await rejection(store.commitStep(commitArgs(run, 'a#0')));
      expect(released).toBeInstanceOf(LeaseLostError);
      expect(released).toMatchObject({ code: 'LEASE_LOST', runId: 'r1' });
      const missing = await rejection(store.finishRun({ runId: 'missing', token: 'x', now: T0, status: 'completed' }));
      expect(missing).toBeInstanceOf(LeaseLostError);
      expect(missing).toMatchObject({ code: 'LEASE_LOST', runId: 'missing' });
    });
  });

  describe('batching', () => {
    it('many concurrent commits of different runs all land', async () => {
      const store = getStore();
      const runs = await Promise.all(Array.from({ length: 20 }, (_, i) => createClaimed(store, `r${i}`)));
      await Promise.all(runs.map((run) => store.commitStep(commitArgs(run, 'a#0'))));
      const steps = await Promise.all(runs.map((run) => store.getSteps(run.id)));
      expect(steps.every((s) => s.length === 1)).toBe(true);
    });

    it('a failing write rejects alone; the writes around it are kept', async () => {
      const store = getStore();
      const a = await createClaimed(store, 'a');
      const b = await createClaimed(store, 'b');
      const c = await createClaimed(store, 'c');
      const results = await Promise.allSettled([
        store.commitStep(commitArgs(a, 'a#0')),
        store.commitStep({ ...commitArgs(b, 'b#0'), token: 'stale' }),
        store.appendEvents([{ runId: 'c', type: 'run.cancel_requested', at: T0 }]),
        store.commitStep(commitArgs(c, 'c#0')),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
      expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(LeaseLostError);
      expect((await store.getSteps('a')).length + (await store.getSteps('c')).length).toBe(2);
      expect(await store.getSteps('b')).toEqual([]);
      expect(await store.listEvents({ runId: 'c' })).toHaveLength(1);
    });

    it('reads see soft writes that were not awaited yet', async () => {
      const store = getStore();
      const run = await createClaimed(store, 'r1');
      const started = store.startAttempt({ runId: 'r1', stepId: 'a#0', stepName: 'a', attempt: 1, startedAt: T0, workerId: 'w' });
      const appended = store.appendEvents([{ runId: 'r1', type: 'store.soft_write_failed', data: { message: '1' }, at: T0 }]);
      const beat = store.heartbeat({ runId: 'r1', token: tokenOf(run), now: T0 + 5, leaseMs: 100 });
      expect(await store.listAttempts('r1')).toHaveLength(1);
      expect((await store.listEvents({ runId: 'r1' })).map((e) => e.data)).toEqual(['{"message":"1"}']);
      expect((await store.getRun('r1'))?.lease?.expiresAt).toBe(T0 + 105);
      await Promise.all([started, appended, beat]);
    });
  });
}
