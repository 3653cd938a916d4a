// Engine behaviour when the store fails a commit, on a real database of each backend: a refused
// write fails the run (recorded, not looped); an error of unknown kind at every commit ends in a
// parked run after a bounded number of claims, resumable once fixed; NUL in an error message is
// stored sanitized and NUL in a step result round-trips. Each backend supplies how to make its
// database refuse or break the commit of one step (a real trigger, not a mock).
import { describe, expect, it } from 'vitest';
import { Lifeline } from '../../src/engine/lifeline.js';
import type { EngineEvent } from '../../src/engine/lifeline.js';
import { defineWorkflow } from '../../src/workflow/define.js';
import type { Store } from '../../src/store/store.js';

export interface FaultBackend {
  open(): Promise<{ store: Store; cleanup: () => Promise<void> }>;
  /** Makes every insert of a step named `stepName` fail with a constraint-class error carrying `message`. */
  refuseStep(stepName: string, message: string): Promise<void>;
  /** Makes every insert of a step named `stepName` fail with an error of no known kind. */
  breakStep(stepName: string): Promise<void>;
  /** Undoes breakStep. */
  repairStep(stepName: string): Promise<void>;
}

const WORKER = { pollMs: 20, leaseMs: 400, heartbeatMs: 100, maxClaimsWithoutProgress: 3 };

/** Resolves with the first event matching `predicate`; rejects when `limit` body runs happened first. */
function until(lifeline: Lifeline, predicate: (e: EngineEvent) => boolean): Promise<EngineEvent> {
  return new Promise((resolve) => {
    const on = (e: EngineEvent) => {
      if (!predicate(e)) return;
      lifeline.events.off('event', on);
      resolve(e);
    };
    lifeline.events.on('event', on);
  });
}

export function storeFaultCases(name: string, backend: FaultBackend): void {
  describe(`store faults at commit: ${name}`, () => {
    it('a commit the database refuses fails the run with its message, once, with a failed attempt row', async () => {
      const { store, cleanup } = await backend.open();
      let executions = 0;
      let tooMany: () => void = () => {};
      const looped = new Promise<'looped'>((r) => (tooMany = () => r('looped')));
      const wf = defineWorkflow(`faults.refused.${name}`, async (ctx) => {
        await ctx.step('ok', () => 1);
        return ctx.step('refused', () => {
          if (++executions > 1) tooMany();
          return 'value';
        });
      });
      const lifeline = await Lifeline.open({ db: store, workflows: [wf] });
      try {
        await backend.refuseStep('refused', 'refused by the test trigger');
        lifeline.worker(WORKER).start();
        const h = await lifeline.start(wf, null);
        const ended = await Promise.race([
          h.result().then(
            () => 'completed',
            (e: unknown) => e,
          ),
          looped,
        ]);
        expect(ended).not.toBe('looped');
        expect(executions).toBe(1);
        const run = await lifeline.getRun(h.runId);
        expect(run?.status).toBe('failed');
        expect(run?.error).toMatchObject({ name: 'StoreRefusedError', errorClass: 'validation' });
        expect(run?.error?.message).toMatch(
          /^The database refused to record run .*'s progress: .*refused by the test trigger.*\. The same write would fail again, so the run fails instead of retrying it\.$/,
        );
        const attempts = await store.listAttempts(h.runId);
        expect(attempts.map((a) => [a.stepId, a.attempt, a.outcome])).toEqual([
          ['ok#0', 1, 'succeeded'],
          ['refused#0', 1, 'failed'],
        ]);
        expect(attempts[1]?.errorMessage).toContain('refused by the test trigger');
      } finally {
        await lifeline.close();
        await cleanup();
      }
    });

    it('a commit that fails the same unknown way every time parks the run after maxClaimsWithoutProgress claims; resume finishes it once fixed', async () => {
      const { store, cleanup } = await backend.open();
      let executions = 0;
      const wf = defineWorkflow(`faults.poison.${name}`, async (ctx) => {
        const a = await ctx.step('first', () => 'a');
        const b = await ctx.step('broken', () => {
          executions++;
          return 'b';
        });
        return a + b;
      });
      const lifeline = await Lifeline.open({ db: store, workflows: [wf] });
      try {
        await backend.breakStep('broken');
        lifeline.worker(WORKER).start();
        const h = await lifeline.start(wf, null);
        // Each claim ran the step once and abandoned the run. The first claim committed "first"
        // (progress), the next three did not: the fifth claim parks it. Old code: no end.
        const ended = await until(
          lifeline,
          (e) => e.runId === h.runId && (e.type === 'run.parked' || (e.type === 'run.claimed' && Number((e.data as { claimCount: number }).claimCount) > 6)),
        );
        expect(ended.type).toBe('run.parked');
        expect(await lifeline.getRun(h.runId)).toMatchObject({ status: 'parked', claimCount: 4, claimsWithoutProgress: 3 });
        expect(executions).toBe(4);
        const run = await lifeline.getRun(h.runId);
        expect(run?.error?.message).toContain('claimed 3 times in a row without committing a step');
        const events = await store.listEvents({ runId: h.runId });
        expect(events.filter((e) => e.type === 'run.abandoned')).toHaveLength(4);
        expect(events.map((e) => e.type)).toContain('run.parked');
        // Fixed: resume continues from the committed step; "first" is not executed again.
        await backend.repairStep('broken');
        expect((await lifeline.resume(h.runId)).status).toBe('pending');
        expect(await h.result()).toBe('ab');
        expect(executions).toBe(5);
        expect((await lifeline.getRun(h.runId))?.claimsWithoutProgress).toBe(0);
      } finally {
        await lifeline.close();
        await cleanup();
      }
    });

    it('a step name the database cannot store (null) ends the run failed instead of re-running the step', async () => {
      const { store, cleanup } = await backend.open();
      let executions = 0;
      let tooMany: () => void = () => {};
      const looped = new Promise<'looped'>((r) => (tooMany = () => r('looped')));
      const wf = defineWorkflow(`faults.null-name.${name}`, async (ctx) =>
        ctx.step(null as unknown as string, () => {
          if (++executions > 1) tooMany();
          return 1;
        }),
      );
      const lifeline = await Lifeline.open({ db: store, workflows: [wf] });
      try {
        lifeline.worker(WORKER).start();
        const h = await lifeline.start(wf, null);
        // Whether the name is refused before the step runs or by the database, the run ends once.
        const ended = await Promise.race([
          h.result().then(
            () => 'completed',
            () => 'failed',
          ),
          looped,
        ]);
        expect(ended).toBe('failed');
        expect(executions).toBeLessThanOrEqual(1);
        expect((await lifeline.getRun(h.runId))?.status).toBe('failed');
      } finally {
        await lifeline.close();
        await cleanup();
      }
    });

    it('NUL in a step error is stored sanitized (the run fails once); NUL in an input and a result round-trips', async () => {
      const { store, cleanup } = await backend.open();
      let executions = 0;
      const wf = defineWorkflow(`faults.nul.${name}`, async (ctx, input: { fail: boolean; note?: string }) => {
        const value = await ctx.step('nul-value', () => ({ text: 'a\u0000b' }));
        if (!input.fail) return { ...value, note: input.note };
        return ctx.step('nul-error', () => {
          executions++;
          const error = new TypeError('bad \u0000 byte'); // a logic error: not retried
          error.name = 'Type\u0000Error';
          throw error;
        });
      });
      const lifeline = await Lifeline.open({ db: store, workflows: [wf] });
      try {
        lifeline.worker(WORKER).start();
        const ok = await lifeline.start(wf, { fail: false, note: 'x\u0000y' });
        expect(await ok.result()).toEqual({ text: 'a\u0000b', note: 'x\u0000y' });
        expect((await lifeline.getRun(ok.runId))?.input).toEqual({ fail: false, note: 'x\u0000y' });
        const h = await lifeline.start(wf, { fail: true });
        await expect(h.result()).rejects.toThrow('bad \u2400 byte');
        expect(executions).toBe(1);
        const run = await lifeline.getRun(h.runId);
        expect(run?.status).toBe('failed');
        const step = (await store.getSteps(h.runId)).find((s) => s.stepId === 'nul-error#0');
        expect(step?.error).toMatchObject({ name: 'Type\u2400Error', message: 'bad \u2400 byte' });
        expect(step?.error?.stack ?? '').not.toContain('\u0000');
      } finally {
        await lifeline.close();
        await cleanup();
      }
    });
  });
}
