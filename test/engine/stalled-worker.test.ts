// A worker that stalls BETWEEN steps for longer than its lease (GC, a VM freeze, CPU-heavy
// workflow code, SIGSTOP) and meanwhile loses its run to another worker, which commits the next
// step. When the stalled worker reaches that step it must not run its body: the attempt start is
// fenced and awaited before every body (src/engine/fenced-start.ts). Time is a ManualClock per
// worker; `stall` moves A's clock without firing its timers, so A never heartbeats, as in a real
// stall. Every execution of a step body is counted, not only commits.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/time/clock.js';
import { Lifeline, type EngineEvent } from '../../src/engine/lifeline.js';
import type { Store } from '../../src/store/store.js';
import type { WorkflowContext } from '../../src/workflow/context.js';
import { defineWorkflow, type WorkflowDefinition } from '../../src/workflow/define.js';
import { tempDir, closeOnClocks } from '../helpers.js';

const LEASE_MS = 3000; // the worker default

interface World {
  executions: Array<[string, string]>; // [step, worker] per body execution
  atGate: boolean;
  openGate: () => void;
  stallA: number; // how far A's clock jumps right before it calls step "two"
}
let world: World;
let clockA: ManualClock;

function body(worker: 'A' | 'B') {
  return async (ctx: WorkflowContext) => {
    await ctx.step('one', () => world.executions.push(['one', worker]));
    if (worker === 'A') {
      world.atGate = true;
      await new Promise<void>((resolve) => (world.openGate = resolve));
      clockA.stall(world.stallA); // busy-waits past its lease: no timer, no heartbeat runs
    }
    await ctx.step('two', () => {
      world.executions.push(['two', worker]);
      return `two by ${worker}`;
    });
    return 'done';
  };
}
const wfA = defineWorkflow('stall.between-steps', body('A'));
const wfB: WorkflowDefinition<unknown, string> = { ...wfA, fn: body('B') };

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function open(options: { wrapStoreA?: (store: Store) => Store } = {}) {
  world = { executions: [], atGate: false, openGate: () => {}, stallA: 0 };
  const tmp = tempDir('lifeline-stall-');
  const db = join(tmp.dir, 'stall.db');
  clockA = new ManualClock();
  const clockB = new ManualClock();
  const realA = await Lifeline.open({ db, workflows: [wfA], clock: clockA });
  const a = options.wrapStoreA ? await Lifeline.open({ db: options.wrapStoreA(realA.store), workflows: [wfA], clock: clockA }) : realA;
  const b = await Lifeline.open({ db, workflows: [wfB], clock: clockB });
  const eventsA: EngineEvent[] = [];
  a.events.on('event', (e) => eventsA.push(e));
  cleanups.push(async () => {
    world.openGate();
    await closeOnClocks([
      [a, clockA],
      [b, clockB],
    ]);
    if (realA !== a) await realA.close();
    tmp.cleanup();
  });
  const workerA = a.worker({ host: 'host-a', pid: 1_234_567, leaseMs: LEASE_MS });
  workerA.start();
  const { runId } = await a.start(wfA, null, { runId: 'stall-1' });
  for (let i = 0; i < 50 && !world.atGate; i++) await clockA.advance(0);
  expect(world.atGate).toBe(true);
  expect(world.executions).toEqual([['one', 'A']]);
  return { a, b, clockB, runId, workerA, eventsA };
}

const attemptsOf = async (l: Lifeline, runId: string) => (await l.store.listAttempts(runId)).map((x) => [x.stepId, x.attempt, x.outcome, x.workerId]);

describe('a worker that stalls between steps past its lease', () => {
  it('does not run the next step when another worker took the run over and committed it', async () => {
    const { a, b, clockB, runId, workerA, eventsA } = await open();
    await clockB.advance(LEASE_MS + 1); // A's lease has lapsed on B's clock
    const workerB = b.worker({ host: 'host-b', leaseMs: LEASE_MS });
    workerB.start();
    for (let i = 0; i < 50 && (await b.getRun(runId))?.status !== 'completed'; i++) await clockB.advance(0);
    expect(await b.getRun(runId)).toMatchObject({ status: 'completed', output: 'done' });

    world.stallA = 2 * LEASE_MS;
    world.openGate(); // A wakes up and goes on to step "two"
    for (let i = 0; i < 50 && workerA.activeRuns > 0; i++) await clockA.advance(0);
    expect(workerA.activeRuns).toBe(0);

    // Without the fenced start A ran "two" a second time: [..., ['two', 'B'], ['two', 'A']].
    expect(world.executions).toEqual([
      ['one', 'A'],
      ['two', 'B'],
    ]);
    // A parks quietly: no error, nothing it wrote changed B's run.
    expect(eventsA.filter((e) => e.type === 'worker.error' || e.type === 'store.soft_write_failed')).toEqual([]);
    expect(await a.getRun(runId)).toMatchObject({ status: 'completed', output: 'done' });
    expect(await attemptsOf(b, runId)).toEqual([
      ['one#0', 1, 'succeeded', workerA.id],
      ['two#0', 1, 'succeeded', workerB.id],
    ]);
  });

  it('runs the step once when nobody took the run over: the start re-proves and extends the lease', async () => {
    const { b, clockB, runId, workerA } = await open();
    world.stallA = 2 * LEASE_MS;
    world.openGate();
    for (let i = 0; i < 50 && (await b.getRun(runId))?.status !== 'completed'; i++) await clockA.advance(0);
    expect(await b.getRun(runId)).toMatchObject({ status: 'completed', output: 'done' });
    expect(world.executions).toEqual([
      ['one', 'A'],
      ['two', 'A'],
    ]);
    expect(await attemptsOf(b, runId)).toEqual([
      ['one#0', 1, 'succeeded', workerA.id],
      ['two#0', 1, 'succeeded', workerA.id],
    ]);
    void clockB;
  });
});

describe('a worker that stalls while its attempt start is in flight', () => {
  it('fences again before the body when the answer came too late to trust the lease it granted', async () => {
    const starts: string[] = [];
    let stallOnce = true;
    const wrap = (store: Store): Store =>
      Object.assign(Object.create(store) as Store, {
        startAttempt: async (args: Parameters<Store['startAttempt']>[0]) => {
          starts.push(args.stepId);
          await store.startAttempt(args);
          // The request was sent, then the process stalled for a whole lease before the answer ran.
          if (args.stepId === 'two#0' && stallOnce) {
            stallOnce = false;
            clockA.stall(LEASE_MS);
          }
        },
      });
    const { b, runId } = await open({ wrapStoreA: wrap });
    world.openGate();
    for (let i = 0; i < 50 && (await b.getRun(runId))?.status !== 'completed'; i++) await clockA.advance(0);
    expect(await b.getRun(runId)).toMatchObject({ status: 'completed' });
    // One start for "one"; two for "two": the first answer arrived after the lease it granted.
    expect(starts).toEqual(['one#0', 'two#0', 'two#0']);
    expect(world.executions).toEqual([
      ['one', 'A'],
      ['two', 'A'],
    ]);
    expect((await attemptsOf(b, runId)).map(([s, n, o]) => [s, n, o])).toEqual([
      ['one#0', 1, 'succeeded'],
      ['two#0', 1, 'succeeded'],
    ]);
  });
});
