import type { PriceEntry } from './prices.js';

/**
 * When the default table was compiled. Its prices are the providers' published list prices per
 * million tokens as known on that day, written down by hand: they change, and discounts (batch,
 * priority tiers, long-context surcharges, cache writes) are not in it. Override or extend it with
 * `Lifeline.open({ pricing: { prices } })` (docs/llm.md, "Costs and caps").
 */
export const DEFAULT_PRICES_COMPILED = '2026-11-30';

// Order matters: the first entry whose pattern matches and which is in force at the call's time
// applies, so specific patterns come before general ones, and a newer price of a model before its
// older one.
export const DEFAULT_PRICES: readonly PriceEntry[] = Object.freeze([
  // ---- OpenAI ------------------------------------------------------------------------------
  { provider: 'openai', model: 'gpt-4o-mini*', since: '2024-07-18', inputPerMTok: 0.15, cachedInputPerMTok: 0.075, outputPerMTok: 0.6 },
  { provider: 'openai', model: 'gpt-4o*', since: '2024-05-13', inputPerMTok: 2.5, cachedInputPerMTok: 1.25, outputPerMTok: 10 },
  { provider: 'openai', model: 'gpt-4.1-nano*', since: '2025-04-14', inputPerMTok: 0.1, cachedInputPerMTok: 0.025, outputPerMTok: 0.4 },
  { provider: 'openai', model: 'gpt-4.1-mini*', since: '2025-04-14', inputPerMTok: 0.4, cachedInputPerMTok: 0.1, outputPerMTok: 1.6 },
  { provider: 'openai', model: 'gpt-4.1*', since: '2025-04-14', inputPerMTok: 2, cachedInputPerMTok: 0.5, outputPerMTok: 8 },
  { provider: 'openai', model: 'o4-mini*', since: '2025-04-16', inputPerMTok: 1.1, cachedInputPerMTok: 0.275, outputPerMTok: 4.4 },
  { provider: 'openai', model: 'o3-mini*', since: '2025-01-31', inputPerMTok: 1.1, cachedInputPerMTok: 0.55, outputPerMTok: 4.4 },
  // o3's price was cut on 2025-06-10; calls before that day are priced at the launch price.
  { provider: 'openai', model: 'o3', since: '2025-06-10', inputPerMTok: 2, cachedInputPerMTok: 0.5, outputPerMTok: 8 },
  { provider: 'openai', model: 'o3-2025-04-16', since: '2025-06-10', inputPerMTok: 2, cachedInputPerMTok: 0.5, outputPerMTok: 8 },
  { provider: 'openai', model: /^o3(-2025-04-16)?$/, since: '2025-04-16', inputPerMTok: 10, cachedInputPerMTok: 2.5, outputPerMTok: 40 },
  { provider: 'openai', model: 'o1-mini*', since: '2024-09-12', inputPerMTok: 1.1, cachedInputPerMTok: 0.55, outputPerMTok: 4.4 },
  { provider: 'openai', model: 'o1*', since: '2024-12-17', inputPerMTok: 15, cachedInputPerMTok: 7.5, outputPerMTok: 60 },
  // ---- Anthropic (cachedInput: cache reads; cache writes are not priced apart here) ----------
  { provider: 'anthropic', model: 'claude-opus-4-5*', since: '2025-11-24', inputPerMTok: 5, cachedInputPerMTok: 0.5, outputPerMTok: 25 },
  { provider: 'anthropic', model: /^claude-(opus-4|3-opus)/, since: '2024-02-29', inputPerMTok: 15, cachedInputPerMTok: 1.5, outputPerMTok: 75 },
  {
    provider: 'anthropic',
    model: /^claude-(sonnet-4|3-7-sonnet|3-5-sonnet)/,
    since: '2024-06-20',
    inputPerMTok: 3,
    cachedInputPerMTok: 0.3,
    outputPerMTok: 15,
  },
  { provider: 'anthropic', model: 'claude-haiku-4-5*', since: '2025-10-15', inputPerMTok: 1, cachedInputPerMTok: 0.1, outputPerMTok: 5 },
  { provider: 'anthropic', model: 'claude-3-5-haiku*', since: '2024-10-22', inputPerMTok: 0.8, cachedInputPerMTok: 0.08, outputPerMTok: 4 },
  { provider: 'anthropic', model: 'claude-3-haiku*', since: '2024-03-07', inputPerMTok: 0.25, cachedInputPerMTok: 0.03, outputPerMTok: 1.25 },
]);
