import { describe, expect, it } from 'vitest';
import { PriceTable, checkUsage, costMicros } from '../../../src/costs/prices.js';
import { DEFAULT_PRICES, DEFAULT_PRICES_COMPILED } from '../../../src/costs/default-prices.js';
import { UnpricedModelError } from '../../../src/errors/budget-errors.js';
import { InvalidOptionsError } from '../../../src/errors/options-error.js';

const at = (day: string) => Date.parse(`${day}T12:00:00Z`);

describe('price table', () => {
  it('the default table is dated, compiles and prices the common models', () => {
    expect(DEFAULT_PRICES_COMPILED).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(new Set(DEFAULT_PRICES.map((e) => e.provider))).toEqual(new Set(['openai', 'anthropic']));
    const table = new PriceTable();
    const now = at('2026-01-01');
    expect(table.lookup('openai', 'gpt-4o-mini-2024-07-18', now)).toEqual({ inputPerMTok: 0.15, cachedInputPerMTok: 0.075, outputPerMTok: 0.6 });
    expect(table.lookup('openai', 'gpt-4o', now)?.inputPerMTok).toBe(2.5);
    expect(table.lookup('openai', 'gpt-4.1-nano', now)?.outputPerMTok).toBe(0.4);
    expect(table.lookup('openai', 'gpt-4.1', now)?.outputPerMTok).toBe(8);
    expect(table.lookup('anthropic', 'claude-sonnet-4-5-20250929', now)).toEqual({ inputPerMTok: 3, cachedInputPerMTok: 0.3, outputPerMTok: 15 });
    expect(table.lookup('anthropic', 'claude-3-5-haiku-latest', now)?.inputPerMTok).toBe(0.8);
    expect(table.lookup('anthropic', 'claude-opus-4-1', now)?.outputPerMTok).toBe(75);
    expect(table.lookup('anthropic', 'claude-opus-4-5-20251101', now)?.outputPerMTok).toBe(25);
    // Provider matters: an OpenAI name under another provider is not priced by the OpenAI entries.
    expect(table.lookup('azure', 'gpt-4o', now)).toBeNull();
  });

  it('the entry in force at the call applies: o3 before and after its price cut; nothing before its launch', () => {
    const table = new PriceTable();
    expect(table.lookup('openai', 'o3', at('2025-05-01'))?.inputPerMTok).toBe(10);
    expect(table.lookup('openai', 'o3', at('2025-06-10'))?.inputPerMTok).toBe(2);
    expect(table.lookup('openai', 'o3-mini', at('2025-05-01'))?.inputPerMTok).toBe(1.1);
    expect(table.lookup('openai', 'gpt-4.1', at('2025-04-13'))).toBeNull();
  });

  it("the user's entries come first (exact, glob, RegExp, any provider) and defaults can be turned off", () => {
    const table = new PriceTable({
      prices: [
        { provider: 'openai', model: 'gpt-4o', since: '2020-01-01', inputPerMTok: 1, outputPerMTok: 2 },
        { model: 'local-?b', since: '2020-01-01', inputPerMTok: 0.01, outputPerMTok: 0.02 },
        { model: /^mistral-(small|large)$/i, since: '2020-01-01', inputPerMTok: 0.5, outputPerMTok: 1.5 },
      ],
    });
    const now = at('2026-01-01');
    expect(table.lookup('openai', 'gpt-4o', now)).toEqual({ inputPerMTok: 1, cachedInputPerMTok: 1, outputPerMTok: 2 });
    expect(table.lookup('openai', 'gpt-4o-2024-08-06', now)?.inputPerMTok).toBe(2.5); // exact: the default glob still prices snapshots
    expect(table.lookup('ollama', 'local-7b', now)?.inputPerMTok).toBe(0.01);
    expect(table.lookup('ollama', 'local-70b', now)).toBeNull();
    expect(table.lookup('x', 'Mistral-Large', now)?.outputPerMTok).toBe(1.5);
    const own = new PriceTable({ defaults: false, prices: [{ model: 'a', since: '2020-01-01', inputPerMTok: 1, outputPerMTok: 1 }] });
    expect(own.lookup('openai', 'gpt-4o', now)).toBeNull();
  });

  it('an unpriced model is an error naming model, provider, day and the options, or costs nothing with onUnpriced "zero"', () => {
    const error = (() => {
      try {
        new PriceTable().priceOf('openai', 'gpt-9', at('2026-03-04'));
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(UnpricedModelError);
    expect(error).toMatchObject({
      errorClass: 'configuration',
      message:
        'No price for model "gpt-9" of provider "openai" on 2026-03-04: add an entry to Lifeline.open pricing.prices, or set pricing.onUnpriced to "zero" to record unpriced calls at no cost.',
    });
    expect(new PriceTable({ onUnpriced: 'zero' }).priceOf('openai', 'gpt-9', 0)).toEqual({ inputPerMTok: 0, cachedInputPerMTok: 0, outputPerMTok: 0 });
  });

  it('costs are integer micro-dollars, cached input priced apart; a worst case rounds up', () => {
    const price = { inputPerMTok: 2.5, cachedInputPerMTok: 1.25, outputPerMTok: 10 };
    expect(costMicros(price, { inputTokens: 1000, cachedInputTokens: 400, outputTokens: 100 }, 'nearest')).toBe(600 * 2.5 + 400 * 1.25 + 1000);
    const mini = { inputPerMTok: 0.15, cachedInputPerMTok: 0.075, outputPerMTok: 0.6 };
    expect(costMicros(mini, { inputTokens: 3, cachedInputTokens: 0, outputTokens: 0 }, 'up')).toBe(1); // 0.45 up
    expect(costMicros(mini, { inputTokens: 3, cachedInputTokens: 0, outputTokens: 0 }, 'nearest')).toBe(0);
    expect(costMicros(mini, { inputTokens: 1000, cachedInputTokens: 1000, outputTokens: 0 }, 'up')).toBe(75); // 75.00000000000001 is 75
  });

  it.each([
    [
      { prices: [{ model: '', since: '2020-01-01', inputPerMTok: 1, outputPerMTok: 1 }] },
      'Invalid option Lifeline.open.pricing.prices[0].model: must be a model name, a glob such as "gpt-4o*" or a RegExp (got "")',
    ],
    [
      { prices: [{ model: 'm', since: '2020-02-30', inputPerMTok: 1, outputPerMTok: 1 }] },
      'Invalid option Lifeline.open.pricing.prices[0].since: must be a UTC day written YYYY-MM-DD (got "2020-02-30")',
    ],
    [
      { prices: [{ model: 'm', since: '2020-01-01', inputPerMTok: -1, outputPerMTok: 1 }] },
      'Invalid option Lifeline.open.pricing.prices[0].inputPerMTok: must be a number from 0 to 1000000 (got -1)',
    ],
    [
      { prices: [{ model: 'm', since: '2020-01-01', inputPerMTok: 1 }] },
      'Invalid option Lifeline.open.pricing.prices[0].outputPerMTok: is required (USD per million tokens)',
    ],
    [
      { prices: [{ model: 'm', since: '2020-01-01', inputPerMTok: 1, outputPerMTok: 1, input: 3 }] },
      'Invalid option Lifeline.open.pricing.prices[0].input: unknown option (known: provider, model, since, inputPerMTok, cachedInputPerMTok, outputPerMTok)',
    ],
    [{ onUnpriced: 'ignore' }, 'Invalid option Lifeline.open.pricing.onUnpriced: must be "error" or "zero" (got "ignore")'],
  ])('bad pricing %j is refused', (options, message) => {
    expect(() => new PriceTable(options as never)).toThrow(new InvalidOptionsError(message));
  });

  it('usage: non-negative integers, cached at most input', () => {
    expect(checkUsage({ inputTokens: 5, outputTokens: 1 }, 'u')).toEqual({ inputTokens: 5, cachedInputTokens: 0, outputTokens: 1 });
    expect(() => checkUsage({ inputTokens: 5, cachedInputTokens: 6, outputTokens: 1 }, 'u')).toThrow(
      'Invalid option u.cachedInputTokens: must be at most inputTokens, which counts them too (got 6 > 5)',
    );
    expect(() => checkUsage({ inputTokens: -1, outputTokens: 1 }, 'u')).toThrow(
      'Invalid option u.inputTokens: must be an integer from 0 to 1000000000000 (got -1)',
    );
  });
});
