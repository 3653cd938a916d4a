// Recovery strategies on final failure (issue 8 §10), end to end on a real SQLite file: counters
// prove what each strategy re-runs; the decision records are read back from the store.
import { afterEach, describe, expect, it } from 'vitest';
import { defineWorkflow, unregisterWorkflow } from '../../src/workflow/define.js';
import { ManualClock } from '../../src/time/clock.js';
import { startEngine, waitForEvent, type TestEngine } from '../helpers.js';

let engine: TestEngine | undefined;
const names: string[] = [];
afterEach(async () => {
  await engine?.close();
  engine = undefined;
  for (const n of names.splice(0)) unregisterWorkflow(n);
});

const invalid = (message: string) => Object.assign(new Error(message), { name: 'ValidationError' });
const transient = () => Object.assign(new Error('connection reset'), { code: 'ECONNRESET' });
const noRetry = { maxAttempts: 1 };

/** A workflow with steps a, b, c: b fails `failures` times (then succeeds); counts every body execution. */
function threeSteps(
  name: string,
  failures: number,
  error: () => Error,
  recovery: Parameters<typeof defineWorkflow>[2] extends infer O ? (O extends { recovery?: infer R } ? R : never) : never,
) {
  names.push(name);
  const counts = { a: 0, b: 0, c: 0 };
  const wf = defineWorkflow(
    name,
    async (ctx) => {
      const a = await ctx.step('a', () => ++counts.a, { retry: noRetry });
      const b = await ctx.step(
        'b',
        () => {
          counts.b++;
          if (counts.b <= failures) throw error();
          return 'b ok';
        },
        { retry: noRetry },
      );
      const c = await ctx.step('c', () => ++counts.c, { retry: noRetry });
      return { a, b, c };
    },
    { recovery },
  );
  return { wf, counts };
}

describe('recovery strategies on final failure', () => {
  it('resume re-runs only the failed step after the delay, bounded by max; the decision ends recovered with its time', async () => {
    const clock = new ManualClock();
    const { wf, counts } = threeSteps('rec.resume', 2, transient, [{ on: 'transient', strategy: 'resume', delay: '10s', max: 2 }]);
    engine = await startEngine({ workflows: [wf], clock });
    const h = await engine.lifeline.start(wf, null);
    await waitForEvent(engine, (e) => e.type === 'run.recovering');
    expect((await h.status()).status).toBe('sleeping');
    await clock.advance(9_999);
    expect(counts).toEqual({ a: 1, b: 1, c: 0 });
    await clock.advance(1);
    await waitForEvent(engine, (e) => e.type === 'run.recovering' && e.at >= clock.now());
    await clock.advance(10_000);
    expect(await h.result()).toEqual({ a: 1, b: 'b ok', c: 1 });
    expect(counts).toEqual({ a: 1, b: 3, c: 1 });
    const records = await engine.lifeline.recoveries({ runId: h.runId });
    expect(records.map((r) => [r.strategy, r.errorClass, r.stepId, r.outcome])).toEqual([
      ['resume', 'transient', 'b#0', 'superseded'],
      ['resume', 'transient', 'b#0', 'recovered'],
    ]);
    expect(records[1]?.recoveredMs).toBe(10_000);
    expect(records[0]?.reason).toBe('recovery[0] resume on transient');
  });

  it('resume stops at max: the next failure fails the run', async () => {
    const clock = new ManualClock();
    const { wf, counts } = threeSteps('rec.resume.max', 5, transient, [{ on: ['transient', 'timeout'], strategy: 'resume', delay: 1000, max: 1 }]);
    engine = await startEngine({ workflows: [wf], clock });
    const h = await engine.lifeline.start(wf, null);
    await waitForEvent(engine, (e) => e.type === 'run.recovering');
    await clock.advance(1000);
    await expect(h.result()).rejects.toThrow('Step "b#0" failed with transient error after 2 attempts: connection reset');
    expect(counts).toEqual({ a: 1, b: 2, c: 0 });
    expect((await engine.lifeline.recoveries({ runId: h.runId })).map((r) => r.outcome)).toEqual(['failed']);
  });

  it('restart re-runs every step as generation 2; the earlier attempts stay recorded', async () => {
    const { wf, counts } = threeSteps('rec.restart', 1, () => invalid('bad shape'), [{ on: 'validation', strategy: 'restart' }]);
    engine = await startEngine({ workflows: [wf] });
    const h = await engine.lifeline.start(wf, null);
    expect(await h.result()).toEqual({ a: 2, b: 'b ok', c: 1 });
    expect(counts).toEqual({ a: 2, b: 2, c: 1 });
    const [record] = await engine.lifeline.recoveries({ runId: h.runId });
    expect(record).toMatchObject({ strategy: 'restart', generation: 2, outcome: 'recovered' });
    const attempts = await engine.lifeline.store.listAttempts(h.runId);
    expect(attempts.map((a) => [a.stepId, a.attempt, a.outcome])).toEqual([
      ['a#0', 1, 'succeeded'],
      ['b#0', 1, 'failed'],
      ['a#0', 2, 'succeeded'],
      ['b#0', 2, 'succeeded'],
      ['c#0', 1, 'succeeded'],
    ]);
    expect(engine.events.filter((e) => e.type === 'run.restarted').map((e) => e.data)).toEqual([{ generation: 2 }]);
  });

  it('reassign starts the other workflow with the same input; the failed run records who took over', async () => {
    names.push('rec.helper-agent');
    const other = defineWorkflow('rec.helper-agent', (_ctx, input: { q: string }) => `answered ${input.q} elsewhere`);
    const { wf } = threeSteps('rec.reassign', 9, () => invalid('cannot answer'), [{ on: 'validation', strategy: 'reassign', workflow: 'rec.helper-agent' }]);
    engine = await startEngine({ workflows: [wf, other] });
    const h = await engine.lifeline.start(wf, { q: 'why' } as never);
    await expect(h.result()).rejects.toThrow('cannot answer');
    const [record] = await engine.lifeline.recoveries({ runId: h.runId });
    expect(record?.takenOverBy).toBe(`${h.runId}/reassigned-1`);
    expect(await engine.lifeline.result(`${h.runId}/reassigned-1`)).toBe('answered why elsewhere');
    expect((await engine.lifeline.recoveries({ runId: h.runId }))[0]).toMatchObject({ outcome: 'recovered' });
    expect(engine.events.find((e) => e.type === 'run.reassigned')?.data).toEqual({ to: `${h.runId}/reassigned-1`, workflow: 'rec.helper-agent' });
  });

  it('escalate parks the run; resolve retry re-runs the failed step only, skip goes on past it, the signal resolves too', async () => {
    const { wf, counts } = threeSteps('rec.escalate', 2, () => invalid('needs a human'), [{ on: 'validation', strategy: 'escalate', reason: 'review' }]);
    engine = await startEngine({ workflows: [wf] });
    const h = await engine.lifeline.start(wf, null);
    await waitForEvent(engine, (e) => e.type === 'run.escalated');
    expect((await h.status()).status).toBe('parked');
    expect((await engine.lifeline.escalations()).map((r) => [r.runId, r.reason])).toEqual([[h.runId, 'recovery[0] escalate on validation: review']]);
    await engine.lifeline.resolve(h.runId, 'retry');
    await waitForEvent(engine, (e) => e.type === 'run.escalated' && engine!.events.filter((x) => x.type === 'run.escalated').length === 2);
    expect(counts).toEqual({ a: 1, b: 2, c: 0 });
    await engine.lifeline.signal(h.runId, 'lifeline.resolve', { action: 'skip' });
    expect(await h.result()).toEqual({ a: 1, b: null, c: 1 });
    expect(counts).toEqual({ a: 1, b: 2, c: 1 });
    expect(await engine.lifeline.escalations()).toEqual([]);
    expect((await engine.lifeline.recoveries({ runId: h.runId })).map((r) => [r.resolution, r.outcome])).toEqual([
      ['retry', 'superseded'],
      ['skip', 'recovered'],
    ]);
  });

  it('rules apply in order by class: resume once, then escalate; cancelled runs are never recovered', async () => {
    const clock = new ManualClock();
    const { wf, counts } = threeSteps('rec.chain', 9, transient, [
      { on: 'transient', strategy: 'resume', delay: 5, max: 1 },
      { on: '*', strategy: 'escalate' },
    ]);
    engine = await startEngine({ workflows: [wf], clock });
    const h = await engine.lifeline.start(wf, null);
    await waitForEvent(engine, (e) => e.type === 'run.recovering');
    await clock.advance(25); // the delay, and the worker's next poll (20 ms)
    await waitForEvent(engine, (e) => e.type === 'run.escalated');
    expect(counts.b).toBe(2);
    await expect(engine.lifeline.signal(h.runId, 'lifeline.resolve', { action: 'later' })).rejects.toThrow(
      'Invalid option signal "lifeline.resolve" payload.action: must be one of "retry", "skip", "cancel" (got "later")',
    );
    await engine.lifeline.signal(h.runId, 'lifeline.resolve', 'cancel');
    expect((await h.status()).status).toBe('cancelled');
    expect((await engine.lifeline.recoveries({ runId: h.runId })).map((r) => [r.strategy, r.outcome])).toEqual([
      ['resume', 'superseded'],
      ['escalate', 'cancelled'],
    ]);
  });
});

describe('recovery options', () => {
  const bad = (recovery: unknown) => () => defineWorkflow('rec.bad', () => null, { recovery } as never);
  it('names the field and the bound', () => {
    expect(bad([{ on: 'transient', strategy: 'resume', max: 0 }])).toThrow(
      'Invalid option workflow "rec.bad".recovery[0].max: must be an integer from 1 to 1000 (got 0)',
    );
    expect(bad([{ on: 'flaky', strategy: 'resume' }])).toThrow('Invalid option workflow "rec.bad".recovery[0].on: must be one of "transient", "rate_limit"');
    expect(bad([{ on: 'transient', strategy: 'retry' }])).toThrow(
      'Invalid option workflow "rec.bad".recovery[0].strategy: must be one of "resume", "restart", "reassign", "escalate" (got "retry")',
    );
    expect(bad([{ strategy: 'escalate' }])).toThrow('Invalid option workflow "rec.bad".recovery[0].on: is required: an error class, a list of them, or "*"');
    expect(bad([{ on: [], strategy: 'escalate' }])).toThrow('Invalid option workflow "rec.bad".recovery[0].on: must name at least one error class (got [])');
    expect(bad([{ on: '*', strategy: 'reassign' }])).toThrow(
      'Invalid option workflow "rec.bad".recovery[0].workflow: must be a non-empty string of at most 128 characters without NUL (got undefined)',
    );
    expect(bad([{ on: '*', strategy: 'restart', delay: '1s' }])).toThrow(
      'Invalid option workflow "rec.bad".recovery[0].delay: unknown option (known: on, strategy, max, reason)',
    );
    expect(bad({})).toThrow('Invalid option workflow "rec.bad".recovery: must be an array (got object)');
  });
});
