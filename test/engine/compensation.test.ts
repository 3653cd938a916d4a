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
