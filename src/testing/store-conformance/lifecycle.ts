// releaseRun, finishRun, requestCancel, retryRun, wakeRun.
import { describe, expect, it } from 'vitest';
import { InvalidRunStateError } from '../../errors/store-errors.js';
import { T0, claim, claimArgs, commitArgs, createClaimed, createRun, rejection, tokenOf, type GetStore } from './helpers.js';

export function lifecycleConformance(getStore: GetStore): void {
  describe('releaseRun', () => {
    it('gives the run back as pending, sleeping or waiting and clears the lease', async () => {
      const store = getStore();
      for (const [id, status, wakeAt] of [
        ['p', 'pending', null],
        ['s', 'sleeping', T0 + 50],
        ['w', 'waiting', null],
      ] as const) {
        const run = await createClaimed(store, id);
        await store.releaseRun({ runId: id, token: tokenOf(run), now: T0 + 1, status, wakeAt });
        expect(await store.getRun(id)).toMatchObject({ status, wakeAt, lease: null, updatedAt: T0 + 1 });
      }
    });

    it('goes to pending instead of sleeping or waiting when a cancel was requested meanwhile', async () => {
      const store = getStore();
      for (const [id, status, wakeAt] of [
        ['s', 'sleeping', T0 + 50_000],
        ['w', 'waiting', null],
      ] as const) {
        const run = await createClaimed(store, id);
        await store.requestCancel(id, T0 + 1);
        await store.releaseRun({ runId: id, token: tokenOf(run), now: T0 + 2, status, wakeAt });
        expect(await store.getRun(id)).toMatchObject({ status: 'pending', wakeAt: null, cancelRequested: true, lease: null });
      }
    });

    it('goes to pending instead of waiting when an awaited signal is already there', async () => {
      const store = getStore();
      const run = await createClaimed(store, 'r1');
      await store.sendSignal({ runId: 'r1', name: 'go', payload: '1', now: T0 + 1 });
      await store.releaseRun({
        runId: 'r1',
        token: tokenOf(run),
        now: T0 + 2,
        status: 'waiting',
        wakeAt: T0 + 9999,
        wakeOn: { signalNames: ['x', 'go'] },
      });
      expect(await store.getRun('r1')).toMatchObject({ status: 'pending', wakeAt: null });
    });

    it('goes to pending instead of waiting when an awaited child is already terminal', async () => {
      const store = getStore();
      const parent = await createClaimed(store, 'parent');
      const child = await createClaimed(store, 'child', { parentRunId: 'parent' });
      await createRun(store, 'child2', { parentRunId: 'parent' });
      await store.releaseRun({ runId: 'parent', token: tokenOf(parent), now: T0 + 1, status: 'waiting', wakeAt: null, wakeOn: { childRunIds: ['child2'] } });
      expect((await store.getRun('parent'))?.status).toBe('waiting');

      // a waiting run without wakeAt is not claimable
      expect(await store.claimRuns(claimArgs({ runId: 'parent', now: T0 + 2 }))).toEqual([]);
      await store.finishRun({ runId: 'child', token: tokenOf(child), now: T0 + 3, status: 'failed', error: { name: 'E', message: 'm', errorClass: 'logic' } });
      // the child's finish woke the parent; claim it and wait on both children again
      const resumed = await claim(store, 'parent', { now: T0 + 4 });
      await store.releaseRun({
        runId: 'parent',
        token: tokenOf(resumed),
        now: T0 + 5,
        status: 'waiting',
        wakeAt: null,
        wakeOn: { childRunIds: ['child2', 'child'] },
      });
      expect((await store.getRun('parent'))?.status).toBe('pending');
    });
  });

  describe('finishRun', () => {
    it('ends the run with output or error and clears the lease', async () => {
      const store = getStore();
      const ok = await createClaimed(store, 'ok');
      await store.finishRun({ runId: 'ok', token: tokenOf(ok), now: T0 + 1, status: 'completed', output: '{"r":1}' });
      expect(await store.getRun('ok')).toMatchObject({ status: 'completed', output: '{"r":1}', error: null, lease: null, updatedAt: T0 + 1 });
      const bad = await createClaimed(store, 'bad');
      const error = { name: 'TypeError', message: 'x is undefined', errorClass: 'logic' as const, stack: 'at f' };
      await store.finishRun({ runId: 'bad', token: tokenOf(bad), now: T0 + 1, status: 'failed', error });
      expect(await store.getRun('bad')).toMatchObject({ status: 'failed', output: null, error });
    });

    it('wakes a waiting parent, and leaves a parent that is not waiting alone', async () => {
      const store = getStore();
      const parent = await createClaimed(store, 'parent');
      const c1 = await createClaimed(store, 'c1', { parentRunId: 'parent' });
      const c2 = await createClaimed(store, 'c2', { parentRunId: 'parent' });
      await store.finishRun({ runId: 'c1', token: tokenOf(c1), now: T0 + 1, status: 'completed', output: '1' });
      expect((await store.getRun('parent'))?.status).toBe('running');
      await store.releaseRun({ runId: 'parent', token: tokenOf(parent), now: T0 + 2, status: 'waiting', wakeAt: T0 + 9999 });
      await store.finishRun({ runId: 'c2', token: tokenOf(c2), now: T0 + 3, status: 'cancelled' });
      expect(await store.getRun('parent')).toMatchObject({ status: 'pending', wakeAt: null });
    });
  });

  describe('requestCancel', () => {
    it('flags a running run, cancels a not-running one, leaves a terminal one', async () => {
      const store = getStore();
      await createClaimed(store, 'running');
      expect(await store.requestCancel('running', T0 + 1)).toMatchObject({ status: 'running', cancelRequested: true });

      await createRun(store, 'pending');
      expect(await store.requestCancel('pending', T0 + 1)).toMatchObject({ status: 'cancelled', updatedAt: T0 + 1 });
      expect(await store.claimRuns(claimArgs({ now: T0 + 2 }))).toEqual([]);

      const done = await createClaimed(store, 'done');
      await store.finishRun({ runId: 'done', token: tokenOf(done), now: T0 + 1, status: 'completed', output: '1' });
      const before = await store.getRun('done');
      expect(await store.requestCancel('done', T0 + 5)).toEqual(before);
      expect(await store.requestCancel('missing', T0)).toBeNull();
    });

    it('cancelling a waiting child wakes its waiting parent', async () => {
      const store = getStore();
      const parent = await createClaimed(store, 'parent');
      const child = await createClaimed(store, 'child', { parentRunId: 'parent' });
      await store.releaseRun({ runId: 'child', token: tokenOf(child), now: T0 + 1, status: 'sleeping', wakeAt: T0 + 9999 });
      await store.releaseRun({ runId: 'parent', token: tokenOf(parent), now: T0 + 1, status: 'waiting', wakeAt: null });
      expect(await store.requestCancel('child', T0 + 2)).toMatchObject({ status: 'cancelled', lease: null });
      expect((await store.getRun('parent'))?.status).toBe('pending');
    });
  });

  describe('retryRun', () => {
    it('drops failed steps, keeps completed steps and attempts, makes the run pending', async () => {
      const store = getStore();
      const run = await createClaimed(store, 'r1');
      await store.commitStep(commitArgs(run, 'ok#0', { seq: 0 }));
      const error = { name: 'E', message: 'm', errorClass: 'logic' as const };
      await store.commitStep(
        commitArgs(run, 'bad#0', { seq: 1, status: 'failed', output: null, error }, { attempt: { attempt: 1, endedAt: T0 + 10, outcome: 'failed' } }),
      );
      await store.finishRun({ runId: 'r1', token: tokenOf(run), now: T0 + 11, status: 'failed', error });

      const retried = await store.retryRun('r1', T0 + 20);
      expect(retried).toMatchObject({ status: 'pending', error: null, lease: null, updatedAt: T0 + 20 });
      expect((await store.getSteps('r1')).map((s) => s.stepId)).toEqual(['ok#0']);
      expect(await store.listAttempts('r1')).toHaveLength(1);
      expect((await store.listEvents({ runId: 'r1' })).map((e) => e.type)).toContain('run.retried');
      expect((await store.claimRuns(claimArgs({ now: T0 + 21 }))).map((r) => r.id)).toEqual(['r1']);
    });

    it('refuses a run that is not failed; null for an unknown run', async () => {
      const store = getStore();
      await createRun(store, 'r1');
      const error = await rejection(store.retryRun('r1', T0));
      expect(error).toBeInstanceOf(InvalidRunStateError);
      expect(error).toMatchObject({ code: 'INVALID_RUN_STATE', runId: 'r1', status: 'pending' });
      expect(await store.retryRun('missing', T0)).toBeNull();
    });
  });

  describe('wakeRun', () => {
    it('makes a sleeping or waiting run due now; other statuses stay as they are', async () => {
      const store = getStore();
      const run = await createClaimed(store, 'r1');
      await store.releaseRun({ runId: 'r1', token: tokenOf(run), now: T0 + 1, status: 'sleeping', wakeAt: T0 + 1_000_000 });
      expect(await store.wakeRun('r1', T0 + 5)).toMatchObject({ status: 'sleeping', wakeAt: T0 + 5 });
      expect((await store.claimRuns(claimArgs({ now: T0 + 5 }))).map((r) => r.id)).toEqual(['r1']);

      await createRun(store, 'p');
      expect(await store.wakeRun('p', T0 + 6)).toMatchObject({ status: 'pending', wakeAt: null });
      expect(await store.wakeRun('missing', T0)).toBeNull();
    });
  });
}
