// Workflow versions (issue 12 §4), for any backend: a run is pinned to the version that started it
// and waits (saying why) while only other versions are loaded; ctx.patched() keeps an old run
// replaying its recorded path while new runs take the new one; the non-determinism error names
// the versions.
import { expect, it } from 'vitest';
import { Lifeline } from '../../src/engine/lifeline.js';
import type { Store } from '../../src/store/store.js';
import { runOverview } from '../../src/observe/run-overview.js';
import { defineWorkflow, unregisterWorkflow } from '../../src/workflow/define.js';

export interface VersionBackend {
  open(): Promise<{ db: string | Store; cleanup: () => Promise<void> }>;
}

async function settled(lifeline: Lifeline, runId: string, status: string): Promise<void> {
  for (let i = 0; i < 20_000; i++) {
    if ((await lifeline.getRun(runId))?.status === status) return;
    await new Promise((r) => setImmediate(r)); // a turn for the worker, not a wait for time
  }
  throw new Error(`run ${runId} never became ${status} (it is ${(await lifeline.getRun(runId))?.status})`);
}

export function versionCases(name: string, backend: VersionBackend): void {
  it(`${name}: a v1 run waits while only v2 is loaded (saying so) and is claimed when a v1 worker comes`, async () => {
    const wf = `versions.checkout.${name}`;
    const ran: string[] = [];
    const v1 = defineWorkflow(wf, async (ctx) => ctx.step('pay', () => (ran.push('v1'), 'paid by v1')), { version: 1 });
    const v2 = defineWorkflow(wf, async (ctx) => ctx.step('charge', () => (ran.push('v2'), 'charged by v2')), { version: 2 });
    const { db, cleanup } = await backend.open();
    const newCode = await Lifeline.open({ db, workflows: [v2] });
    const oldCode = await Lifeline.open({ db, workflows: [v1] });
    try {
      newCode.worker({ pollMs: 20 }).start();
      const old = await oldCode.start(v1, null, { runId: `old-${name}` });
      const fresh = await newCode.start(wf, null, { runId: `new-${name}` }); // by name: the highest version loaded
      await settled(newCode, fresh.runId, 'completed');
      // The v1 run was created first (claims take the oldest first), yet the v2 worker left it alone.
      expect(await newCode.getRun(old.runId)).toMatchObject({ status: 'pending', claimCount: 0, version: 1 });
      expect(await newCode.getRun(fresh.runId)).toMatchObject({ version: 2, output: 'charged by v2' });
      const overview = await runOverview(newCode, old.runId);
      expect(overview?.activity).toMatchObject({ state: 'pending', reason: `waiting for a worker with version 1 of ${wf} (live workers have 2)` });
      oldCode.worker({ pollMs: 20 }).start();
      await settled(oldCode, old.runId, 'completed');
      expect(await oldCode.getRun(old.runId)).toMatchObject({ output: 'paid by v1', claimCount: 1 });
      expect(ran).toEqual(['v2', 'v1']);
    } finally {
      await newCode.close();
      await oldCode.close();
      await cleanup();
      unregisterWorkflow(wf);
    }
  });

  it(`${name}: one process loads two versions; each run executes on the definition of its own version`, async () => {
    const wf = `versions.both.${name}`;
    const v1 = defineWorkflow(wf, () => 'one', { version: 1 });
    const v2 = defineWorkflow(wf, () => 'two', { version: 2 });
    const { db, cleanup } = await backend.open();
    const lifeline = await Lifeline.open({ db, workflows: [v1, v2] });
    try {
      lifeline.worker({ pollMs: 20 }).start();
      const a = await lifeline.start(v1, null);
      const b = await lifeline.start(wf, null);
      expect([await a.result(), await b.result()]).toEqual(['one', 'two']);
      expect([(await a.status()).version, (await b.status()).version]).toEqual([1, 2]);
    } finally {
      await lifeline.close();
      await cleanup();
      unregisterWorkflow(wf);
    }
  });

  it(`${name}: ctx.patched() replays an old run's history (recorded without the marker) to completion and takes the new path on new runs`, async () => {
    const wf = `versions.patched.${name}`;
    let code: 'old' | 'patched' | 'deprecated' = 'old';
    const def = defineWorkflow(wf, async (ctx) => {
      const a = await ctx.step('a', () => 'a');
      let fix = 'none';
      if (code === 'patched' && (await ctx.patched('fix-rounding'))) fix = await ctx.step('fixed', () => 'fixed');
      if (code === 'deprecated') {
        ctx.deprecatePatch('fix-rounding');
        fix = await ctx.step('fixed', () => 'fixed');
      }
      await ctx.waitForSignal('go');
      const b = await ctx.step('b', () => 'b');
      return `${a}-${fix}-${b}`;
    });
    const { db, cleanup } = await backend.open();
    const lifeline = await Lifeline.open({ db, workflows: [def] });
    try {
      lifeline.worker({ pollMs: 20 }).start();
      const old = await lifeline.start(def, null, { runId: `patch-old-${name}` });
      await settled(lifeline, old.runId, 'waiting');
      code = 'patched';
      const patched = await lifeline.start(def, null, { runId: `patch-new-${name}` });
      await settled(lifeline, patched.runId, 'waiting');
      await lifeline.signal(old.runId, 'go');
      await lifeline.signal(patched.runId, 'go'); // its resume replays the marker: the new path again
      expect(await old.result()).toBe('a-none-b');
      expect(await patched.result()).toBe('a-fixed-b');
      const steps = async (runId: string) => (await lifeline.store.getSteps(runId)).map((s) => `${s.seq}:${s.stepId}`);
      expect(await steps(old.runId)).toEqual(['0:a#0', '1:signal:go#0', '2:b#0']);
      expect(await steps(patched.runId)).toEqual(['0:a#0', '1:patch:fix-rounding#0', '2:fixed#0', '3:signal:go#0', '4:b#0']);
      // Cleanup: the old branch deleted, deprecatePatch where the `if` was. A run that recorded the
      // marker replays it there; a new run records none.
      code = 'patched';
      const recorded = await lifeline.start(def, null, { runId: `patch-recorded-${name}` });
      await settled(lifeline, recorded.runId, 'waiting');
      code = 'deprecated';
      const clean = await lifeline.start(def, null, { runId: `patch-clean-${name}` });
      await settled(lifeline, clean.runId, 'waiting');
      await lifeline.signal(recorded.runId, 'go');
      await lifeline.signal(clean.runId, 'go');
      expect([await recorded.result(), await clean.result()]).toEqual(['a-fixed-b', 'a-fixed-b']);
      expect(await steps(recorded.runId)).toEqual(['0:a#0', '1:patch:fix-rounding#0', '2:fixed#0', '3:signal:go#0', '4:b#0']);
      expect(await steps(clean.runId)).toEqual(['0:a#0', '1:fixed#0', '2:signal:go#0', '3:b#0']);
    } finally {
      await lifeline.close();
      await cleanup();
      unregisterWorkflow(wf);
    }
  });

  it(`${name}: the non-determinism error names the run's version and the code's, and points to the docs`, async () => {
    const wf = `versions.nondet.${name}`;
    let variant = 'a';
    const def = defineWorkflow(
      wf,
      async (ctx) => {
        await ctx.step(variant === 'a' ? 'first' : 'other', () => 1);
        await ctx.waitForSignal('go');
        return 'done';
      },
      { version: 3 },
    );
    const { db, cleanup } = await backend.open();
    const lifeline = await Lifeline.open({ db, workflows: [def] });
    try {
      lifeline.worker({ pollMs: 20 }).start();
      const h = await lifeline.start(def, null);
      await settled(lifeline, h.runId, 'waiting');
      variant = 'b';
      await lifeline.signal(h.runId, 'go');
      await expect(h.result()).rejects.toThrow(
        `Run ${h.runId} replayed out of order: history has step "first#0" at this position, but the code called "other#0". ` +
          'Usually the workflow body decides with a value that differs on replay: Date.now(), new Date() or Math.random() instead of ' +
          'ctx.now() / ctx.random() / ctx.uuid(), or data read outside a step. Otherwise the workflow code changed in a way that is incompatible with this run: ' +
          `the run was started with version 3 of workflow "${wf}" and replayed by code with version 3. Guard the change with ctx.patched(), ` +
          'or give the new code a new version and keep the old one loaded until its runs end (docs/time-travel.md#workflow-versions).',
      );
    } finally {
      await lifeline.close();
      await cleanup();
      unregisterWorkflow(wf);
    }
  });
}
