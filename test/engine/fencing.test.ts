// Fencing while the run is still running: worker A stalls inside a step past its lease, worker B
// takes the run over and is itself inside the same step when A wakes up and finishes. A's late
// commit must be refused by the lease token, not by the run being finished (it is not): the
// step's result, the attempt history and the run's lease stay B's. Two Lifeline clients on one
// SQLite file, each with its own ManualClock.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/time/clock.js';
import { Lifeline } from '../../src/engine/lifeline.js';
import type { WorkflowContext } from '../../src/workflow/context.js';
import { defineWorkflow, type WorkflowDefinition } from '../../src/workflow/define.js';
import { tempDir, closeOnClocks } from '../helpers.js';

interface Gate {
  entered: boolean;
  release: (value: string) => void;
}
const gates: Record<'A' | 'B', Gate> = {
  A: { entered: false, release: () => {} },
  B: { entered: false, release: () => {} },
};

function stepFn(worker: 'A' | 'B') {
  return async (ctx: WorkflowContext) =>
    ctx.step('charge', () => {
      const gate = gates[worker];
      gate.entered = true;
      return new Promise<string>((resolve) => (gate.release = resolve));
    });
}

const wfA = defineWorkflow('engine.fence', stepFn('A'));
const wfB: WorkflowDefinition<unknown, string> = { ...wfA, fn: stepFn('B') };

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function until(clock: ManualClock, done: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    if (await done()) return;
    await clock.advance(0);
  }
  throw new Error(`not reached within 50 turns: ${what}`);
}

describe('fencing a zombie worker while the new owner holds the running run', () => {
  it("refuses the zombie's late commit and keeps the run, its result and its attempts the new owner's", async () => {
    for (const g of Object.values(gates)) Object.assign(g, { entered: false, release: () => {} });
    const tmp = tempDir('lifeline-fence-');
    const db = join(tmp.dir, 'fence.db');
    const clockA = new ManualClock(); // never moves: A never heartbeats, like a stalled process
    const clockB = new ManualClock();
    const a = await Lifeline.open({ db, workflows: [wfA], clock: clockA });
    const b = await Lifeline.open({ db, workflows: [wfB], clock: clockB });
    cleanups.push(async () => {
      gates.A.release('late A');
      gates.B.release('late B');
      await closeOnClocks([
        [a, clockA],
        [b, clockB],
      ]);
      tmp.cleanup();
    });

    const workerA = a.worker({ host: 'host-a', pid: 1_234_567 });
    workerA.start();
    const { runId } = await a.start(wfA, null, { runId: 'fence-1' });
    await until(clockA, () => gates.A.entered, 'A inside the step');
    await clockA.advance(0); // A's attempt start lands

    await clockB.advance(3001); // past A's lease (default leaseMs 3000)
    const workerB = b.worker({ host: 'host-b' });
    workerB.start();
    await until(clockB, () => gates.B.entered, 'B inside the step');
    const taken = await b.store.getRun(runId);
    expect(taken).toMatchObject({ status: 'running', lease: { workerId: workerB.id } });

    // A wakes up and its step returns: its commit must be refused while B holds the run.
    gates.A.release('charged by A');
    await until(clockA, () => workerA.activeRuns === 0, 'A gives the run up');
    expect(await b.store.getSteps(runId)).toEqual([]);
    expect(await b.store.getRun(runId)).toMatchObject({ status: 'running', lease: { workerId: workerB.id, token: taken?.lease?.token } });

    gates.B.release('charged by B');
    await until(clockB, async () => (await b.getRun(runId))?.status === 'completed', 'B completes the run');
    expect(await b.getRun(runId)).toMatchObject({ status: 'completed', output: 'charged by B' });
    expect((await b.store.getSteps(runId)).map((s) => [s.stepId, s.output])).toEqual([['charge#0', JSON.stringify('charged by B')]]);
    expect((await b.store.listAttempts(runId)).map((x) => [x.attempt, x.outcome, x.workerId])).toEqual([
      [1, 'interrupted', workerA.id],
      [2, 'succeeded', workerB.id],
    ]);
  });
});
