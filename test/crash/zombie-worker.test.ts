// A "zombie" worker: not dead, only stalled past its lease (GC pause, suspended laptop, blocked
// event loop) while one of its steps runs. Another worker takes the run over and finishes it.
// Then the zombie's step fails with a retryable error. Its commits are refused by the fence, and
// so are its attempt writes (startAttempt/endAttempt carry the lease token), and a retry awaits
// its fenced start before running the step again. Without that, the zombie
//   1. executed the already-committed step again (a side effect after the commit), and
//   2. rewrote attempt rows: its own `interrupted` attempt became `failed`, the new owner's
//      `succeeded` attempt became `failed`, and it left an attempt `running` on a completed run.
// These tests keep that from coming back.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/time/clock.js';
import { Lifeline } from '../../src/engine/lifeline.js';
import type { WorkflowContext } from '../../src/workflow/context.js';
import { defineWorkflow, type WorkflowDefinition } from '../../src/workflow/define.js';
import { tempDir, closeOnClocks } from '../helpers.js';

const transient = () => Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });

interface World {
  executions: string[];
  hung: boolean;
  failHungStep: (error: Error) => void;
}
let world: World;

function stepFn(worker: 'A' | 'B') {
  return async (ctx: WorkflowContext) =>
    ctx.step('charge', () => {
      world.executions.push(worker);
      if (worker === 'B') return 'charged by B';
      if (!world.hung) {
        world.hung = true; // A stalls inside the step, past its lease
        return new Promise<string>((_, reject) => (world.failHungStep = reject));
      }
      throw transient(); // A's retries keep failing: the service is still unreachable from A
    });
}

const wfA = defineWorkflow('crash.zombie', stepFn('A'), { retry: { initialDelayMs: 0, maxDelayMs: 0, maxAttempts: 3 } });
const wfB: WorkflowDefinition<unknown, string> = { ...wfA, fn: stepFn('B') };

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** Runs the scenario and returns what the store holds afterwards. */
async function zombieScenario() {
  world = { executions: [], hung: false, failHungStep: () => {} };
  const tmp = tempDir('lifeline-zombie-');
  const db = join(tmp.dir, 'zombie.db');
  const clockA = new ManualClock(); // never moves: A never heartbeats, like a stalled process
  const clockB = new ManualClock();
  const a = await Lifeline.open({ db, workflows: [wfA], clock: clockA });
  const b = await Lifeline.open({ db, workflows: [wfB], clock: clockB });
  cleanups.push(async () => {
    world.failHungStep(transient());
    await closeOnClocks([
      [a, clockA],
      [b, clockB],
    ]);
    tmp.cleanup();
  });
  const workerA = a.worker({ host: 'host-a', pid: 1_234_567 });
  workerA.start();
  const { runId } = await a.start(wfA, null, { runId: 'zombie-1' });
  for (let i = 0; i < 50 && !world.hung; i++) await clockA.advance(0);
  expect(world.hung).toBe(true);
  await clockA.advance(0); // A's startAttempt lands

  await clockB.advance(3001); // past A's lease (default leaseMs 3000)
  const workerB = b.worker({ host: 'host-b' });
  workerB.start();
  for (let i = 0; i < 50 && (await b.getRun(runId))?.status !== 'completed'; i++) await clockB.advance(0);
  expect(await b.getRun(runId)).toMatchObject({ status: 'completed', output: 'charged by B' });
  const attemptsBefore = (await b.store.listAttempts(runId)).map((x) => [x.attempt, x.outcome, x.workerId]);
  expect(attemptsBefore).toEqual([
    [1, 'interrupted', workerA.id],
    [2, 'succeeded', workerB.id],
  ]);

  // The zombie wakes up: its hung step fails with a retryable error.
  world.failHungStep(transient());
  for (let i = 0; i < 50 && workerA.activeRuns > 0; i++) await clockA.advance(0);
  expect(workerA.activeRuns).toBe(0);
  const attemptsAfter = (await b.store.listAttempts(runId)).map((x) => [x.attempt, x.outcome, x.workerId]);
  return { attemptsBefore, attemptsAfter, executions: [...world.executions] };
}

describe('a stalled worker after its run was taken over: its retry loop is fenced', () => {
  // Keeps the two tests below honest: they fail for a zombie write, not because the takeover
  // itself stopped working (their preconditions are asserted inside the scenario).
  it("the takeover itself works: B completes the run, A's hung attempt is interrupted", async () => {
    const { executions } = await zombieScenario();
    expect(executions.slice(0, 2)).toEqual(['A', 'B']);
  });

  it('does not execute the committed step again', async () => {
    const { executions } = await zombieScenario();
    // Unfenced, A retried the step twice after B committed it: ['A', 'B', 'A', 'A'].
    expect(executions).toEqual(['A', 'B']);
  });

  it("leaves the new owner's attempt history alone and no attempt running", async () => {
    const { attemptsBefore, attemptsAfter } = await zombieScenario();
    // Unfenced, A rewrote B's succeeded attempt: [1 failed A] [2 failed B] [3 running A].
    expect(attemptsAfter).toEqual(attemptsBefore);
  });
});
