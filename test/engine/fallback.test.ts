// Fallback chains as one durable step (issue 8 §2) on a real SQLite file: which failures move
// the chain on, what each attempt row records, and replay returning the recorded alternative.
import { afterEach, describe, expect, it } from 'vitest';
import { defineWorkflow } from '../../src/workflow/define.js';
import { ManualClock } from '../../src/time/clock.js';
import type { FallbackAlternative } from '../../src/workflow/context.js';
import { startEngine, waitForEvent, type TestEngine } from '../helpers.js';

let engine: TestEngine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

const err = (props: Record<string, unknown>, message: string) => Object.assign(new Error(message), props);

/** Counts the executions of each alternative's body. */
function counters() {
  const runs: Record<string, number> = {};
  const count = (name: string) => (runs[name] = (runs[name] ?? 0) + 1);
  return { runs, count };
}

async function attemptRows(e: TestEngine, runId: string) {
  return (await e.lifeline.store.listAttempts(runId)).map((a) => [a.attempt, a.alternative, a.outcome, a.errorClass, a.movedOn]);
}

describe('ctx.fallback', () => {
  it('moves on at once for a 429 and a timeout, records alternative and reason on each attempt, returns who answered', async () => {
    const clock = new ManualClock();
    const { runs, count } = counters();
    let bStarted: () => void = () => {};
    const bRunning = new Promise<void>((resolve) => (bStarted = resolve));
    const wf = defineWorkflow('fb.moves', async (ctx) =>
      ctx.fallback('summarize', [
        {
          name: 'gpt-4o',
          run: () => {
            count('gpt-4o');
            throw err({ status: 429 }, 'Too many requests');
          },
        },
        {
          name: 'claude',
          timeout: 1000,
          run: ({ signal }) => {
            count('claude');
            bStarted();
            return new Promise<string>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error)));
          },
        },
        {
          name: 'local',
          run: (info) => {
            count('local');
            return `summary by ${info.alternative} at attempt ${info.attempt}`;
          },
        },
      ]),
    );
    engine = await startEngine({ workflows: [wf], clock });
    const h = await engine.lifeline.start(wf, null);
    await bRunning;
    await clock.advance(1000);
    expect(await h.result()).toEqual({ value: 'summary by local at attempt 3', alternative: 'local' });
    expect(runs).toEqual({ 'gpt-4o': 1, claude: 1, local: 1 });
    expect(await attemptRows(engine, h.runId)).toEqual([
      [1, 'gpt-4o', 'failed', 'rate_limit', 'rate_limit: Too many requests, moved to claude'],
      [2, 'claude', 'timeout', 'timeout', 'timeout: Step "summarize#0" timed out after 1000 ms, moved to local'],
      [3, 'local', 'succeeded', null, null],
    ]);
    const [step] = await engine.lifeline.store.getSteps(h.runId);
    expect(step).toMatchObject({ stepId: 'summarize#0', kind: 'fallback', status: 'completed', attempts: 3 });
    const hops = (await engine.lifeline.store.listEvents({ runId: h.runId }))
      .filter((e) => e.type === 'step.fallback')
      .map((e) => JSON.parse(e.data) as unknown);
    expect(hops).toEqual([
      { stepId: 'summarize#0', from: 'gpt-4o', to: 'claude', reason: 'rate_limit: Too many requests, moved to claude', attempt: 1, errorClass: 'rate_limit' },
      {
        stepId: 'summarize#0',
        from: 'claude',
        to: 'local',
        reason: 'timeout: Step "summarize#0" timed out after 1000 ms, moved to local',
        attempt: 2,
        errorClass: 'timeout',
      },
    ]);
  });

  it("spends an alternative's own retries on a transient error before moving on", async () => {
    const clock = new ManualClock();
    const { runs, count } = counters();
    const wf = defineWorkflow('fb.transient', async (ctx) =>
      ctx.fallback('ask', [
        {
          name: 'primary',
          retry: { maxAttempts: 2, initialDelayMs: 50, maxDelayMs: 50, jitter: 'none' },
          run: () => {
            count('primary');
            throw err({ code: 'ECONNRESET' }, 'socket hang up');
          },
        },
        { name: 'backup', run: () => (count('backup'), 'from backup') },
      ]),
    );
    engine = await startEngine({ workflows: [wf], clock });
    const h = await engine.lifeline.start(wf, null);
    await waitForEvent(engine, (e) => e.type === 'step.retrying');
    await clock.advance(50);
    expect(await h.result()).toEqual({ value: 'from backup', alternative: 'backup' });
    expect(runs).toEqual({ primary: 2, backup: 1 });
    expect(await attemptRows(engine, h.runId)).toEqual([
      [1, 'primary', 'failed', 'transient', null],
      [2, 'primary', 'failed', 'transient', 'transient: socket hang up, moved to backup'],
      [3, 'backup', 'succeeded', null, null],
    ]);
  });

  it('fails the step at once on a validation error: the next alternatives never run', async () => {
    const { runs, count } = counters();
    const wf = defineWorkflow('fb.validation', async (ctx) =>
      ctx.fallback('ask', [
        {
          name: 'a',
          run: () => {
            count('a');
            throw err({ status: 400 }, 'prompt too long');
          },
        },
        { name: 'b', run: () => (count('b'), 'never') },
      ]),
    );
    engine = await startEngine({ workflows: [wf] });
    const h = await engine.lifeline.start(wf, null);
    await expect(h.result()).rejects.toThrow('Step "ask#0" failed with validation error after 1 attempt: prompt too long');
    expect(runs).toEqual({ a: 1 });
    expect(await attemptRows(engine, h.runId)).toEqual([[1, 'a', 'failed', 'validation', null]]);
    const [step] = await engine.lifeline.store.getSteps(h.runId);
    expect(step).toMatchObject({ kind: 'fallback', status: 'failed', error: { errorClass: 'validation' } });
  });

  const failing = (count: (n: string) => void, name: string, status: number): FallbackAlternative<string> => ({
    name,
    retry: { maxAttempts: 1 },
    run: () => {
      count(name);
      throw err({ status }, `${name} said ${status}`);
    },
  });

  it('fails with the last error once every alternative moved on', async () => {
    const { runs, count } = counters();
    const wf = defineWorkflow('fb.exhausted', async (ctx) =>
      ctx.fallback('ask', [failing(count, 'x', 503), failing(count, 'y', 503), failing(count, 'z', 503)]),
    );
    engine = await startEngine({ workflows: [wf] });
    const h = await engine.lifeline.start(wf, null);
    await expect(h.result()).rejects.toThrow(`Run ${h.runId} failed: Step "ask#0" failed with transient error after 3 attempts: z said 503`);
    expect(runs).toEqual({ x: 1, y: 1, z: 1 });
    const failed = engine.events.find((e) => e.type === 'step.failed');
    expect((failed?.data as { reason: string }).reason).toMatch(/^every alternative failed \(last: /);
  });

  it('moves on only for the classes in `on`', async () => {
    const { runs, count } = counters();
    const wf = defineWorkflow('fb.on', async (ctx) =>
      ctx.fallback('ask', [failing(count, 'x', 503), failing(count, 'y', 429), failing(count, 'z', 503)], { on: ['transient'] }),
    );
    engine = await startEngine({ workflows: [wf] });
    const h = await engine.lifeline.start(wf, null);
    await expect(h.result()).rejects.toThrow(`Run ${h.runId} failed: Step "ask#0" failed with rate_limit error after 2 attempts: y said 429`);
    expect(runs).toEqual({ x: 1, y: 1 });
    expect(await attemptRows(engine, h.runId)).toEqual([
      [1, 'x', 'failed', 'transient', 'transient: x said 503, moved to y'],
      [2, 'y', 'failed', 'rate_limit', null],
    ]);
  });

  it('replays the recorded value and alternative without running anything', async () => {
    const { runs, count } = counters();
    const wf = defineWorkflow('fb.replay', async (ctx) => {
      const first = await ctx.fallback('ask', [
        {
          name: 'a',
          run: () => {
            count('a');
            throw err({ status: 429 }, 'slow down');
          },
        },
        { name: 'b', run: () => (count('b'), { text: 'hi' }) },
      ]);
      await ctx.waitForSignal('go');
      return first;
    });
    engine = await startEngine({ workflows: [wf] });
    const h = await engine.lifeline.start(wf, null);
    await waitForEvent(engine, (e) => e.type === 'run.waiting' && e.runId === h.runId);
    await engine.lifeline.signal(h.runId, 'go', null);
    expect(await h.result()).toEqual({ value: { text: 'hi' }, alternative: 'b' });
    expect(runs).toEqual({ a: 1, b: 1 });
    expect(engine.events.some((e) => e.type === 'step.replayed' && (e.data as { stepId: string }).stepId === 'ask#0')).toBe(true);
    expect(await attemptRows(engine, h.runId)).toHaveLength(2);
  });
});
