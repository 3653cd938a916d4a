// Best-effort steps (issue 8 §7) on a real SQLite file: a final failure is recorded and the step
// returns its default; replay returns the recorded default; cancellation still stops the run.
import { afterEach, describe, expect, it } from 'vitest';
import { defineWorkflow } from '../../src/workflow/define.js';
import { RunCancelledError } from '../../src/errors/workflow-errors.js';
import { startEngine, waitForEvent, type TestEngine } from '../helpers.js';

let engine: TestEngine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

describe('optional steps', () => {
  it('record the failure, return the default, and replay the default without running', async () => {
    let notified = 0;
    const wf = defineWorkflow('be.default', async (ctx) => {
      const sent = await ctx.step(
        'notify',
        () => {
          notified++;
          throw Object.assign(new Error('webhook rejected the payload'), { status: 422 });
        },
        { optional: { default: { sent: false } } },
      );
      await ctx.waitForSignal('go');
      // The default may have another type than the result: the step's type is their union.
      const cached: { hit: true } | null = await ctx.step('cache', () => ({ hit: true as const }), { optional: { default: null } });
      return { sent, cached, after: await ctx.step('after', () => 'ran') };
    });
    engine = await startEngine({ workflows: [wf] });
    const h = await engine.lifeline.start(wf, null);
    await waitForEvent(engine, (e) => e.type === 'run.waiting' && e.runId === h.runId);
    await engine.lifeline.signal(h.runId, 'go', null);
    expect(await h.result()).toEqual({ sent: { sent: false }, cached: { hit: true }, after: 'ran' });
    expect(notified).toBe(1);
    expect(engine.events.some((e) => e.type === 'step.replayed' && (e.data as { stepId: string }).stepId === 'notify#0')).toBe(true);
    const [step] = await engine.lifeline.store.getSteps(h.runId);
    expect(step).toMatchObject({
      stepId: 'notify#0',
      status: 'failed',
      output: '{"sent":false}',
      error: { errorClass: 'validation', message: 'webhook rejected the payload', defaulted: true },
    });
    expect((await engine.lifeline.store.listAttempts(h.runId)).filter((a) => a.stepId === 'notify#0').map((a) => [a.outcome, a.errorClass])).toEqual([
      ['failed', 'validation'],
    ]);
    const stored = (await engine.lifeline.store.listEvents({ runId: h.runId })).filter((e) => e.type === 'step.defaulted' || e.type === 'step.failed');
    expect(stored.map((e) => [e.type, JSON.parse(e.data) as unknown])).toEqual([
      [
        'step.defaulted',
        { stepId: 'notify#0', attempt: 1, errorClass: 'validation', message: 'webhook rejected the payload', reason: expect.any(String) as string },
      ],
    ]);
    expect((await h.status()).status).toBe('completed');
  });

  it('still stop the run when it is cancelled', async () => {
    let started: () => void = () => {};
    const running = new Promise<void>((resolve) => (started = resolve));
    const wf = defineWorkflow('be.cancel', async (ctx) =>
      ctx.step(
        'wait',
        ({ signal }) => {
          started();
          return new Promise<string>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error)));
        },
        { optional: { default: 'fallback' } },
      ),
    );
    engine = await startEngine({ workflows: [wf] });
    const h = await engine.lifeline.start(wf, null);
    await running;
    await engine.lifeline.cancel(h.runId);
    await expect(h.result()).rejects.toBeInstanceOf(RunCancelledError);
    expect(await engine.lifeline.store.getSteps(h.runId)).toEqual([]);
    expect(engine.events.some((e) => e.type === 'step.defaulted')).toBe(false);
  });
});
