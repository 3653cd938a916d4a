import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { defineWorkflow } from '../../src/workflow/define.js';
import { ManualClock, flushAsync } from '../../src/time/clock.js';
import { Lifeline } from '../../src/engine/lifeline.js';
import { startEngine, tempDir, waitForEvent, type TestEngine } from '../helpers.js';
import { join } from 'node:path';

let engine: TestEngine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

const executed: string[] = [];

const sleeper = defineWorkflow('durable.sleeper', async (ctx) => {
  const before = await ctx.step('before', () => {
    executed.push('before');
    return 'b';
  });
  await ctx.sleep('1h');
  const after = await ctx.step('after', () => {
    executed.push('after');
    return 'a';
  });
  return before + after;
});

describe('durable sleep', () => {
  it('releases the run while sleeping and wakes it when the time comes, replaying earlier steps', async () => {
    const clock = new ManualClock();
    executed.length = 0;
    engine = await startEngine({ workflows: [sleeper], clock, worker: { pollMs: 3_600_000 } });
    const h = await engine.lifeline.start(sleeper, null);
    await waitForEvent(engine, (e) => e.type === 'run.sleeping');
    const sleeping = await engine.lifeline.store.getRun(h.runId);
    expect(sleeping).toMatchObject({ status: 'sleeping', lease: null, wakeAt: clock.now() + 3_600_000 });
    await flushAsync();
    expect(engine.worker.activeRuns).toBe(0);
    await clock.advance(3_599_999);
    expect((await h.status()).status).toBe('sleeping');
    await clock.advance(1000);
    expect(await h.result()).toBe('ba');
    expect(executed).toEqual(['before', 'after']);
    expect(engine.events.some((e) => e.type === 'step.replayed' && (e.data as { stepId: string }).stepId === 'before#0')).toBe(true);
  });

  it('wake() (lifeline resume) ends a sleep now: the run continues before its recorded wake time, and a later sleep is not skipped', async () => {
    const clock = new ManualClock();
    const twice = defineWorkflow('durable.sleep-twice', async (ctx) => {
      await ctx.sleep('1h');
      const woke = await ctx.now();
      await ctx.sleep('1h');
      return woke;
    });
    engine = await startEngine({ workflows: [twice], clock, worker: { pollMs: 3_600_000 } });
    const h = await engine.lifeline.start(twice);
    await waitForEvent(engine, (e) => e.type === 'run.sleeping');
    const start = clock.now();
    await clock.advance(1000);
    await engine.lifeline.wake(h.runId);
    await waitForEvent(engine, (e) => e.type === 'run.sleeping' && (e.data as { wakeAt: number }).wakeAt === start + 1000 + 3_600_000);
    const run = await engine.lifeline.store.getRun(h.runId);
    expect(run).toMatchObject({ status: 'sleeping', wakeAt: start + 1000 + 3_600_000 });
    await clock.advance(3_600_000);
    expect(await h.result()).toBe(start + 1000);
  });

  it('a sleeping run survives closing the process and is continued by a new one', async () => {
    const clock = new ManualClock();
    const tmp = tempDir();
    const db = join(tmp.dir, 'x.db');
    executed.length = 0;
    const first = await startEngine({ workflows: [sleeper], clock, db });
    const h = await first.lifeline.start(sleeper, null);
    await waitForEvent(first, (e) => e.type === 'run.sleeping');
    await first.close();
    await clock.advance(3_600_000);
    engine = await startEngine({ workflows: [sleeper], clock, db });
    expect(await engine.lifeline.result(h.runId)).toBe('ba');
    expect(executed).toEqual(['before', 'after']);
    tmp.cleanup();
  });
});

describe('signals', () => {
  const approval = defineWorkflow('durable.approval', async (ctx) => {
    const decision = await ctx.waitForSignal<{ approved: boolean }>('approve', { timeout: '1d' });
    return decision.approved ? 'shipped' : 'rejected';
  });

  it('waits without a lease and continues when the signal arrives', async () => {
    engine = await startEngine({ workflows: [approval] });
    const h = await engine.lifeline.start(approval, null);
    await waitForEvent(engine, (e) => e.type === 'run.waiting');
    expect(await engine.lifeline.store.getRun(h.runId)).toMatchObject({ status: 'waiting', lease: null });
    await engine.lifeline.signal(h.runId, 'approve', { approved: true });
    expect(await h.result()).toBe('shipped');
  });

  it('a signal sent before the wait is kept and consumed once', async () => {
    const twice = defineWorkflow('durable.twice', async (ctx) => {
      const a = await ctx.step('a', () => 1);
      const x = await ctx.waitForSignal<number>('n');
      const y = await ctx.waitForSignal<number>('n');
      return a + x + y;
    });
    engine = await startEngine({ workflows: [twice] });
    const h = await engine.lifeline.start(twice, null);
    await engine.lifeline.signal(h.runId, 'n', 10);
    await waitForEvent(engine, (e) => e.type === 'run.waiting');
    await engine.lifeline.signal(h.runId, 'n', 100);
    expect(await h.result()).toBe(111);
  });

  it('times out with SignalTimeoutError', async () => {
    const clock = new ManualClock();
    const wf = defineWorkflow('durable.timeout', async (ctx) => {
      try {
        await ctx.waitForSignal('never', { timeout: '10m' });
        return 'signalled';
      } catch (e) {
        return (e as Error).message;
      }
    });
    engine = await startEngine({ workflows: [wf], clock, worker: { pollMs: 3_600_000 } });
    const h = await engine.lifeline.start(wf, null);
    await waitForEvent(engine, (e) => e.type === 'run.waiting');
    await clock.advance(600_000);
    expect(await h.result()).toBe('No signal "never" arrived within 600000 ms.');
  });

  it('refuses signals to unknown and finished runs', async () => {
    engine = await startEngine({ workflows: [approval] });
    await expect(engine.lifeline.signal('nope', 'x')).rejects.toThrow('No run with id "nope" in this database.');
    const h = await engine.lifeline.start(approval, null);
    await engine.lifeline.signal(h.runId, 'approve', { approved: false });
    await h.result();
    await expect(engine.lifeline.signal(h.runId, 'approve')).rejects.toThrow(`Cannot signal run ${h.runId}: it is completed.`);
  });
});

describe('child workflows', () => {
  const child = defineWorkflow('durable.child', async (ctx, input: { n: number }) => {
    if (input.n < 0)
      await ctx.step('explode', () => {
        throw new TypeError('negative');
      });
    return ctx.step('square', () => input.n * input.n);
  });
  const parent = defineWorkflow('durable.parent', async (ctx, input: { ns: number[] }) => {
    const squares = await Promise.all(input.ns.map((n) => ctx.child(child, { n })));
    return squares.reduce((a, b) => a + b, 0);
  });

  it('runs children durably and resumes the parent with their outputs', async () => {
    engine = await startEngine({ workflows: [parent, child] });
    const h = await engine.lifeline.start(parent, { ns: [1, 2, 3] });
    expect(await h.result()).toBe(14);
    const children = await engine.lifeline.listRuns({ parentRunId: h.runId });
    expect(children.map((c) => c.id).sort()).toEqual([0, 1, 2].map((i) => `${h.runId}/child:durable.child#${i}`));
  });

  it('fails the parent step when a child fails', async () => {
    engine = await startEngine({ workflows: [parent, child] });
    const h = await engine.lifeline.start(parent, { ns: [2, -1] });
    await expect(h.result()).rejects.toThrow('Step "child:durable.child#1" failed with logic error after 1 attempt');
  });
});

describe('cancellation', () => {
  it('aborts the running step and ends the run cancelled', async () => {
    let aborted: unknown;
    const wf = defineWorkflow('durable.cancel', async (ctx) =>
      ctx.step('long', ({ signal }) => new Promise((_, reject) => signal.addEventListener('abort', () => reject((aborted = signal.reason))))),
    );
    engine = await startEngine({ workflows: [wf], worker: { heartbeatMs: 20, leaseMs: 1000 } });
    const h = await engine.lifeline.start(wf, null);
    await waitForEvent(engine, (e) => e.type === 'run.claimed');
    await engine.lifeline.cancel(h.runId);
    await expect(h.result()).rejects.toThrow(`Run ${h.runId} was cancelled.`);
    expect(aborted).toMatchObject({ name: 'RunCancelledError' });
    expect((await h.status()).status).toBe('cancelled');
    expect((await engine.lifeline.store.listAttempts(h.runId))[0]?.outcome).toBe('cancelled');
  });

  it('cancels a sleeping run at once', async () => {
    engine = await startEngine({ workflows: [sleeper] });
    const h = await engine.lifeline.start(sleeper, null);
    await waitForEvent(engine, (e) => e.type === 'run.sleeping');
    expect((await engine.lifeline.cancel(h.runId)).status).toBe('cancelled');
  });
});

describe('non-determinism', () => {
  it('fails a run whose code now calls steps in another order, naming both steps', async () => {
    const clock = new ManualClock();
    let variant = 'a';
    const wf = defineWorkflow('durable.nondet', async (ctx) => {
      await ctx.step(variant === 'a' ? 'first' : 'other', () => 1);
      await ctx.sleep(1000);
      return 'done';
    });
    engine = await startEngine({ workflows: [wf], clock });
    const h = await engine.lifeline.start(wf, null);
    await waitForEvent(engine, (e) => e.type === 'run.sleeping');
    variant = 'b';
    await clock.advance(1000);
    await expect(h.result()).rejects.toThrow(
      `Run ${h.runId} replayed out of order: history has step "first#0" at this position, but the code called "other#0". ` +
        'Usually the workflow body decides with a value that differs on replay: Date.now(), new Date() or Math.random() instead of ' +
        'ctx.now() / ctx.random() / ctx.uuid(), or data read outside a step. Otherwise the workflow code changed in a way that is incompatible with this run: ' +
        'the run was started with no version of workflow "durable.nondet" and replayed by code with no version. Guard the change with ctx.patched(), ' +
        'or give the new code a new version and keep the old one loaded until its runs end (docs/time-travel.md#workflow-versions).',
    );
  });
});

describe('recovery', () => {
  it('takes over at once a run whose owner process on this host is dead', async () => {
    const wf = defineWorkflow('durable.orphan', async (ctx) => ctx.step('s', () => 'recovered'));
    const clock = new ManualClock();
    const tmp = tempDir();
    const db = join(tmp.dir, 'o.db');
    const setup = await Lifeline.open({ db, workflows: [wf], clock });
    const { runId } = await setup.start(wf, null);
    const deadPid = spawnSync(process.execPath, ['-e', '0']).pid!;
    await setup.store.claimRuns({ workerId: 'ghost', host: 'this-host', pid: deadPid, now: clock.now(), leaseMs: 3_600_000, limit: 1, workflows: [wf.name] });
    await setup.store.startAttempt({ runId, stepId: 's#0', stepName: 's', attempt: 1, startedAt: clock.now(), workerId: 'ghost' });
    await setup.close();
    engine = await startEngine({ workflows: [wf], clock, db, worker: { host: 'this-host' } });
    // Within a few poll ticks, not when the hour-long lease lapses (the clock never gets there).
    const ownerDead = () => engine?.events.find((e) => e.type === 'run.owner_dead');
    for (let i = 0; i < 10 && ownerDead() === undefined; i++) await clock.advance(20);
    expect(ownerDead()).toMatchObject({ runId, data: { pid: deadPid, host: 'this-host' } });
    for (let i = 0; i < 10 && (await engine.lifeline.getRun(runId))?.status !== 'completed'; i++) await clock.advance(20);
    expect(await engine.lifeline.getRun(runId)).toMatchObject({ status: 'completed', output: 'recovered' });
    expect((await engine.lifeline.store.listAttempts(runId)).map((a) => [a.attempt, a.outcome, a.workerId])).toEqual([
      [1, 'interrupted', 'ghost'],
      [2, 'succeeded', engine.worker.id],
    ]);
    tmp.cleanup();
  });

  it('waits for the lease to lapse when the owner is on another host', async () => {
    const wf = defineWorkflow('durable.remote', async (ctx) => ctx.step('s', () => 'taken over'));
    const clock = new ManualClock();
    const tmp = tempDir();
    const db = join(tmp.dir, 'r.db');
    const setup = await Lifeline.open({ db, workflows: [wf], clock });
    const { runId } = await setup.start(wf, null);
    await setup.store.claimRuns({ workerId: 'remote', host: 'other-host', pid: 1, now: clock.now(), leaseMs: 3000, limit: 1, workflows: [wf.name] });
    await setup.close();
    engine = await startEngine({ workflows: [wf], clock, db, worker: { host: 'this-host', pollMs: 100 } });
    await flushAsync();
    await clock.advance(2900);
    expect((await engine.lifeline.getRun(runId))?.status).toBe('running');
    await clock.advance(200);
    expect(await engine.lifeline.result(runId)).toBe('taken over');
    tmp.cleanup();
  });

  it('stop() releases leases so the next process resumes at once', async () => {
    let release: () => void = () => {};
    const wf = defineWorkflow('durable.shutdown', async (ctx) => {
      await ctx.step('one', () => new Promise<void>((r) => (release = r)));
      return ctx.step('two', () => 2);
    });
    engine = await startEngine({ workflows: [wf] });
    const h = await engine.lifeline.start(wf, null);
    await waitForEvent(engine, (e) => e.type === 'run.claimed');
    await flushAsync();
    const stopping = engine.worker.stop(60_000);
    release();
    await stopping;
    expect(await engine.lifeline.getRun(h.runId)).toMatchObject({ status: 'pending' });
    expect((await engine.lifeline.store.getSteps(h.runId)).map((s) => s.stepId)).toEqual(['one#0']);
  });
});
