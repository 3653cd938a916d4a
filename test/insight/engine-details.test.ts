// The engine fills the insight details of attempts (issue 10 §1): error name and kind, a
// fingerprint on failures only, the worker's host, the attempt's committed cost and its tags
// (the step's own, the model its cost handle saw, the top user frame); and what each step ran
// with (coverage flags). Real SQLite store, real worker.
import { afterEach, describe, expect, it } from 'vitest';
import { defineWorkflow } from '../../src/workflow/define.js';
import { FINGERPRINT_VERSION } from '../../src/insight/fingerprint.js';
import { decodeRanWith } from '../../src/insight/ran-with.js';
import { refingerprint } from '../../src/insight/refingerprint.js';
import { ClassifiedError } from '../../src/policy/classified-error.js';
import { startEngine, type TestEngine } from '../helpers.js';

let engine: TestEngine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

const FAST = { maxAttempts: 3, initialDelayMs: 0, maxDelayMs: 0 };
const usage = { provider: 'openai', model: 'gpt-4o-mini', inputTokens: 1000, outputTokens: 100 };

describe('attempt details written by the engine', () => {
  it('records error name and kind, one fingerprint for the same failure with different ids, host, cost and tags', async () => {
    const wf = defineWorkflow('details.retry', async (ctx) =>
      ctx.step(
        'ask',
        async function askModel(info) {
          await info.cost.record(usage);
          if (info.attempt < 3)
            throw new ClassifiedError(`quota exceeded for request req_${info.attempt}x9Fa2Q at 2026-11-30T04:1${info.attempt}:00Z`, {
              errorClass: 'rate_limit',
              kind: 'quota',
            });
          return 'ok';
        },
        { retry: FAST, tags: { team: 'search' } },
      ),
    );
    engine = await startEngine({ workflows: [wf], worker: { host: 'box-7' } });
    const handle = await engine.lifeline.start(wf, null);
    expect(await handle.result()).toBe('ok');
    const attempts = await engine.lifeline.store.listAttempts(handle.runId);
    const cost = (await engine.lifeline.listCosts({ runId: handle.runId }))[0]?.costMicros;
    expect(cost).toBeGreaterThan(0);
    const [a1, a2, a3] = attempts;
    const failed = {
      outcome: 'failed',
      errorName: 'ClassifiedError',
      errorKind: 'quota',
      fingerprintVersion: FINGERPRINT_VERSION,
      host: 'box-7',
      costMicros: cost,
      tags: { team: 'search', provider: 'openai', model: 'gpt-4o-mini', frame: 'test/insight/engine-details.test.ts:askModel' },
    };
    expect(a1).toMatchObject(failed);
    expect(a2).toMatchObject(failed);
    expect(a1?.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(a2?.fingerprint).toBe(a1?.fingerprint); // the request id and time differ: the same problem
    // What the engine computed is what a recomputation from the stored row gives.
    expect(await refingerprint(engine.lifeline.store, { dryRun: true })).toMatchObject({ scanned: 2, changed: 0 });
    // The success path computes no fingerprint.
    expect(a3).toMatchObject({
      outcome: 'succeeded',
      errorName: null,
      fingerprint: null,
      fingerprintVersion: null,
      host: 'box-7',
      costMicros: cost,
      tags: { team: 'search', provider: 'openai', model: 'gpt-4o-mini' },
    });
  });

  it('fingerprints the final failure, keeps different steps apart, and applies Lifeline.open fingerprint rules', async () => {
    const failing = (message: string) => () => {
      throw new Error(message);
    };
    const wf = defineWorkflow('details.final', async (ctx) => {
      await ctx.step('a', failing('disk 1 full'), { retry: { maxAttempts: 1 }, optional: { default: null } });
      await ctx.step('b', failing('disk 2 full'), { retry: { maxAttempts: 1 }, optional: { default: null } });
      await ctx.step('c', failing('Connection reset by peer'), { retry: { maxAttempts: 1 }, optional: { default: null } });
      await ctx.step('d', failing('socket: connection RESET'), { retry: { maxAttempts: 1 }, optional: { default: null } });
      return 'done';
    });
    engine = await startEngine({ workflows: [wf], insight: { fingerprintRules: [{ match: { message: /connection reset/i }, group: 'resets' }] } });
    const handle = await engine.lifeline.start(wf, null);
    expect(await handle.result()).toBe('done');
    const byStep = new Map((await engine.lifeline.store.listAttempts(handle.runId)).map((a) => [a.stepName, a]));
    expect(byStep.get('a')).toMatchObject({ outcome: 'failed', errorName: 'Error', errorKind: null, fingerprintVersion: 1 });
    expect(byStep.get('a')?.fingerprint).not.toBe(byStep.get('b')?.fingerprint);
    expect(byStep.get('c')?.fingerprint).toBe(byStep.get('d')?.fingerprint);
    const rules = engine.lifeline.fingerprintRules;
    expect(await refingerprint(engine.lifeline.store, { rules, dryRun: true })).toMatchObject({ scanned: 4, changed: 0 });
    // Without the rule, c and d fall apart again: an explicit regrouping.
    expect(await refingerprint(engine.lifeline.store, { dryRun: true })).toMatchObject({ scanned: 4, changed: 2 });
  });

  it('records what each step ran with: timeout, retries, a side effect and whether it read its key', async () => {
    const wf = defineWorkflow('details.coverage', async (ctx) => {
      await ctx.step('plain', () => 1, { retry: { maxAttempts: 1 } });
      await ctx.step('guarded', () => 2, { timeout: '5s' });
      await ctx.step('pay', (info) => info.idempotencyKey.length, { sideEffect: true, retry: { maxAttempts: 1 } });
      await ctx.step('mail', () => 4, { sideEffect: true, timeout: 1000 });
      return 'done';
    });
    engine = await startEngine({ workflows: [wf] });
    const handle = await engine.lifeline.start(wf, null);
    expect(await handle.result()).toBe('done');
    const steps = await engine.lifeline.store.getSteps(handle.runId);
    expect(Object.fromEntries(steps.map((s) => [s.name, decodeRanWith(s.ranWith ?? -1)]))).toEqual({
      plain: { timeout: false, retries: false, sideEffect: false, idempotencyKeyRead: false },
      guarded: { timeout: true, retries: true, sideEffect: false, idempotencyKeyRead: false },
      pay: { timeout: false, retries: false, sideEffect: true, idempotencyKeyRead: true },
      mail: { timeout: true, retries: true, sideEffect: true, idempotencyKeyRead: false },
    });
  });

  it('refuses bad tags and side-effect flags with exact messages', async () => {
    const cases: Array<[unknown, string]> = [
      [{ tags: 'x' }, 'Invalid option step "s".tags: must be an object (got string)'],
      [{ tags: { team: 3 } }, 'Invalid option step "s".tags.team: must be a string of at most 200 characters (got 3)'],
      [{ tags: { ['k'.repeat(65)]: 'v' } }, `Invalid option step "s".tags: tag names must be 1 to 64 characters (got "${'k'.repeat(56)}...)`],
      [{ tags: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v'])) }, 'Invalid option step "s".tags: must have at most 20 tags (got 21)'],
      [{ tags: { frame: 'x' } }, 'Invalid option step "s".tags.frame: is set by Lifeline (reserved: frame)'],
      [{ sideEffect: 'yes' }, 'Invalid option step "s".sideEffect: must be true or false (got "yes")'],
    ];
    const wf = defineWorkflow('details.badtags', async (ctx, i: number) => ctx.step('s', () => 1, cases[i]![0] as never));
    engine = await startEngine({ workflows: [wf] });
    for (const [i, [, message]] of cases.entries()) {
      const handle = await engine.lifeline.start(wf, i);
      await expect(handle.result()).rejects.toMatchObject({ errorClass: 'configuration', message: `Run ${handle.runId} failed: ${message}` });
    }
  });
});

describe('the LLM helpers and agent steps tag their attempts', () => {
  it('a structured step records the model that answered on its failed and its good try', async () => {
    const { structuredStep } = await import('../../src/llm/structured-step.js');
    const { z } = await import('zod');
    const answers = ['not json at all', '{"n": 3}'];
    const wf = defineWorkflow('details.structured', async (ctx) =>
      structuredStep(ctx, 'extract', {
        schema: z.object({ n: z.number() }),
        generate: () => ({ text: answers.shift() as string, model: 'small-1' }),
        maxReasks: 2,
      }),
    );
    engine = await startEngine({ workflows: [wf] });
    const handle = await engine.lifeline.start(wf, null);
    expect(await handle.result()).toEqual({ n: 3 });
    const attempts = await engine.lifeline.store.listAttempts(handle.runId);
    expect(attempts.map((a) => [a.outcome, a.tags?.['model'], a.errorName, a.fingerprint === null])).toEqual([
      ['failed', 'small-1', 'StructuredOutputError', false],
      ['succeeded', 'small-1', null, true],
    ]);
  });
});
