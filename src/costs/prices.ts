// The price table: which price applies to a model call, and what the call costs in micro-dollars.
import { UnpricedModelError } from '../errors/budget-errors.js';
import { checkArray, checkBoolean, checkNumber, checkOneOf, checkOptions, checkString, describeValue, optionError } from '../options/option-check.js';
import { DEFAULT_PRICES } from './default-prices.js';

/** Prices of one model (pattern) from a date on, in USD per million tokens. */
export interface PriceEntry {
  /** e.g. "openai", "anthropic"; omitted: any provider. */
  provider?: string;
  /** The model name exactly, a glob ("gpt-4o*", "?" one character) or a RegExp. */
  model: string | RegExp;
  /** First UTC day (YYYY-MM-DD) this price is in force. */
  since: string;
  inputPerMTok: number;
  /** Input tokens read from the provider's prompt cache. Default: inputPerMTok. */
  cachedInputPerMTok?: number;
  outputPerMTok: number;
}

export interface PricingOptions {
  /** Entries tried before the default table (DEFAULT_PRICES): they override and extend it. */
  prices?: readonly PriceEntry[];
  /** false: only `prices`, no default table. Default true. */
  defaults?: boolean;
  /** A call to a model no entry prices: "error" (UnpricedModelError, the default) or "zero" (recorded at no cost). */
  onUnpriced?: 'error' | 'zero';
}

/** Token counts of one call. `inputTokens` counts every input token, the cached ones included. */
export interface TokenUsage {
  inputTokens: number;
  cachedInputTokens?: number;
  outputTokens: number;
}

interface CompiledEntry {
  provider: string | undefined;
  matches: (model: string) => boolean;
  sinceMs: number;
  input: number;
  cached: number;
  output: number;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

function dayStart(text: string): number | null {
  const m = DAY.exec(text);
  if (m === null) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return new Date(ms).toISOString().startsWith(text) ? ms : null;
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

const PRICE = { min: 0, max: 1_000_000, integer: false };

function compileEntry(entry: unknown, path: string): CompiledEntry {
  if (entry === undefined) throw optionError(path, 'must be an object (got undefined)');
  const e = checkOptions(entry, path, {
    provider: (v, p) => checkString(v, p, 100),
    model: () => {},
    since: () => {},
    inputPerMTok: (v, p) => checkNumber(v, p, PRICE),
    cachedInputPerMTok: (v, p) => checkNumber(v, p, PRICE),
    outputPerMTok: (v, p) => checkNumber(v, p, PRICE),
  }) as Partial<PriceEntry>;
  const { model } = e;
  let matches: (name: string) => boolean;
  if (model instanceof RegExp) matches = (name) => new RegExp(model.source, model.flags.replace(/[gy]/g, '')).test(name);
  else if (typeof model === 'string' && model.length > 0 && model.length <= 200) {
    if (/[*?]/.test(model)) {
      const re = globToRegExp(model);
      matches = (name) => re.test(name);
    } else matches = (name) => name === model;
  } else throw optionError(`${path}.model`, `must be a model name, a glob such as "gpt-4o*" or a RegExp (got ${describeValue(model)})`);
  const sinceMs = typeof e.since === 'string' ? dayStart(e.since) : null;
  if (sinceMs === null) throw optionError(`${path}.since`, `must be a UTC day written YYYY-MM-DD (got ${describeValue(e.since)})`);
  for (const field of ['inputPerMTok', 'outputPerMTok'] as const) {
    if (e[field] === undefined) throw optionError(`${path}.${field}`, 'is required (USD per million tokens)');
  }
  const input = e.inputPerMTok as number;
  return { provider: e.provider, matches, sinceMs, input, cached: e.cachedInputPerMTok ?? input, output: e.outputPerMTok as number };
}

/** Per million tokens, in USD: the price that applies to one call. */
export interface Price {
  inputPerMTok: number;
  cachedInputPerMTok: number;
  outputPerMTok: number;
}

/** A validated price table: the user's entries, then (unless turned off) the defaults. */
export class PriceTable {
  private readonly entries: CompiledEntry[];
  readonly onUnpriced: 'error' | 'zero';

  constructor(options: PricingOptions | undefined = {}, where = 'Lifeline.open.pricing') {
    const o = checkOptions(options, where, {
      prices: (v, p) => checkArray(v, p),
      defaults: (v, p) => checkBoolean(v, p),
      onUnpriced: (v, p) => checkOneOf(v, p, ['error', 'zero'] as const),
    }) as PricingOptions;
    const own = (o.prices ?? []).map((entry, i) => compileEntry(entry, `${where}.prices[${i}]`));
    const defaults = o.defaults === false ? [] : DEFAULT_PRICES.map((entry, i) => compileEntry(entry, `DEFAULT_PRICES[${i}]`));
    this.entries = [...own, ...defaults];
    this.onUnpriced = o.onUnpriced ?? 'error';
  }

  /** The first entry matching provider and model that is in force at `at`; null when none is. */
  lookup(provider: string, model: string, at: number): Price | null {
    const found = this.entries.find((e) => (e.provider === undefined || e.provider === provider) && e.sinceMs <= at && e.matches(model));
    return found === undefined ? null : { inputPerMTok: found.input, cachedInputPerMTok: found.cached, outputPerMTok: found.output };
  }

  /** The price at `at`; an unpriced model throws UnpricedModelError, or costs nothing with onUnpriced "zero". */
  priceOf(provider: string, model: string, at: number): Price {
    const price = this.lookup(provider, model, at);
    if (price !== null) return price;
    if (this.onUnpriced === 'zero') return { inputPerMTok: 0, cachedInputPerMTok: 0, outputPerMTok: 0 };
    throw new UnpricedModelError(provider, model, at);
  }
}

const TOKENS = { min: 0, max: 1e12, integer: true };

/** Checks token counts (non-negative integers, cached at most input) and returns them complete. */
export function checkUsage(usage: unknown, where: string): Required<TokenUsage> {
  const u = checkOptions(usage, where, {
    inputTokens: (v, p) => checkNumber(v, p, TOKENS),
    cachedInputTokens: (v, p) => checkNumber(v, p, TOKENS),
    outputTokens: (v, p) => checkNumber(v, p, TOKENS),
  }) as Partial<TokenUsage>;
  for (const field of ['inputTokens', 'outputTokens'] as const) {
    if (u[field] === undefined) throw optionError(`${where}.${field}`, 'is required (a non-negative integer)');
  }
  const full = { inputTokens: u.inputTokens as number, cachedInputTokens: u.cachedInputTokens ?? 0, outputTokens: u.outputTokens as number };
  if (full.cachedInputTokens > full.inputTokens) {
    throw optionError(`${where}.cachedInputTokens`, `must be at most inputTokens, which counts them too (got ${full.cachedInputTokens} > ${full.inputTokens})`);
  }
  return full;
}

/**
 * The cost in micro-dollars. A price per million tokens in USD is a price per token in
 * micro-dollars, so the cost is a sum of tokens x price. `round: 'up'` for a worst case (a
 * reservation is never below what the call can cost), 'nearest' for a real cost.
 */
export function costMicros(price: Price, usage: Required<TokenUsage>, round: 'up' | 'nearest'): number {
  const uncached = usage.inputTokens - usage.cachedInputTokens;
  const exact = uncached * price.inputPerMTok + usage.cachedInputTokens * price.cachedInputPerMTok + usage.outputTokens * price.outputPerMTok;
  // Prices such as 0.075 are not exact in binary: a hair above an integer must not round up.
  return round === 'up' ? Math.ceil(exact - 1e-6) : Math.round(exact);
}
