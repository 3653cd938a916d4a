// info.cost in real steps on a real SQLite file: reserve, commit, caps, fallback, release at the
// attempt's end, unpriced models, option errors.
import { afterEach, describe, expect, it } from 'vitest';
import { defineWorkflow } from '../../src/workflow/define.js';
import { BudgetExceededError } from '../../src/errors/budget-errors.js';
import { InvalidOptionsError } from '../../src/errors/options-error.js';
import { Lifeline } from '../../src/engine/lifeline.js';
import type { PriceEntry } from '../../src/costs/prices.js';
import { startEngine, type TestEngine } from '../helpers.js';

let engine: TestEngine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

// $10 / $1 / $30 per million tokens: 1 micro-dollar per 0.1 input token etc.
const PRICES: PriceEntry[] = [
  { provider: 'test', model: 'large', since: '2020-01-01', inputPerMTok: 10, cachedInputPerMTok: 1, outputPerMTok: 30 },
  { provider: 'test', model: 'small', since: '2020-01-01', inputPerMTok: 1, outputPerMTok: 2 },
];
const pricing = { prices: PRICES };

describe('info.cost', () => {
  it('reserves the worst case, then commits the real usage priced with cached input apart', async () => {
    const wf = defineWorkflow('cost.commit', async (ctx) =>
      ctx.step('call', async (info) => {
        const r = await info.cost.reserve({ provider: 'test', model: 'large', estimatedInputTokens: 1000, maxOutputTokens: 500 });
        const held = (await engine!.lifeline.listCosts({ runId: info.runId }))[0];
        const entry = await r.commit({ inputTokens: 1000, cachedInputTokens: 400, outputTokens: 200 });
        return { max: r.maxMicros, held: held?.state, cost: entry.costMicros, state: entry.state };
      }),
    );
    engine = await startEngine({ workflows: [wf], pricing });
    const h = await engine.lifeline.start(wf, null);
    // worst case 1000 x 10 + 500 x 30; real 600 x 10 + 400 x 1 + 200 x 30
    expect(await h.result()).toEqual({ max: 25_000, held: 'reserved', cost: 12_400, state: 'committed' });
  });

  it('a call that would exceed the run cap fails the step with a budget error, not retried, before the call is made', async () => {
    let calls = 0;
    const wf = defineWorkflow(
      'cost.cap',
      async (ctx) =>
        ctx.step('call', async (info) => {
          await info.cost.reserve({ provider: 'test', model: 'large', estimatedInputTokens: 1000, maxOutputTokens: 1000 });
          calls++;
          return 'called';
        }),
      { budget: { perRunUsd: 0.03 } },
    );
    engine = await startEngine({ workflows: [wf], pricing });
    const h = await engine.lifeline.start(wf, null);
    await expect(h.result()).rejects.toThrow(
      'Step "call#0" failed with configuration error after 1 attempt: Cost cap budget.perRunUsd ($0.03) would be exceeded by a call to large: $0 already spent or reserved, this call may cost up to $0.04.',
    );
    expect(calls).toBe(0);
    expect((await engine.lifeline.store.listAttempts(h.runId)).length).toBe(1);
    expect(await engine.lifeline.listCosts({ runId: h.runId })).toEqual([]);
  });

  it('tryReserve tells the step a cap would be exceeded, so it falls back to a cheaper model', async () => {
    const wf = defineWorkflow(
      'cost.fallback',
      async (ctx) =>
        ctx.step('call', async (info) => {
          const tried: string[] = [];
          for (const model of ['large', 'small']) {
            const answer = await info.cost.tryReserve({ provider: 'test', model, estimatedInputTokens: 1000, maxOutputTokens: 1000 });
            if (!answer.ok) {
              tried.push(`${model}: ${answer.reason} ${answer.error instanceof BudgetExceededError}`);
              continue;
            }
            await answer.reservation.commit({ inputTokens: 900, outputTokens: 100 });
            tried.push(`${model}: ok`);
            break;
          }
          return tried;
        }),
      { budget: { perWorkflowPerDayUsd: 0.01 } },
    );
    engine = await startEngine({ workflows: [wf], pricing });
    const h = await engine.lifeline.start(wf, null);
    expect(await h.result()).toEqual(['large: workflow_day true', 'small: ok']);
    expect((await engine.lifeline.listCosts({ runId: h.runId })).map((e) => [e.model, e.state, e.costMicros])).toEqual([['small', 'committed', 1100]]);
  });

  it('a reservation the attempt leaves open is released when the attempt ends, and the retry fits again', async () => {
    const wf = defineWorkflow(
      'cost.release',
      async (ctx) =>
        ctx.step(
          'call',
          async (info) => {
            await info.cost.reserve({ provider: 'test', model: 'small', estimatedInputTokens: 0, maxOutputTokens: 4000 });
            if (info.attempt === 1) throw Object.assign(new Error('connection reset'), { code: 'ECONNRESET' });
            return info.attempt;
          },
          { retry: { initialDelayMs: 1, maxDelayMs: 1, jitter: 'none' } },
        ),
      { budget: { perRunUsd: 0.008 } },
    );
    engine = await startEngine({ workflows: [wf], pricing });
    const h = await engine.lifeline.start(wf, null);
    // Each reservation is $0.008, the whole cap: attempt 2 fits only because attempt 1's was released.
    expect(await h.result()).toBe(2);
    const states = (await engine.lifeline.listCosts({ runId: h.runId })).map((e) => [e.attempt, e.state]);
    expect(states).toEqual([
      [1, 'released'],
      [2, 'released'],
    ]);
  });

  it('record prices a call without a cap; an unpriced model fails the step, or costs nothing with onUnpriced "zero"', async () => {
    const wf = defineWorkflow('cost.record', async (ctx) =>
      ctx.step('call', async (info) => (await info.cost.record({ provider: 'test', model: 'mystery', inputTokens: 10, outputTokens: 10 })).costMicros),
    );
    engine = await startEngine({ workflows: [wf], pricing });
    await expect((await engine.lifeline.start(wf, null)).result()).rejects.toThrow(
      /failed with configuration error after 1 attempt: No price for model "mystery" of provider "test" on \d{4}-\d{2}-\d{2}: add an entry/,
    );
    await engine.close();
    engine = await startEngine({ workflows: [wf], pricing: { ...pricing, onUnpriced: 'zero' } });
    expect(await (await engine.lifeline.start(wf, null)).result()).toBe(0);
  });

  it('two runs at once each see their own ledger', async () => {
    const wf = defineWorkflow('cost.isolated', async (ctx, n: number) =>
      ctx.step('call', async (info) => {
        for (let i = 0; i < 5; i++) await info.cost.record({ provider: 'test', model: 'small', inputTokens: n, outputTokens: 0 });
        return (await engine!.lifeline.listCosts({ runId: info.runId })).reduce((sum, e) => sum + e.costMicros, 0);
      }),
    );
    engine = await startEngine({ workflows: [wf], pricing });
    const [a, b] = await Promise.all([engine.lifeline.start(wf, 1000), engine.lifeline.start(wf, 7)]);
    expect(await Promise.all([a.result(), b.result()])).toEqual([5000, 35]);
  });
});

describe('budget and pricing options', () => {
  it.each([
    [{ perRunUsd: -1 }, 'Invalid option workflow "cost.bad".budget.perRunUsd: must be a number from 0 to 1000000000 (got -1)'],
    [{ perWorkflowPerDayUsd: -0.5 }, 'Invalid option workflow "cost.bad".budget.perWorkflowPerDayUsd: must be a number from 0 to 1000000000 (got -0.5)'],
    [{ perRunUsd: 1, perDay: 3 }, 'Invalid option workflow "cost.bad".budget.perDay: unknown option (known: perRunUsd, perWorkflowPerDayUsd, reservationTtl)'],
    [
      { reservationTtl: '5 minutes' },
      'Invalid option workflow "cost.bad".budget.reservationTtl: must be a duration >= 0 in ms or a string like "5s" (got "5 minutes")',
    ],
  ])('budget %j is refused', (budget, message) => {
    expect(() => defineWorkflow('cost.bad', () => null, { budget: budget as never })).toThrow(new InvalidOptionsError(message));
  });

  it('Lifeline.open refuses a bad price table before opening anything', async () => {
    await expect(
      Lifeline.open({ db: ':memory:', pricing: { prices: [{ model: 'm', since: 'yesterday', inputPerMTok: 1, outputPerMTok: 1 }] } }),
    ).rejects.toThrow(new InvalidOptionsError('Invalid option Lifeline.open.pricing.prices[0].since: must be a UTC day written YYYY-MM-DD (got "yesterday")'));
  });
});
