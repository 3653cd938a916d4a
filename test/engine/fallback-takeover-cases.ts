// A fallback chain taken over mid-chain (issue 8 §2), for any backend: worker A leaves
// alternative "a" (429) and hangs in "b"; A stops heartbeating (its ManualClock never moves);
// worker B takes the run over on its own clock once A's lease lapsed. B resumes at "b" (derived
// from the attempt rows), never re-runs "a", and a later replay returns the recorded
// `{ value, alternative }` without running anything. Every body execution is counted.
import { expect, it } from 'vitest';
import { Lifeline, type EngineEvent } from '../../src/engine/lifeline.js';
import type { Store } from '../../src/store/store.js';
import { ManualClock } from '../../src/time/clock.js';
import type { WorkflowContext } from '../../src/workflow/context.js';
import { defineWorkflow, type WorkflowDefinition } from '../../src/workflow/define.js';
import { closeOnClocks } from '../helpers.js';

const LEASE_MS = 3000;

export interface TakeoverBackend {
  /** Two handles on one database (a path, or two stores on one schema with the caller's lease clock). */
  open(): Promise<{ dbA: string | Store; dbB: string | Store; cleanup: () => Promise<void> }>;
}

export function fallbackTakeoverCases(name: string, backend: TakeoverBackend): void {
  it(`${name}: resumes a chain at the alternative that was running, never re-running one that gave up; replay runs nothing`, async () => {
    const runs: Array<[string, 'A' | 'B']> = [];
    // Resolved when A's body of "b" starts: waited for, not polled (on PostgreSQL the steps before
    // it take real round trips, which no number of clock flushes can stand in for).
    let bStarted: () => void = () => {};
    const bStartedOnA = new Promise<void>((resolve) => (bStarted = resolve));
    const chain = (worker: 'A' | 'B') => async (ctx: WorkflowContext) => {
      const answer = await ctx.fallback('ask', [
        {
          name: 'a',
          run: () => {
            runs.push(['a', worker]);
            throw Object.assign(new Error('HTTP 429'), { status: 429 });
          },
        },
        {
          name: 'b',
          run: ({ signal }) => {
            runs.push(['b', worker]);
            if (worker === 'B') return 'b answered';
            bStarted();
            return new Promise<string>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error)));
          },
        },
        { name: 'c', run: () => (runs.push(['c', worker]), 'c answered') },
      ]);
      await ctx.waitForSignal('go');
      return answer;
    };
    const wfA = defineWorkflow(`fb.takeover.${name}`, chain('A'));
    const wfB: WorkflowDefinition = { ...wfA, fn: chain('B') } as WorkflowDefinition;
    const { dbA, dbB, cleanup } = await backend.open();
    const clockA = new ManualClock();
    const clockB = new ManualClock();
    const a = await Lifeline.open({ db: dbA, workflows: [wfA], clock: clockA });
    const b = await Lifeline.open({ db: dbB, workflows: [wfB], clock: clockB });
    const eventsB: EngineEvent[] = [];
    b.events.on('event', (e) => eventsB.push(e));
    // A's worker is still alive (only its step hangs): once the signal makes the run pending, A may
    // claim it as well as B (a PostgreSQL notification wakes either), so the replay is looked for in both.
    const eventsA: EngineEvent[] = [];
    a.events.on('event', (e) => eventsA.push(e));
    try {
      a.worker({ host: 'host-a', pid: 1_234_567, leaseMs: LEASE_MS, heartbeatMs: 1000 }).start();
      const { runId } = await a.start(wfA, null, { runId: `takeover-${name}` });
      await bStartedOnA;
      expect(runs).toEqual([
        ['a', 'A'],
        ['b', 'A'],
      ]);

      await clockB.advance(LEASE_MS + 1); // A's lease has lapsed on B's clock; A never heartbeats again
      b.worker({ host: 'host-b', leaseMs: LEASE_MS, heartbeatMs: 1000 }).start();
      for (let i = 0; i < 200 && (await b.getRun(runId))?.status !== 'waiting'; i++) await clockB.advance(0);
      expect((await b.getRun(runId))?.status).toBe('waiting');
      // B went on with "b": "a" gave up for good and is not run again, "c" was not needed.
      expect(runs).toEqual([
        ['a', 'A'],
        ['b', 'A'],
        ['b', 'B'],
      ]);
      const rows = async () => (await b.store.listAttempts(runId)).map((x) => [x.attempt, x.alternative, x.outcome, x.movedOn]);
      expect(await rows()).toEqual([
        [1, 'a', 'failed', 'rate_limit: HTTP 429, moved to b'],
        [2, 'b', 'interrupted', null],
        [3, 'b', 'succeeded', null],
      ]);

      await b.signal(runId, 'go', null);
      for (let i = 0; i < 200 && (await b.getRun(runId))?.status !== 'completed'; i++) await clockB.advance(0);
      expect(await b.getRun(runId)).toMatchObject({ status: 'completed', output: { value: 'b answered', alternative: 'b' } });
      expect([...eventsA, ...eventsB].some((e) => e.type === 'step.replayed' && (e.data as { stepId: string }).stepId === 'ask#0')).toBe(true);
      expect(runs).toHaveLength(3); // the replay ran nothing
      expect(await rows()).toHaveLength(3);
    } finally {
      await closeOnClocks([
        [a, clockA],
        [b, clockB],
      ]);
      await cleanup();
    }
  });
}
