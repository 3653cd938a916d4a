// Shared limits through the engine (Lifeline.open `limits`, step options `limits`,
// `estimatedTokens`, StepInfo.reportUsage) on a real SQLite file, time on a ManualClock.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defineWorkflow } from '../../src/workflow/define.js';
import { ManualClock } from '../../src/time/clock.js';
import { Lifeline } from '../../src/engine/lifeline.js';
import type { LimitsConfig } from '../../src/options/limit-options.js';
import { startEngine, tempDir, waitForEvent, type TestEngine } from '../helpers.js';
import { join } from 'node:path';

let engine: TestEngine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

function latch() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
}

const throttledOf = (e: TestEngine, runId: string) => e.events.filter((x) => x.type === 'limit.throttled' && x.runId === runId);

describe('shared limits in the engine', () => {
  it('concurrency 1: a second run sleeps without an attempt until the slot is free, then runs', async () => {
    const clock = new ManualClock();
    const entered = latch();
    const finish = latch();
    const wf = defineWorkflow('limits.k1', async (ctx, n: number) =>
      ctx.step(
        'call',
        async () => {
          if (n === 1) {
            entered.open();
            await finish.opened;
          }
          return n;
        },
        { limits: ['openai'] },
      ),
    );
    engine = await startEngine({ workflows: [wf], clock, limits: { openai: { concurrency: 1, slotRetryMs: 500 } } });
    const a = await engine.lifeline.start(wf, 1);
    await entered.opened;
    const b = await engine.lifeline.start(wf, 2);
    const throttled = await waitForEvent(engine, (e) => e.type === 'limit.throttled' && e.runId === b.runId);
    expect(throttled.data).toEqual({ stepId: 'call#0', key: 'openai', limit: 'concurrency', retryAt: clock.now() + 500 });
    await waitForEvent(engine, (e) => e.type === 'run.sleeping' && e.runId === b.runId);
    expect(await engine.lifeline.store.getRun(b.runId)).toMatchObject({ status: 'sleeping', wakeAt: clock.now() + 500, lease: null });
    expect(await engine.lifeline.store.listAttempts(b.runId)).toEqual([]);
    finish.open();
    expect(await a.result()).toBe(1);
    await clock.advance(500);
    expect(await b.result()).toBe(2);
    const [status] = await engine.lifeline.store.listLimits(clock.now());
    expect(status).toMatchObject({ key: 'openai', concurrency: 1, inUse: 0, throttled: 1 });
  });

  it('renews a running call slot so a short slot lease does not let a second call in', async () => {
    const clock = new ManualClock();
    const entered = latch();
    const finish = latch();
    let bodies = 0;
    const wf = defineWorkflow('limits.renew', async (ctx, n: number) =>
      ctx.step(
        'call',
        async () => {
          bodies++;
          if (n === 1) {
            entered.open();
            await finish.opened;
          }
          return n;
        },
        { limits: ['openai'] },
      ),
    );
    engine = await startEngine({
      workflows: [wf],
      clock,
      limits: { openai: { concurrency: 1, slotLeaseMs: 300, slotRetryMs: 100 } },
      worker: { leaseMs: 60_000, heartbeatMs: 20_000 },
    });
    const a = await engine.lifeline.start(wf, 1);
    await entered.opened;
    const b = await engine.lifeline.start(wf, 2);
    await waitForEvent(engine, (e) => e.type === 'limit.throttled' && e.runId === b.runId);
    // Ten slot leases go by while run 1 still calls: its slot is renewed, run 2 keeps waiting.
    for (let i = 0; i < 30; i++) await clock.advance(100);
    expect(bodies).toBe(1);
    expect(throttledOf(engine, b.runId).length).toBeGreaterThanOrEqual(10);
    finish.open();
    expect(await a.result()).toBe(1);
    await clock.advance(100);
    expect(await b.result()).toBe(2);
  });

  it('calls per minute: the third call of a 2-per-minute key waits the 30 s its next call needs', async () => {
    const clock = new ManualClock();
    const wf = defineWorkflow('limits.calls', async (ctx, n: number) => ctx.step('call', () => n, { limits: ['openai'] }));
    engine = await startEngine({ workflows: [wf], clock, limits: { openai: { callsPerMinute: 2 } } });
    expect(await (await engine.lifeline.start(wf, 1)).result()).toBe(1);
    expect(await (await engine.lifeline.start(wf, 2)).result()).toBe(2);
    const c = await engine.lifeline.start(wf, 3);
    const throttled = await waitForEvent(engine, (e) => e.type === 'limit.throttled' && e.runId === c.runId);
    expect(throttled.data).toEqual({ stepId: 'call#0', key: 'openai', limit: 'calls', retryAt: clock.now() + 30_000 });
    await clock.advance(30_000);
    expect(await c.result()).toBe(3);
  });

  it('reserves the token estimate and gives back what the call did not use', async () => {
    const clock = new ManualClock();
    const wf = defineWorkflow('limits.tokens', async (ctx) =>
      ctx.step(
        'call',
        ({ reportUsage }) => {
          reportUsage({ tokens: 60 });
          reportUsage({ tokens: 40 });
          return 'ok';
        },
        { limits: ['openai'], estimatedTokens: 600 },
      ),
    );
    engine = await startEngine({ workflows: [wf], clock, limits: { openai: { tokensPerMinute: 1000 } } });
    const tokensLeft = async () => (await engine!.lifeline.store.listLimits(clock.now()))[0]?.tokens?.left;
    await (await engine.lifeline.start(wf)).result();
    await vi.waitFor(async () => expect(await tokensLeft()).toBe(900));
    // Without the reconciliation 400 would be left and this run would have to wait.
    const second = await engine.lifeline.start(wf);
    expect(await second.result()).toBe('ok');
    expect(throttledOf(engine, second.runId)).toEqual([]);
    await vi.waitFor(async () => expect(await tokensLeft()).toBe(800));
  });

  it("counts the tokens of calls committed or recorded in the cost ledger as the attempt's usage (an LLM call reports once)", async () => {
    const clock = new ManualClock();
    const call = { provider: 'local', model: 'tiny', estimatedInputTokens: 300, maxOutputTokens: 200 };
    const wf = defineWorkflow('limits.ledger', async (ctx) =>
      ctx.step(
        'call',
        async ({ cost }) => {
          const reservation = await cost.reserve(call);
          await reservation.commit({ inputTokens: 150, cachedInputTokens: 100, outputTokens: 50 });
          await cost.record({ provider: 'local', model: 'tiny', inputTokens: 100, outputTokens: 0 });
          return 'ok';
        },
        { limits: ['openai'], estimatedTokens: 600 },
      ),
    );
    const pricing = { prices: [{ provider: 'local', model: 'tiny', since: '2020-01-01', inputPerMTok: 1, outputPerMTok: 1 }] };
    engine = await startEngine({ workflows: [wf], clock, pricing, limits: { openai: { tokensPerMinute: 1000 } } });
    const tokensLeft = async () => (await engine!.lifeline.store.listLimits(clock.now()))[0]?.tokens?.left;
    await (await engine.lifeline.start(wf)).result();
    // 200 + 100 tokens used (cached input tokens are input tokens); without the ledger's usage the estimate (600) would stand: 400 left.
    await vi.waitFor(async () => expect(await tokensLeft()).toBe(700));
  });

  it('a spent retry budget makes a retryable failure final, without calling the dependency again', async () => {
    const clock = new ManualClock();
    let bodies = 0;
    const wf = defineWorkflow('limits.budget', async (ctx) =>
      ctx.step(
        'call',
        () => {
          bodies++;
          throw Object.assign(new Error('upstream reset'), { code: 'ECONNRESET' });
        },
        { limits: ['openai'], retry: { initialDelayMs: 10, jitter: 'none', maxAttempts: 5 } },
      ),
    );
    engine = await startEngine({ workflows: [wf], clock, limits: { openai: { retryBudget: { ratio: 0, minRetriesPerMinute: 0 } } } });
    const h = await engine.lifeline.start(wf, undefined);
    await waitForEvent(engine, (e) => e.type === 'step.retrying');
    await clock.advance(10);
    await expect(h.result()).rejects.toThrow(/retry budget of "openai" spent/);
    expect(bodies).toBe(1);
    const attempts = await engine.lifeline.store.listAttempts(h.runId);
    expect(attempts.map((a) => [a.attempt, a.outcome, a.errorClass, a.errorMessage])).toEqual([
      [1, 'failed', 'transient', 'upstream reset'],
      [2, 'failed', 'dependency', 'Not retried: retry budget of "openai" spent: 0 retries for 0 successes in this window (ratio 0, minimum 0).'],
    ]);
    const exhausted = engine.events.find((e) => e.type === 'limit.retry_budget_exhausted');
    expect(exhausted?.data).toMatchObject({ stepId: 'call#0', key: 'openai' });
    expect((await engine.lifeline.store.listLimits(clock.now()))[0]?.retryBudget.refused).toBe(1);
  });

  it('uses the most specific pattern for a key and fails a step whose key matches none', async () => {
    const clock = new ManualClock();
    const wf = defineWorkflow('limits.patterns', async (ctx, key: string) => ctx.step('call', () => key, { limits: [key] }));
    engine = await startEngine({
      workflows: [wf],
      clock,
      limits: { '*': { concurrency: 9 }, 'customer-*': { concurrency: 1 }, 'customer-4*': { concurrency: 2 } },
    });
    await (await engine.lifeline.start(wf, 'customer-42')).result();
    await (await engine.lifeline.start(wf, 'customer-7')).result();
    await (await engine.lifeline.start(wf, 'other')).result();
    const byKey = Object.fromEntries((await engine.lifeline.store.listLimits(clock.now())).map((s) => [s.key, s.concurrency]));
    expect(byKey).toEqual({ 'customer-42': 2, 'customer-7': 1, other: 9 });
    await engine.close();

    engine = await startEngine({ workflows: [wf], clock, limits: { openai: { concurrency: 1 } } });
    await expect((await engine.lifeline.start(wf, 'anthropic')).result()).rejects.toThrow(
      'Invalid option step "call".limits: no limit configured for key "anthropic" (Lifeline.open limits: openai)',
    );
  });

  it('fails a step that names limit keys on a Lifeline without limits (it would run unlimited)', async () => {
    const clock = new ManualClock();
    let bodies = 0;
    const wf = defineWorkflow('limits.none', async (ctx) => ctx.step('call', () => ++bodies, { limits: ['openai'] }));
    engine = await startEngine({ workflows: [wf], clock });
    await expect((await engine.lifeline.start(wf)).result()).rejects.toThrow(
      'Invalid option step "call".limits: this Lifeline has no limits configured (pass Lifeline.open({ limits: { "openai": { ... } } }))',
    );
    expect(bodies).toBe(0);
  });

  it('refuses an estimate larger than a tokens limit', async () => {
    const clock = new ManualClock();
    const wf = defineWorkflow('limits.estimate', async (ctx) => ctx.step('call', () => 1, { limits: ['openai'], estimatedTokens: 5000 }));
    engine = await startEngine({ workflows: [wf], clock, limits: { openai: { tokensPerMinute: 1000 } } });
    await expect((await engine.lifeline.start(wf)).result()).rejects.toThrow(
      'Invalid option step "call".estimatedTokens: must be at most the tokensPerMinute of limit "openai" (1000) (got 5000)',
    );
  });
});

describe('limit options', () => {
  const open = (limits: unknown) => {
    const { dir, cleanup } = tempDir();
    return Lifeline.open({ db: join(dir, 'x.db'), limits: limits as LimitsConfig }).finally(cleanup);
  };
  it.each([
    [{ openai: { concurrency: 0 } }, 'Invalid option Lifeline.open.limits["openai"].concurrency: must be an integer from 1 to 100000 (got 0)'],
    [{ openai: { callsPerMinute: -5 } }, 'Invalid option Lifeline.open.limits["openai"].callsPerMinute: must be an integer from 1 to 1000000000 (got -5)'],
    [
      { openai: { tokensPerMinute: 1.5 } },
      'Invalid option Lifeline.open.limits["openai"].tokensPerMinute: must be an integer from 1 to 1000000000000 (got 1.5)',
    ],
    [{ '': { concurrency: 1 } }, 'Invalid option Lifeline.open.limits: limit keys must be non-empty strings of at most 200 characters without NUL (got "")'],
    [{ openai: {} }, 'Invalid option Lifeline.open.limits["openai"]: sets no limit (set concurrency, callsPerMinute, tokensPerMinute or retryBudget)'],
    [{ openai: { retryBudget: { ratio: -1 } } }, 'Invalid option Lifeline.open.limits["openai"].retryBudget.ratio: must be a number from 0 to 1000 (got -1)'],
    [{ openai: { retryBudget: {} } }, 'Invalid option Lifeline.open.limits["openai"].retryBudget.ratio: required (a number from 0 to 1000)'],
    [{ openai: { concurency: 2 } }, /^Invalid option Lifeline.open.limits\["openai"\].concurency: unknown option/],
  ])('%j', async (limits, message) => {
    await expect(open(limits)).rejects.toThrow(message);
  });

  it('checks the step options and a reported usage', async () => {
    const clock = new ManualClock();
    const bad = defineWorkflow('limits.badstep', async (ctx) => ctx.step('call', () => 1, { limits: [''] }));
    const usage = defineWorkflow('limits.badusage', async (ctx) => ctx.step('call', ({ reportUsage }) => reportUsage({ tokens: -1 }), { limits: ['openai'] }));
    engine = await startEngine({ workflows: [bad, usage], clock, limits: { openai: { concurrency: 1 } } });
    await expect((await engine.lifeline.start(bad)).result()).rejects.toThrow(
      'Invalid option step "call".limits[0]: limit keys must be non-empty strings of at most 200 characters without NUL (got "")',
    );
    await expect((await engine.lifeline.start(usage)).result()).rejects.toThrow(
      'Invalid option reportUsage.tokens: must be an integer from 0 to 1000000000000 (got -1)',
    );
  });
});
