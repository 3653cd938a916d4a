import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineWorkflow } from '../../src/workflow/define.js';
import { Lifeline } from '../../src/engine/lifeline.js';
import { ClassifiedError } from '../../src/policy/index.js';
import { startEngine, type TestEngine } from '../helpers.js';

let engine: TestEngine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

const calls: string[] = [];

const sequential = defineWorkflow('steps.sequential', async (ctx, input: { n: number }) => {
  const a = await ctx.step('double', () => {
    calls.push('double');
    return input.n * 2;
  });
  const b = await ctx.step('inc', ({ attempt, idempotencyKey, stepId }) => {
    calls.push('inc');
    return { value: a + 1, attempt, idempotencyKey, stepId };
  });
  return b;
});

const fanOut = defineWorkflow('steps.fanout', async (ctx, input: { items: number[] }) => {
  const results = await Promise.all(input.items.map((item) => ctx.step('square', () => item * item)));
  let sum = 0;
  for (const r of results) sum = await ctx.step('add', () => sum + r);
  return sum;
});

describe('steps', () => {
  it('runs steps in order, commits each, and passes attempt and a stable idempotency key', async () => {
    engine = await startEngine({ workflows: [sequential] });
    const handle = await engine.lifeline.start(sequential, { n: 20 }, { runId: 'seq-1' });
    expect(await handle.result()).toEqual({ value: 41, attempt: 1, idempotencyKey: 'seq-1:inc#0', stepId: 'inc#0' });
    const steps = await engine.lifeline.store.getSteps('seq-1');
    expect(steps.map((s) => [s.stepId, s.seq, s.status])).toEqual([
      ['double#0', 0, 'completed'],
      ['inc#0', 1, 'completed'],
    ]);
    const attempts = await engine.lifeline.store.listAttempts('seq-1');
    expect(attempts.map((a) => [a.stepId, a.attempt, a.outcome])).toEqual([
      ['double#0', 1, 'succeeded'],
      ['inc#0', 1, 'succeeded'],
    ]);
    expect((await handle.status()).status).toBe('completed');
  });

  it('gives fan-out and loops stable identities by occurrence', async () => {
    engine = await startEngine({ workflows: [fanOut] });
    const handle = await engine.lifeline.start(fanOut, { items: [1, 2, 3] });
    expect(await handle.result()).toBe(14);
    const ids = (await engine.lifeline.store.getSteps(handle.runId)).map((s) => s.stepId);
    expect(ids).toEqual(['square#0', 'square#1', 'square#2', 'add#0', 'add#1', 'add#2']);
  });

  it('starting the same run id twice returns the same run', async () => {
    engine = await startEngine({ workflows: [sequential] });
    calls.length = 0;
    const h1 = await engine.lifeline.start(sequential, { n: 1 }, { runId: 'idem' });
    await h1.result();
    const h2 = await engine.lifeline.start(sequential, { n: 999 }, { runId: 'idem' });
    expect(await h2.result()).toMatchObject({ value: 3 });
    expect(calls).toEqual(['double', 'inc']);
    expect(await engine.lifeline.listRuns()).toHaveLength(1);
  });

  it('returns the committed (JSON) form of a result on first execution, as replay will', async () => {
    const wf = defineWorkflow('steps.dates', async (ctx) => {
      const d = await ctx.step('date', () => ({ at: new Date(0), skip: undefined }));
      return { type: typeof d.at, keys: Object.keys(d) };
    });
    engine = await startEngine({ workflows: [wf] });
    expect(await (await engine.lifeline.start(wf, null)).result()).toEqual({ type: 'string', keys: ['at'] });
  });
});

describe('bad input', () => {
  const strict = defineWorkflow('steps.strict', async (_ctx, input: { email: string; count: number }) => ({ ok: input.count }), {
    inputSchema: z.object({ email: z.string().email(), count: z.number().int() }),
    outputSchema: z.object({ ok: z.number().max(10) }),
  });

  it('refuses a start whose input fails the schema, naming each field', async () => {
    engine = await startEngine({ workflows: [strict] });
    await expect(engine.lifeline.start(strict, { email: 'nope', count: 1.5 })).rejects.toThrow(
      'Workflow "steps.strict" input is invalid: email: Invalid email address; count: Invalid input: expected int, received number',
    );
    expect(await engine.lifeline.listRuns()).toHaveLength(0);
  });

  it('fails a run whose output fails the schema', async () => {
    engine = await startEngine({ workflows: [strict] });
    const h = await engine.lifeline.start(strict, { email: 'a@b.co', count: 11 });
    await expect(h.result()).rejects.toThrow('output is invalid: ok: Too big: expected number to be <=10');
    expect((await h.status()).error?.errorClass).toBe('validation');
  });

  it('fails a step whose result cannot be stored, saying where, without retrying', async () => {
    const wf = defineWorkflow('steps.unserializable', async (ctx) => {
      await ctx.step('ok', () => 1);
      return ctx.step('bad', () => ({ nested: { n: 10n } }));
    });
    engine = await startEngine({ workflows: [wf] });
    const h = await engine.lifeline.start(wf, null);
    await expect(h.result()).rejects.toThrow(
      'Step "bad#0" failed with validation error after 1 attempt: Result of step "bad#0" is not JSON-serializable at $.nested.n: BigInt values are not supported',
    );
    const steps = await engine.lifeline.store.getSteps(h.runId);
    expect(steps.map((s) => s.status)).toEqual(['completed', 'failed']);
  });

  it('refuses a payload over the size limit', async () => {
    engine = await startEngine({ workflows: [sequential], maxPayloadBytes: 2048 });
    await expect(engine.lifeline.start(sequential, { n: 1, pad: 'x'.repeat(5000) } as never)).rejects.toThrow(
      'Input of workflow "steps.sequential" is 5016 bytes as JSON, over the limit of 2048 bytes (option maxPayloadBytes).',
    );
  });

  it('fails a run whose workflow throws synchronously, classifying the error', async () => {
    const wf = defineWorkflow('steps.sync-throw', (() => {
      throw new TypeError('cannot read properties of undefined');
    }) as never);
    engine = await startEngine({ workflows: [wf] });
    const h = await engine.lifeline.start(wf, null);
    await expect(h.result()).rejects.toThrow('cannot read properties of undefined');
    expect((await h.status()).error).toMatchObject({ name: 'TypeError', errorClass: 'logic' });
  });

  it('rejects duplicate workflow names and unknown workflows with clear errors', async () => {
    expect(() => defineWorkflow('steps.sequential', async () => 1)).toThrow(
      'A workflow named "steps.sequential" without a version is already registered; a name and version must be unique (give one of them a version to load both).',
    );
    engine = await startEngine({ workflows: [sequential] });
    await expect(engine.lifeline.start('nope', {})).rejects.toThrow('Workflow "nope" is not defined in this code (defined: "steps.sequential").');
  });

  it('refuses a reused run id of another workflow', async () => {
    engine = await startEngine({ workflows: [sequential, fanOut] });
    await engine.lifeline.start(sequential, { n: 1 }, { runId: 'shared' });
    await expect(engine.lifeline.start(fanOut, { items: [] }, { runId: 'shared' })).rejects.toThrow(
      'Invalid option start.runId: "shared" is already used by a run of workflow "steps.sequential"',
    );
  });

  it('a step called after the workflow returned fails with a clear error', async () => {
    let late: Promise<unknown> | undefined;
    const wf = defineWorkflow('steps.after', async (ctx) => {
      setImmediate(() => {
        late = ctx.step('late', () => 1);
        late.catch(() => {});
      });
      return 'done';
    });
    engine = await startEngine({ workflows: [wf] });
    const h = await engine.lifeline.start(wf, null);
    expect(await h.result()).toBe('done');
    await new Promise((r) => setImmediate(r));
    await expect(late).rejects.toThrow(/Step "late" was called on run .* after the workflow function returned/);
  });

  it('ClassifiedError thrown by a step carries its class into the run error', async () => {
    const wf = defineWorkflow('steps.classified', async (ctx) =>
      ctx.step('cfg', () => {
        throw new ClassifiedError('OPENAI_API_KEY is not set', { errorClass: 'configuration' });
      }),
    );
    engine = await startEngine({ workflows: [wf] });
    const h = await engine.lifeline.start(wf, null);
    await expect(h.result()).rejects.toThrow('Step "cfg#0" failed with configuration error after 1 attempt: OPENAI_API_KEY is not set');
  });

  it('a Lifeline over a newly opened connection reads runs written by another', async () => {
    engine = await startEngine({ workflows: [sequential] });
    const h = await engine.lifeline.start(sequential, { n: 2 });
    await h.result();
    const other = await Lifeline.open({ db: engine.db, workflows: [sequential] });
    expect((await other.getRun(h.runId))?.output).toMatchObject({ value: 5 });
    await other.close();
  });
});
