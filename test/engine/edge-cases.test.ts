// Races between suspension, cancellation, shutdown and claims, found in review; each test failed
// before its fix.
import { afterEach, describe, expect, it } from 'vitest';
import { defineWorkflow } from '../../src/workflow/define.js';
import { ManualClock, flushAsync } from '../../src/time/clock.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { startEngine, tempDir, waitForEvent, type TestEngine } from '../helpers.js';
import { join } from 'node:path';

let engine: TestEngine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

/** The real store, with one method held at a gate the test opens (to pin a race window). */
function gated(store: Store, method: 'getSteps' | 'claimRuns') {
  let armed = false;
  let open: () => void = () => {};
  let reached: () => void = () => {};
  const hit = new Promise<void>((r) => (reached = r));
  const gate = new Promise<void>((r) => (open = r));
  const proxy = new Proxy(store, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      if (key === method) {
        return async (...args: unknown[]) => {
          if (armed) {
            armed = false;
            reached();
            await gate;
          }
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
  return { store: proxy, arm: () => (armed = true), hit, open: () => open() };
}

describe('races found in review', () => {
  it('a cancel requested while a step runs is not lost when the run then suspends', async () => {
    let finishStep: () => void = () => {};
    const wf = defineWorkflow('edge.cancel-then-wait', async (ctx) => {
      await ctx.step('a', () => new Promise<void>((r) => (finishStep = r)));
      await ctx.waitForSignal('never'); // no timeout: only a cancel can end this run
      return 'unreachable';
    });
    // Heartbeats far apart: the cancel flag is seen only through the release.
    engine = await startEngine({ workflows: [wf], worker: { heartbeatMs: 60_000, leaseMs: 600_000 } });
    const h = await engine.lifeline.start(wf, null);
    await waitForEvent(engine, (e) => e.type === 'run.claimed');
    await flushAsync();
    expect((await engine.lifeline.cancel(h.runId)).status).toBe('running');
    finishStep();
    await expect(h.result()).rejects.toThrow(`Run ${h.runId} was cancelled.`);
  });

  it("stop() during a resumed run's history load gives the run back instead of hanging", async () => {
    const clock = new ManualClock();
    const tmp = tempDir();
    const real = await openStore(join(tmp.dir, 'g.db'));
    const g = gated(real, 'getSteps');
    const wf = defineWorkflow('edge.stop-during-load', async (ctx) => {
      await ctx.step('a', () => 1);
      await ctx.sleep(1000);
      return ctx.step('b', () => 2);
    });
    const { Lifeline } = await import('../../src/engine/lifeline.js');
    const lifeline = await Lifeline.open({ db: g.store, workflows: [wf], clock });
    const worker = lifeline.worker({ pollMs: 3_600_000 });
    worker.start();
    const h = await lifeline.start(wf, null);
    await new Promise<void>((resolve) => lifeline.events.on('event', (e) => e.type === 'run.sleeping' && resolve()));
    g.arm();
    await clock.advance(1000);
    await g.hit;
    const stopped = worker.stop(0);
    g.open();
    await stopped;
    expect((await real.getRun(h.runId))?.status).toBe('pending');
    await lifeline.close();
    await real.close();
    tmp.cleanup();
  });

  it('stop() while a claim is in flight gives the claimed runs back', async () => {
    const tmp = tempDir();
    const real = await openStore(join(tmp.dir, 'c.db'));
    const g = gated(real, 'claimRuns');
    const wf = defineWorkflow('edge.stop-during-claim', async (ctx) => ctx.step('a', () => new Promise(() => {})));
    const { Lifeline } = await import('../../src/engine/lifeline.js');
    const lifeline = await Lifeline.open({ db: g.store, workflows: [wf] });
    const h = await lifeline.start(wf, null);
    g.arm();
    const worker = lifeline.worker({ shutdownGraceMs: 0 });
    worker.start();
    await g.hit;
    const stopped = worker.stop(0);
    g.open();
    await stopped;
    expect(worker.activeRuns).toBe(0);
    expect(await real.getRun(h.runId)).toMatchObject({ status: 'pending', lease: null });
    await lifeline.close();
    await real.close();
    tmp.cleanup();
  });

  it('two concurrent waits for the same signal name each consume one signal', async () => {
    const wf = defineWorkflow('edge.two-waits', async (ctx) => Promise.all([ctx.waitForSignal<number>('n'), ctx.waitForSignal<number>('n')]));
    engine = await startEngine({ workflows: [wf] });
    const h = await engine.lifeline.start(wf, null);
    await engine.lifeline.signal(h.runId, 'n', 1);
    await engine.lifeline.signal(h.runId, 'n', 2);
    expect(await h.result()).toEqual([1, 2]);
  });

  it('steps still running when the workflow fails are stopped and recorded as interrupted', async () => {
    let sawAbort = false;
    const wf = defineWorkflow('edge.inflight-at-end', async (ctx) =>
      Promise.all([
        ctx.step('fails', () => {
          throw new TypeError('bug');
        }),
        ctx.step('slow', ({ signal }) => new Promise((_, reject) => signal.addEventListener('abort', () => ((sawAbort = true), reject(signal.reason))))),
      ]),
    );
    engine = await startEngine({ workflows: [wf] });
    const h = await engine.lifeline.start(wf, null);
    await expect(h.result()).rejects.toThrow('Step "fails#0" failed with logic error');
    expect(sawAbort).toBe(true);
    const attempts = await engine.lifeline.store.listAttempts(h.runId);
    expect(attempts.map((a) => [a.stepId, a.outcome]).sort()).toEqual([
      ['fails#0', 'failed'],
      ['slow#0', 'interrupted'],
    ]);
  });
});

describe('manual retry', () => {
  it('gives the failed step a fresh retry budget; earlier attempts stay recorded', async () => {
    let calls = 0;
    let failUntil = 3; // the first run fails all 3 attempts
    const wf = defineWorkflow('edge.retry-budget', async (ctx) =>
      ctx.step(
        'flaky',
        () => {
          calls++;
          if (calls <= failUntil) throw Object.assign(new Error('reset'), { code: 'ECONNRESET' });
          return calls;
        },
        { retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 1 } },
      ),
    );
    engine = await startEngine({ workflows: [wf] });
    const h = await engine.lifeline.start(wf, null);
    await expect(h.result()).rejects.toThrow('after 3 attempts');
    failUntil = 5; // after the retry: two more failures, then success on the third new attempt
    await engine.lifeline.retry(h.runId);
    expect(await h.result()).toBe(6);
    const attempts = await engine.lifeline.store.listAttempts(h.runId);
    expect(attempts.map((a) => [a.attempt, a.outcome])).toEqual([
      [1, 'failed'],
      [2, 'failed'],
      [3, 'failed'],
      [4, 'failed'],
      [5, 'failed'],
      [6, 'succeeded'],
    ]);
  });
});
