// Recovery decisions on final failure (Store.recoverRun, resolveEscalation, listRecoveries): each
// strategy's status change and record in one fenced write, the outcome when the run ends, the
// filters recovery metrics are computed with, and the refusals.
import { describe, expect, it } from 'vitest';
import { InvalidRunStateError, LeaseLostError } from '../../errors/store-errors.js';
import type { RecoverArgs, Store } from '../../store/store.js';
import type { RunRecord, StoredError } from '../../store/types.js';
import { T0, claim, commitArgs, createClaimed, createRun, rejection, tokenOf, type GetStore } from './helpers.js';

const FAILURE: StoredError = { name: 'StepFailedError', message: 'insufficient data', errorClass: 'validation', stepId: 'b#0', attempts: 1 };

function recoverArgs(run: RunRecord, over: Partial<RecoverArgs> = {}): RecoverArgs {
  return { runId: run.id, token: tokenOf(run), now: T0 + 100, strategy: 'resume', reason: 'rule 1', error: FAILURE, ...over };
}

/** A claimed run with a completed step a#0 and a failed step b#0 (the final failure). */
async function failedStep(store: Store, id: string): Promise<RunRecord> {
  const run = await createClaimed(store, id);
  await store.commitStep(commitArgs(run, 'a#0', { seq: 0 }));
  await store.commitStep(commitArgs(run, 'b#0', { seq: 1, status: 'failed', output: null, error: FAILURE }));
  return run;
}

export function recoveriesConformance(getStore: GetStore): void {
  describe('recoveries (recovery decisions on final failure)', () => {
    it('resume: the failed step result is removed, the run sleeps until wakeAt, the decision is recorded with its event', async () => {
      const store = getStore();
      const run = await failedStep(store, 'r1');
      const events = [
        {
          runId: 'r1',
          type: 'run.recovering' as const,
          data: { strategy: 'resume' as const, reason: 'rule 1', errorClass: 'validation' as const, stepId: 'b#0' },
          at: T0 + 100,
        },
      ];
      const record = await store.recoverRun(recoverArgs(run, { wakeAt: T0 + 5000, events }));
      expect(record).toMatchObject({
        runId: 'r1',
        workflow: run.workflow,
        strategy: 'resume',
        reason: 'rule 1',
        errorClass: 'validation',
        stepId: 'b#0',
        generation: 1,
        takenOverBy: null,
        wakeAt: T0 + 5000,
        decidedAt: T0 + 100,
        outcome: 'open',
        endedAt: null,
        recoveredMs: null,
      });
      expect(await store.getRun('r1')).toMatchObject({ status: 'sleeping', wakeAt: T0 + 5000, lease: null, error: { message: 'insufficient data' } });
      expect((await store.getSteps('r1')).map((s) => s.stepId)).toEqual(['a#0']);
      expect((await store.listEvents({ runId: 'r1' })).map((e) => e.type)).toContain('run.recovering');
      expect(await store.listRecoveries({ runId: 'r1' })).toEqual([record]);
    });

    it('a decision is fenced: a stale token writes nothing (LeaseLostError)', async () => {
      const store = getStore();
      const run = await failedStep(store, 'r1');
      const error = await rejection(store.recoverRun(recoverArgs(run, { token: 'stale' })));
      expect(error).toBeInstanceOf(LeaseLostError);
      expect(await store.listRecoveries()).toEqual([]);
      expect((await store.getRun('r1'))?.status).toBe('running');
      await store.recoverRun(recoverArgs(run));
      // The same decision twice: the second finds the lease gone.
      expect(await rejection(store.recoverRun(recoverArgs(run)))).toBeInstanceOf(LeaseLostError);
      expect(await store.listRecoveries({ runId: 'r1' })).toHaveLength(1);
    });

    it('two decisions racing with the same token: exactly one is written', async () => {
      const store = getStore();
      const run = await failedStep(store, 'r1');
      const results = await Promise.allSettled([
        store.recoverRun(recoverArgs(run, { strategy: 'restart' })),
        store.recoverRun(recoverArgs(run, { strategy: 'escalate' })),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      const refused = results.find((r) => r.status === 'rejected');
      expect(refused?.status === 'rejected' ? refused.reason : null).toBeInstanceOf(LeaseLostError);
      expect(await store.listRecoveries({ runId: 'r1' })).toHaveLength(1);
    });

    it('restart: every step result removed, pending, generation 2; completion ends the decision as recovered with its time', async () => {
      const store = getStore();
      const run = await failedStep(store, 'r1');
      const record = await store.recoverRun(recoverArgs(run, { strategy: 'restart' }));
      expect(record).toMatchObject({ strategy: 'restart', generation: 2, outcome: 'open' });
      expect(await store.getRun('r1')).toMatchObject({ status: 'pending', lease: null });
      expect(await store.getSteps('r1')).toEqual([]);
      const again = await claim(store, 'r1', { now: T0 + 200 });
      await store.finishRun({ runId: 'r1', token: tokenOf(again), now: T0 + 1100, status: 'completed', output: '1' });
      const [ended] = await store.listRecoveries({ runId: 'r1' });
      expect(ended).toMatchObject({ outcome: 'recovered', endedAt: T0 + 1100, recoveredMs: 1000, generation: 2 });
    });

    it('a second decision supersedes the first; a final failure ends it as failed', async () => {
      const store = getStore();
      const run = await failedStep(store, 'r1');
      await store.recoverRun(recoverArgs(run, { strategy: 'restart' }));
      const again = await claim(store, 'r1', { now: T0 + 200 });
      await store.recoverRun(recoverArgs(again, { now: T0 + 300, strategy: 'restart' }));
      const third = await claim(store, 'r1', { now: T0 + 400 });
      await store.finishRun({ runId: 'r1', token: tokenOf(third), now: T0 + 500, status: 'failed', error: FAILURE });
      expect((await store.listRecoveries({ runId: 'r1' })).map((r) => [r.outcome, r.generation])).toEqual([
        ['superseded', 2],
        ['failed', 3],
      ]);
    });

    it('reassign: the run fails, the taking-over run is created with the same input and ends the decision', async () => {
      const store = getStore();
      await createRun(store, 'r1', { input: '{"q":1}' });
      const run = await claim(store, 'r1');
      const record = await store.recoverRun(recoverArgs(run, { strategy: 'reassign', takeOver: { runId: 'r1/reassigned', workflow: 'other-wf' } }));
      expect(record).toMatchObject({ strategy: 'reassign', takenOverBy: 'r1/reassigned', outcome: 'open' });
      expect(await store.getRun('r1')).toMatchObject({ status: 'failed', error: { message: 'insufficient data' }, lease: null });
      expect(await store.getRun('r1/reassigned')).toMatchObject({ status: 'pending', workflow: 'other-wf', input: '{"q":1}', parentRunId: null });
      const other = await claim(store, 'r1/reassigned', { workflows: ['other-wf'], now: T0 + 200 });
      await store.finishRun({ runId: other.id, token: tokenOf(other), now: T0 + 700, status: 'completed', output: '2' });
      expect(await store.listRecoveries({ runId: 'r1' })).toMatchObject([{ outcome: 'recovered', recoveredMs: 600 }]);
    });

    it('escalate: parked with the reason; resolve retry removes the failed step and makes it pending', async () => {
      const store = getStore();
      const run = await failedStep(store, 'r1');
      await store.recoverRun(recoverArgs(run, { strategy: 'escalate', reason: 'needs a person' }));
      const parked = await store.getRun('r1');
      expect(parked).toMatchObject({ status: 'parked', lease: null });
      expect(parked?.error?.message).toBe('Escalated (needs a person): insufficient data Resolve it with lifeline resolve RUN retry|skip|cancel.');
      expect(await store.claimRuns({ workerId: 'w', host: 'h', pid: 1, now: T0 + 10_000_000, leaseMs: 1000, limit: 5, workflows: [run.workflow] })).toEqual([]);
      const resolved = await store.resolveEscalation({ runId: 'r1', action: 'retry', now: T0 + 900 });
      expect(resolved).toMatchObject({ status: 'pending', error: null });
      expect((await store.getSteps('r1')).map((s) => s.stepId)).toEqual(['a#0']);
      expect(await store.listRecoveries({ runId: 'r1' })).toMatchObject([{ strategy: 'escalate', resolution: 'retry', resolvedAt: T0 + 900, outcome: 'open' }]);
      // Resolved once: a second resolution finds no open escalation.
      expect(await rejection(store.resolveEscalation({ runId: 'r1', action: 'retry', now: T0 + 901 }))).toBeInstanceOf(InvalidRunStateError);
    });

    it('resolve skip turns the escalated step into a completed one with output null; cancel cancels and ends the decision', async () => {
      const store = getStore();
      const run = await failedStep(store, 'r1');
      await store.recoverRun(recoverArgs(run, { strategy: 'escalate' }));
      await store.resolveEscalation({ runId: 'r1', action: 'skip', now: T0 + 900 });
      expect((await store.getSteps('r1')).map((s) => [s.stepId, s.status, s.output])).toEqual([
        ['a#0', 'completed', '{"from":"a#0"}'],
        ['b#0', 'completed', 'null'],
      ]);
      const r2 = await failedStep(store, 'r2');
      await store.recoverRun(recoverArgs(r2, { strategy: 'escalate' }));
      expect(await store.resolveEscalation({ runId: 'r2', action: 'cancel', now: T0 + 900 })).toMatchObject({ status: 'cancelled' });
      expect(await store.listRecoveries({ runId: 'r2' })).toMatchObject([{ resolution: 'cancel', outcome: 'cancelled', endedAt: T0 + 900 }]);
    });

    it('resolve refuses a run that is not escalated with the spec reason or the parking one; unknown runs give null', async () => {
      const store = getStore();
      await createRun(store, 'r1');
      const refused = await rejection(store.resolveEscalation({ runId: 'r1', action: 'retry', now: T0 }));
      expect(refused).toBeInstanceOf(InvalidRunStateError);
      expect((refused as Error).message).toBe('Cannot resolve run r1: it is pending. Only an escalated run can be resolved.');
      await store.claimRuns({ workerId: 'w', host: 'h', pid: 1, now: T0, leaseMs: 1000, limit: 1, workflows: ['conformance-wf'], maxClaimsWithoutProgress: 0 });
      const poison = await rejection(store.resolveEscalation({ runId: 'r1', action: 'cancel', now: T0 }));
      expect((poison as Error).message).toBe(
        'Cannot resolve run r1: it is parked. It is parked as a poison run, not escalated: resume it (lifeline resume RUN).',
      );
      expect(await store.resolveEscalation({ runId: 'nope', action: 'retry', now: T0 })).toBeNull();
    });

    it('lists by run, workflow, since, strategy and outcome, oldest first, with a limit', async () => {
      const store = getStore();
      for (const [i, id] of ['r1', 'r2', 'r3'].entries()) {
        const run = await failedStep(store, id);
        await store.recoverRun(recoverArgs(run, { now: T0 + 1000 * (i + 1), strategy: i === 2 ? 'escalate' : 'restart' }));
      }
      const ids = (rs: { runId: string }[]) => rs.map((r) => r.runId);
      expect(ids(await store.listRecoveries())).toEqual(['r1', 'r2', 'r3']);
      expect(ids(await store.listRecoveries({ since: T0 + 2000 }))).toEqual(['r2', 'r3']);
      expect(ids(await store.listRecoveries({ strategy: 'escalate' }))).toEqual(['r3']);
      expect(ids(await store.listRecoveries({ workflow: 'conformance-wf', outcome: 'open', limit: 2 }))).toEqual(['r1', 'r2']);
      expect(await store.listRecoveries({ workflow: 'elsewhere' })).toEqual([]);
    });

    it('cancelling a sleeping (resumed) run ends its decision as cancelled', async () => {
      const store = getStore();
      const run = await failedStep(store, 'r1');
      await store.recoverRun(recoverArgs(run, { wakeAt: T0 + 60_000 }));
      await store.requestCancel('r1', T0 + 300);
      expect(await store.listRecoveries({ runId: 'r1' })).toMatchObject([{ outcome: 'cancelled', endedAt: T0 + 300 }]);
    });
  });
}
