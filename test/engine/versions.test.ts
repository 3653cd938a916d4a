// Workflow versions on SQLite (versions-cases.ts), on a real database file; and the checks of
// the version option, of duplicate definitions and of patch ids, with their exact messages.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { startEngine, tempDir, type TestEngine } from '../helpers.js';
import { defineWorkflow, unregisterWorkflow } from '../../src/workflow/define.js';
import { versionCases } from './versions-cases.js';
import { Lifeline } from '../../src/engine/lifeline.js';
import { ManualClock } from '../../src/time/clock.js';

describe('workflow versions (SQLite)', () => {
  versionCases('sqlite', {
    open: () => {
      const tmp = tempDir();
      return Promise.resolve({ db: join(tmp.dir, 'versions.db'), cleanup: () => Promise.resolve(tmp.cleanup()) });
    },
  });
});

describe('workflow versions: checks', () => {
  it('refuses a version that is not a positive 32-bit integer, naming the field and the bound', () => {
    for (const [bad, got] of [
      [0, '0'],
      [1.5, '1.5'],
      ['2', '"2"'],
      [2147483648, '2147483648'],
    ] as const) {
      expect(() => defineWorkflow('versions.bad', () => 1, { version: bad as number })).toThrow(
        `Invalid option workflow "versions.bad".version: must be an integer from 1 to 2147483647 (got ${got})`,
      );
    }
  });

  it('refuses a second definition of the same name and version only', () => {
    const one = defineWorkflow('versions.dup', () => 1, { version: 1 });
    const plain = defineWorkflow('versions.dup', () => 0);
    try {
      expect(defineWorkflow('versions.dup', () => 2, { version: 2 }).version).toBe(2);
      expect(() => defineWorkflow('versions.dup', () => 1, { version: 1 })).toThrow(
        'Version 1 of workflow "versions.dup" is already registered; a name and version must be unique.',
      );
      expect(() => defineWorkflow('versions.dup', () => 0)).toThrow(
        'A workflow named "versions.dup" without a version is already registered; a name and version must be unique (give one of them a version to load both).',
      );
      expect([one.version, plain.version]).toEqual([1, null]);
    } finally {
      unregisterWorkflow('versions.dup');
    }
  });

  it('refuses a bad patch id in ctx.patched and ctx.deprecatePatch (the run fails with the message)', async () => {
    let engine: TestEngine | undefined;
    const patched = defineWorkflow('versions.bad-patch', async (ctx) => ctx.patched('has space'));
    const deprecated = defineWorkflow('versions.bad-deprecate', (ctx) => ctx.deprecatePatch(''));
    try {
      engine = await startEngine({ workflows: [patched, deprecated] });
      const a = await engine.lifeline.start(patched, null);
      await expect(a.result()).rejects.toThrow(
        'Invalid patch id in ctx.patched of workflow "versions.bad-patch": use 1-128 letters, digits, "_", ".", ":" or "-" (got "has space")',
      );
      const b = await engine.lifeline.start(deprecated, null);
      await expect(b.result()).rejects.toThrow(
        'Invalid patch id in ctx.deprecatePatch of workflow "versions.bad-deprecate": use 1-128 letters, digits, "_", ".", ":" or "-" (got "")',
      );
    } finally {
      await engine?.close();
      unregisterWorkflow(patched.name);
      unregisterWorkflow(deprecated.name);
    }
  });
});

describe('workflow versions: what else pins a run, and the worker row', () => {
  /** Turns of the loop (the clock does not move) until `condition` holds: the store round trips are real. */
  async function until(clock: ManualClock, condition: () => Promise<boolean>, what: string): Promise<void> {
    for (let i = 0; i < 5000; i++) {
      if (await condition()) return;
      await clock.advance(0);
    }
    throw new Error(`never happened: ${what}`);
  }

  it('a child is pinned to its definition, a scheduled run to the highest version loaded; a worker records what it loaded and forgets it on stop', async () => {
    const child = defineWorkflow('versions.child', () => 'child v3', { version: 3 });
    const parent = defineWorkflow('versions.parent', (ctx) => ctx.child(child, null), { version: 1 });
    const cron = { schedules: [{ cron: '* * * * * *', catchUp: 'skip' as const }] };
    const sched1 = defineWorkflow('versions.sched', () => 'sched v1', { version: 1, ...cron });
    const sched2 = defineWorkflow('versions.sched', () => 'sched v2', { version: 2, ...cron });
    const tmp = tempDir();
    const clock = new ManualClock(Date.parse('2026-01-01T00:00:00.500Z'));
    const lifeline = await Lifeline.open({ db: join(tmp.dir, 'pins.db'), workflows: [child, parent, sched1, sched2], clock });
    try {
      const worker = lifeline.worker({ pollMs: 1000 });
      worker.start();
      const h = await lifeline.start(parent, null, { runId: 'parent' });
      await until(clock, async () => (await lifeline.getRun('parent'))?.status === 'completed', 'the parent to complete');
      expect(await lifeline.getRun('parent/child:versions.child#0')).toMatchObject({ version: 3, output: 'child v3' });
      expect((await h.status()).version).toBe(1);
      const [row] = await lifeline.store.listWorkers();
      expect(row).toMatchObject({
        id: worker.id,
        workflows: [
          { workflow: 'versions.child', version: 3 },
          { workflow: 'versions.parent', version: 1 },
          { workflow: 'versions.sched', version: 1 },
          { workflow: 'versions.sched', version: 2 },
        ],
      });
      await clock.advance(1000);
      await until(clock, async () => (await lifeline.listRuns({ workflow: 'versions.sched' })).some((r) => r.status === 'completed'), 'a tick run');
      const [tick] = await lifeline.listRuns({ workflow: 'versions.sched' });
      expect(tick).toMatchObject({ version: 2, output: 'sched v2' });
      expect((await lifeline.store.listSchedules()).map((s) => s.id)).toEqual(['versions.sched:default']);
      const stopping = worker.stop();
      for (let i = 0; i < 3; i++) await clock.advance(10_000);
      await stopping;
      expect(await lifeline.store.listWorkers()).toEqual([]);
    } finally {
      const closing = lifeline.close();
      for (let i = 0; i < 3; i++) await clock.advance(10_000);
      await closing;
      tmp.cleanup();
      for (const name of ['versions.child', 'versions.parent', 'versions.sched']) unregisterWorkflow(name);
    }
  });
});
