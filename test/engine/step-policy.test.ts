// A policy value around each attempt's body (issue 8 §1, "around a whole step"): its retries
// happen inside one durable attempt; the engine's durable retries come on top.
import { afterEach, describe, expect, it } from 'vitest';
import { defineWorkflow } from '../../src/workflow/define.js';
import { ManualClock } from '../../src/time/clock.js';
import { retry } from '../../src/policy/values/retry.js';
import { timeout } from '../../src/policy/values/timeout.js';
import { wrap } from '../../src/policy/values/wrap.js';
import { startEngine, waitForEvent, type TestEngine } from '../helpers.js';

let engine: TestEngine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

const reset = () => Object.assign(new Error('connection reset'), { code: 'ECONNRESET' });

describe('ctx.step(name, fn, { policy })', () => {
  it('retries in process within one durable attempt: one attempt row, the body ran three times', async () => {
    let calls = 0;
    const wf = defineWorkflow('pol.inside', async (ctx) =>
      ctx.step(
        'call',
        (info) => {
          calls++;
          if (calls < 3) throw reset();
          return `ok on durable attempt ${info.attempt}`;
        },
        { policy: retry({ maxAttempts: 3, initialDelayMs: 0 }) },
      ),
    );
    engine = await startEngine({ workflows: [wf] });
    const h = await engine.lifeline.start(wf, null);
    expect(await h.result()).toBe('ok on durable attempt 1');
    expect(calls).toBe(3);
    expect((await engine.lifeline.store.listAttempts(h.runId)).map((a) => [a.attempt, a.outcome])).toEqual([[1, 'succeeded']]);
  });

  it('hands what the policy finally throws to the durable retries: 2 durable attempts x 3 policy tries', async () => {
    const clock = new ManualClock();
    let calls = 0;
    const wf = defineWorkflow('pol.outside', async (ctx) =>
      ctx.step(
        'call',
        () => {
          calls++;
          throw reset();
        },
        { policy: retry({ maxAttempts: 3, initialDelayMs: 0, clock }), retry: { maxAttempts: 2, initialDelayMs: 100, jitter: 'none' } },
      ),
    );
    engine = await startEngine({ workflows: [wf], clock });
    const h = await engine.lifeline.start(wf, null);
    await waitForEvent(engine, (e) => e.type === 'step.retrying');
    expect(calls).toBe(3);
    await clock.advance(100);
    await expect(h.result()).rejects.toThrow(`Run ${h.runId} failed: Step "call#0" failed with transient error after 2 attempts: connection reset`);
    expect(calls).toBe(6);
    expect((await engine.lifeline.store.listAttempts(h.runId)).map((a) => [a.attempt, a.outcome, a.errorClass])).toEqual([
      [1, 'failed', 'transient'],
      [2, 'failed', 'transient'],
    ]);
  });

  it("gives the body the policy's signal: a policy timeout aborts it and fails the attempt as timeout", async () => {
    const clock = new ManualClock();
    let aborted = 0;
    let started: () => void = () => {};
    const running = new Promise<void>((resolve) => (started = resolve));
    const wf = defineWorkflow('pol.timeout', async (ctx) =>
      ctx.step(
        'slow',
        ({ signal }) => {
          started();
          signal.addEventListener('abort', () => aborted++);
          return new Promise<string>(() => {});
        },
        { policy: wrap(timeout({ timeoutMs: 500, clock })), retry: { maxAttempts: 1 } },
      ),
    );
    engine = await startEngine({ workflows: [wf], clock });
    const h = await engine.lifeline.start(wf, null);
    await running;
    await clock.advance(500);
    await expect(h.result()).rejects.toThrow(/failed with timeout error after 1 attempt/);
    expect(aborted).toBe(1);
  });
});
