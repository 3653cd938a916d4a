// Compensation (issue 12 §3): rollback requests (Store.requestCompensation) with their exact
// refusals, the fenced compensation state (Store.setCompensation), and a cancel of a run no
// worker holds that has steps to compensate (requestCancel sends it to a worker instead).
import { describe, expect, it } from 'vitest';
import { InvalidRunStateError, LeaseLostError } from '../../errors/store-errors.js';
import type { Store } from '../../store/store.js';
import type { RunRecord } from '../../store/types.js';
import { T0, claim, commitArgs, createClaimed, rejection, tokenOf, type GetStore } from './helpers.js';

/** The ran_with bit of a step that declared a compensation (insight/ran-with.ts RAN_WITH_COMPENSATION). */
const COMPENSABLE = 16;

/** A claimed run with one completed step, `compensable` or not. */
async function withStep(store: Store, id: string, compensable: boolean): Promise<RunRecord> {
  const run = await createClaimed(store, id);
  await store.commitStep(commitArgs(run, 'book#0', { ranWith: compensable ? COMPENSABLE | 1 : 1 }));
  return run;
}

async function finished(store: Store, id: string, compensable: boolean, status: 'completed' | 'failed' = 'completed'): Promise<RunRecord> {
  const run = await withStep(store, id, compensable);
  const error = status === 'failed' ? { name: 'Error', message: 'declined', errorClass: 'logic' as const } : undefined;
  await store.finishRun({
    runId: id,
    token: tokenOf(run),
    now: T0 + 20,
    status,
    output: status === 'completed' ? '"done"' : null,
    ...(error ? { error } : {}),
  });
  return run;
}

async function eventTypes(store: Store, runId: string): Promise<string[]> {
  return (await store.listEvents({ runId })).map((e) => e.type);
}

export function compensationConformance(getStore: GetStore): void {
  describe('compensation', () => {
    it('rollback of a completed or failed run with a step to compensate: pending, compensation requested, output or error kept, claimable', async () => {
      const store = getStore();
      await finished(store, 'done', true);
      await finished(store, 'bad', true, 'failed');
      const done = await store.requestCompensation({ runId: 'done', now: T0 + 30 });
      expect(done).toMatchObject({ status: 'pending', compensation: 'requested', output: '"done"', error: null, lease: null });
      const bad = await store.requestCompensation({ runId: 'bad', now: T0 + 30 });
      expect(bad).toMatchObject({ status: 'pending', compensation: 'requested', error: { message: 'declined' } });
      const rolled = (await store.listEvents({ runId: 'done' })).filter((e) => e.type === 'run.rollback_requested');
      expect(rolled.map((e) => JSON.parse(e.data) as unknown)).toEqual([{ from: 'completed' }]);
      const again = await claim(store, 'done', { now: T0 + 31 });
      expect(again.compensation).toBe('requested');
    });

    it('rollback refusals say why: unknown run, another status, nothing to compensate, asked before', async () => {
      const store = getStore();
      expect(await store.requestCompensation({ runId: 'nope', now: T0 })).toBeNull();
      await withStep(store, 'live', true);
      const live = await rejection(store.requestCompensation({ runId: 'live', now: T0 + 30 }));
      expect(live).toBeInstanceOf(InvalidRunStateError);
      expect((live as Error).message).toBe('Cannot rollback run live: it is running. Only a completed or failed run can be rolled back.');
      await finished(store, 'plain', false);
      expect(((await rejection(store.requestCompensation({ runId: 'plain', now: T0 + 30 }))) as Error).message).toBe(
        'Cannot rollback run plain: it is completed. It has no completed step that declared a compensation.',
      );
      const run = await withStep(store, 'twice', true);
      await store.setCompensation({ runId: 'twice', token: tokenOf(run), now: T0 + 21, state: 'done' });
      await store.finishRun({ runId: 'twice', token: tokenOf(run), now: T0 + 22, status: 'completed', output: '1' });
      expect(((await rejection(store.requestCompensation({ runId: 'twice', now: T0 + 30 }))) as Error).message).toBe(
        'Cannot rollback run twice: it is completed. Its compensation was already asked for (done).',
      );
    });

    it('a step whose compensation committed leaves nothing to compensate', async () => {
      const store = getStore();
      const run = await withStep(store, 'undone', true);
      await store.commitStep(commitArgs(run, 'compensate:book#0', { name: 'compensate:book', seq: 1_999_999_999 }));
      await store.finishRun({ runId: 'undone', token: tokenOf(run), now: T0 + 22, status: 'completed', output: '1' });
      expect(((await rejection(store.requestCompensation({ runId: 'undone', now: T0 + 30 }))) as Error).message).toBe(
        'Cannot rollback run undone: it is completed. It has no completed step that declared a compensation.',
      );
    });

    it('setCompensation is fenced, sets the state (and the error when given) and appends its events', async () => {
      const store = getStore();
      const run = await withStep(store, 'r', true);
      const stale = await rejection(store.setCompensation({ runId: 'r', token: 'not-the-lease', now: T0 + 21, state: 'running' }));
      expect(stale).toBeInstanceOf(LeaseLostError);
      const error = { name: 'StepFailedError', message: 'declined', errorClass: 'logic' as const };
      await store.setCompensation({
        runId: 'r',
        token: tokenOf(run),
        now: T0 + 22,
        state: 'running',
        error,
        events: [{ runId: 'r', type: 'run.compensating', data: { reason: 'failed', steps: ['book#0'] }, at: T0 + 22 }],
      });
      expect(await store.getRun('r')).toMatchObject({ status: 'running', compensation: 'running', error });
      await store.setCompensation({ runId: 'r', token: tokenOf(run), now: T0 + 23, state: 'done' });
      expect(await store.getRun('r')).toMatchObject({ compensation: 'done', error });
      expect(await eventTypes(store, 'r')).toContain('run.compensating');
    });

    it('cancel of a sleeping run with a step to compensate sends it to a worker; without one it is cancelled at once', async () => {
      const store = getStore();
      for (const [id, compensable] of [
        ['saga', true],
        ['plain', false],
      ] as const) {
        const run = await withStep(store, id, compensable);
        await store.releaseRun({ runId: id, token: tokenOf(run), now: T0 + 21, status: 'sleeping', wakeAt: T0 + 3_600_000 });
      }
      const saga = await store.requestCancel('saga', T0 + 30);
      expect(saga).toMatchObject({ status: 'pending', cancelRequested: true, compensation: 'requested', wakeAt: null });
      expect(await eventTypes(store, 'saga')).toContain('run.cancel_requested');
      const claimed = await claim(store, 'saga', { now: T0 + 31 });
      expect([claimed.cancelRequested, claimed.compensation]).toEqual([true, 'requested']);
      const plain = await store.requestCancel('plain', T0 + 30);
      expect(plain).toMatchObject({ status: 'cancelled' });
      expect(plain?.compensation).toBeUndefined();
    });

    it('cancel of a pending run with a step to compensate flags it for its compensations (a pending rollback too)', async () => {
      const store = getStore();
      const run = await withStep(store, 'queued', true);
      await store.releaseRun({ runId: 'queued', token: tokenOf(run), now: T0 + 21, status: 'pending', wakeAt: null });
      const queued = await store.requestCancel('queued', T0 + 30);
      expect(queued).toMatchObject({ status: 'pending', cancelRequested: true, compensation: 'requested' });
      const claimed = await claim(store, 'queued', { now: T0 + 31 });
      expect([claimed.cancelRequested, claimed.compensation]).toEqual([true, 'requested']);
      await finished(store, 'rolling', true);
      await store.requestCompensation({ runId: 'rolling', now: T0 + 30 });
      expect(await store.requestCancel('rolling', T0 + 31)).toMatchObject({ status: 'pending', cancelRequested: true, compensation: 'requested' });
    });

    it('a failed run whose compensations ran cannot be retried: its steps were undone', async () => {
      const store = getStore();
      const run = await withStep(store, 'undone', true);
      await store.setCompensation({ runId: 'undone', token: tokenOf(run), now: T0 + 21, state: 'done' });
      const error = { name: 'Error', message: 'declined', errorClass: 'logic' as const };
      await store.finishRun({ runId: 'undone', token: tokenOf(run), now: T0 + 22, status: 'failed', error });
      expect((await rejection(store.retryRun('undone', T0 + 30))) as Error).toMatchObject({
        message: 'Cannot retry run undone: it is failed. Its completed steps were compensated (compensation done): start a new run instead.',
      });
      expect((await store.getRun('undone'))?.status).toBe('failed');
    });

    it('cancel of a running run with a step to compensate only flags it: its worker compensates', async () => {
      const store = getStore();
      await withStep(store, 'r', true);
      const flagged = await store.requestCancel('r', T0 + 30);
      expect(flagged).toMatchObject({ status: 'running', cancelRequested: true });
      expect(flagged?.compensation).toBeUndefined();
    });
  });
}
