// Compensation (compensation-cases.ts) on a real SQLite file, and a run whose code changed.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Lifeline } from '../../src/engine/lifeline.js';
import { RunCancelledError } from '../../src/errors/workflow-errors.js';
import { defineWorkflow, unregisterWorkflow } from '../../src/workflow/define.js';
import { tempDir } from '../helpers.js';
import { compensationCases } from './compensation-cases.js';

compensationCases('SQLite', {
  open: () => {
    const tmp = tempDir();
    return Promise.resolve({ db: join(tmp.dir, 'comp.db'), cleanup: () => Promise.resolve(tmp.cleanup()) });
  },
});

describe('compensation when the code changed (SQLite)', () => {
  it('a completed step with a compensation the new code no longer reaches is reported unreached, and the cancel does not hang', async () => {
    const tmp = tempDir();
    const db = join(tmp.dir, 'changed.db');
    const undone: string[] = [];
    const v1 = defineWorkflow('comp.changed', async (ctx) => {
      await ctx.step('book', () => 'B1', { compensate: (id) => void undone.push(id) });
      await ctx.sleep('1h');
    });
    const first = await Lifeline.open({ db, workflows: [v1] });
    try {
      first.worker({ pollMs: 20 }).start();
      const h = await first.start(v1, null, { runId: 'changed-1' });
      for (let i = 0; (await first.getRun(h.runId))?.status !== 'sleeping'; i++) {
        if (i > 20_000) throw new Error('never slept');
        await new Promise((r) => setImmediate(r)); // a turn for the worker, not a wait for time
      }
    } finally {
      await first.close();
      unregisterWorkflow(v1.name);
    }
    // v2 no longer calls `book`: its compensation is unknown to the code that runs now.
    const v2 = defineWorkflow('comp.changed', async (ctx) => {
      await ctx.waitForSignal('never');
    });
    const second = await Lifeline.open({ db, workflows: [v2] });
    try {
      second.worker({ pollMs: 20 }).start();
      expect((await second.cancel('changed-1')).status).toBe('pending');
      await expect(second.result('changed-1')).rejects.toThrow(RunCancelledError);
      const run = await second.getRun('changed-1');
      expect([run?.status, run?.compensation, run?.error?.name]).toEqual(['cancelled', 'failed', 'CompensationFailedError']);
      expect(run?.error?.message).toBe(
        'Run changed-1 was not fully compensated: "book#0" declared a compensation the workflow\'s code no longer reaches. ' +
          'Undo what those steps did by hand; `lifeline show changed-1` lists their attempts and errors.',
      );
      expect(undone).toEqual([]);
      const ended = (await second.store.listEvents({ runId: 'changed-1' })).find((e) => e.type === 'run.compensated');
      expect(JSON.parse(ended!.data)).toEqual({ reason: 'cancelled', compensated: [], failed: [], unreached: ['book#0'] });
    } finally {
      await second.close();
      unregisterWorkflow(v2.name);
      tmp.cleanup();
    }
  });
});

describe("a worker that died between the last compensation and the run's final write (SQLite)", () => {
  it('a cancel asked meanwhile does not turn the compensated failure into a cancel: the next claim ends it failed with its error, running nothing again', async () => {
    const tmp = tempDir();
    const db = join(tmp.dir, 'window.db');
    const journal: string[] = [];
    const wf = defineWorkflow('comp.window', async (ctx) => {
      await ctx.step('book', () => (journal.push('book'), 'B1'), { compensate: () => void journal.push('undo book') });
      await ctx.step('charge', () => {
        journal.push('charge');
        throw new Error('card declined');
      });
    });
    const lifeline = await Lifeline.open({ db, workflows: [wf] });
    try {
      const { runId } = await lifeline.start(wf, null, { runId: 'window-1' });
      // What the dead worker left, written as its store calls would have: both steps committed, the
      // compensation committed, the state `done` with the failure kept on the run, then a cancel
      // requested while it still held the run; its lease then broken (it is gone).
      const store = lifeline.store;
      const now = Date.now();
      const [run] = await store.claimRuns({ workerId: 'dead', host: 'h', pid: 1, now, leaseMs: 60_000, limit: 1, workflows: [wf.name], runId });
      const token = run!.lease!.token;
      const step = (stepId: string, seq: number, status: 'completed' | 'failed', extra: object) => ({
        runId,
        token,
        now,
        step: {
          stepId,
          name: stepId.slice(0, stepId.lastIndexOf('#')),
          seq,
          kind: 'step' as const,
          attempts: 1,
          startedAt: now,
          completedAt: now,
          ...{ status, output: null, error: null },
          ...extra,
        },
      });
      const failure = { name: 'Error', message: 'card declined', errorClass: 'logic' as const, stepId: 'charge#0', attempts: 1 };
      await store.commitStep(step('book#0', 0, 'completed', { output: '"B1"', ranWith: 16 }));
      await store.commitStep(step('charge#0', 1, 'failed', { error: failure }));
      await store.commitStep(step('compensate:book#0', 2_000_000_000 - 1, 'completed', { output: 'null' }));
      const event = <K extends 'run.compensating' | 'run.compensated'>(type: K, data: object) => ({ runId, type, data, at: now }) as never;
      await store.setCompensation({
        runId,
        token,
        now,
        state: 'running',
        error: failure,
        events: [event('run.compensating', { reason: 'failed', steps: ['book#0'] })],
      });
      await store.setCompensation({
        runId,
        token,
        now,
        state: 'done',
        events: [event('run.compensated', { reason: 'failed', compensated: ['book#0'], failed: [], unreached: [] })],
      });
      expect((await store.requestCancel(runId, now))?.cancelRequested).toBe(true);
      expect(await store.breakLease(runId, token, now)).toBe(true);

      lifeline.worker({ pollMs: 20 }).start();
      await expect(lifeline.result(runId)).rejects.toThrow('card declined');
      const ended = await lifeline.getRun(runId);
      expect([ended?.status, ended?.compensation, ended?.error?.message]).toEqual(['failed', 'done', 'card declined']);
      expect(journal).toEqual([]); // replayed: no step body and no compensation ran again
    } finally {
      await lifeline.close();
      unregisterWorkflow(wf.name);
      tmp.cleanup();
    }
  });
});
