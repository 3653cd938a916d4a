// Lifeline.open({ limits }) and the step options `limits` / `estimatedTokens`: checked up front,
// and a step's keys resolved to their configuration (an exact key before the most specific
// pattern: 'customer-42' before 'customer-*' before '*').
import { InvalidOptionsError } from '../errors/options-error.js';
import type { LimitSpec } from '../store/limits.js';
import { checkArray, checkNumber, checkObject, checkOptions, describeValue, type FieldCheck } from './option-check.js';

export interface LimitOptions {
  /** At most this many calls of the key at once over every worker and host. */
  concurrency?: number;
  /** Calls per minute (a token bucket: up to this many at once, then refilled evenly). */
  callsPerMinute?: number;
  /** Tokens per minute; each call reserves its step's `estimatedTokens`, reconciled with the usage it reports. */
  tokensPerMinute?: number;
  /** Retries of steps using the key, at most `ratio` per success plus `minRetriesPerMinute`; a spent budget makes the failure final. */
  retryBudget?: RetryBudgetOptions;
  /** A concurrency slot is a lease: renewed while the call runs, freed this long after its worker died. Default 30000. */
  slotLeaseMs?: number;
  /** A step waiting for a concurrency slot asks again after at most this long. Default 1000. */
  slotRetryMs?: number;
}

export interface RetryBudgetOptions {
  /** Retries allowed per success in the same minute. */
  ratio: number;
  /** Retries allowed per minute whatever the successes. Default 10. */
  minRetriesPerMinute?: number;
  /** No retry once the Retry-After waits asked for in the minute add up to more than this. */
  maxRetryWaitMsPerMinute?: number;
}

/** Limits per key or key pattern (`*` matches any characters): `{ openai: {...}, 'customer-*': {...} }`. */
export type LimitsConfig = Readonly<Record<string, LimitOptions>>;

/** One key's limits, ready for the store, with the gate's own timings. */
export interface ResolvedLimit {
  spec: LimitSpec;
  slotLeaseMs: number;
  slotRetryMs: number;
}

export const MINUTE_MS = 60_000;
const MAX_KEY = 200;

const int =
  (min: number, max: number): FieldCheck =>
  (value, path) => {
    checkNumber(value, path, { min, max, integer: true });
  };

const RETRY_BUDGET_FIELDS: Record<keyof RetryBudgetOptions, FieldCheck> = {
  ratio: (value, path) => {
    checkNumber(value, path, { min: 0, max: 1000, integer: false });
  },
  minRetriesPerMinute: int(0, 1_000_000_000),
  maxRetryWaitMsPerMinute: int(0, 86_400_000),
};

const LIMIT_FIELDS: Record<keyof LimitOptions, FieldCheck> = {
  concurrency: int(1, 100_000),
  callsPerMinute: int(1, 1_000_000_000),
  tokensPerMinute: int(1, 1_000_000_000_000),
  retryBudget: (value, path) => {
    const o = checkOptions(value, path, RETRY_BUDGET_FIELDS);
    if (o.ratio === undefined) throw new InvalidOptionsError(`Invalid option ${path}.ratio: required (a number from 0 to 1000)`);
  },
  slotLeaseMs: int(100, 86_400_000),
  slotRetryMs: int(1, 3_600_000),
};

function checkKey(key: unknown, path: string): void {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY || key.includes('\0')) {
    throw new InvalidOptionsError(
      `Invalid option ${path}: limit keys must be non-empty strings of at most ${MAX_KEY} characters without NUL (got ${describeValue(key)})`,
    );
  }
}

/** Lifeline.open's `limits`. */
export const checkLimitsConfig: FieldCheck = (value, path) => {
  const config = checkObject(value, path);
  for (const [key, limit] of Object.entries(config)) {
    checkKey(key, path);
    const where = `${path}[${JSON.stringify(key)}]`;
    const o = checkOptions(limit, where, LIMIT_FIELDS);
    if (o.concurrency === undefined && o.callsPerMinute === undefined && o.tokensPerMinute === undefined && o.retryBudget === undefined) {
      throw new InvalidOptionsError(`Invalid option ${where}: sets no limit (set concurrency, callsPerMinute, tokensPerMinute or retryBudget)`);
    }
  }
};

/** ctx.step's `limits`: the keys the call counts against. */
export const checkStepLimits: FieldCheck = (value, path) => {
  const keys = checkArray(value, path);
  if (keys.length > 16) throw new InvalidOptionsError(`Invalid option ${path}: at most 16 keys (got ${keys.length})`);
  keys.forEach((key, i) => checkKey(key, `${path}[${i}]`));
};

export const checkEstimatedTokens: FieldCheck = int(0, 1_000_000_000_000);

/** Checks a usage a step body reports (StepInfo.reportUsage). */
export function checkUsage(usage: unknown): number {
  const o = checkOptions(usage, 'reportUsage', { tokens: int(0, 1_000_000_000_000) });
  if (o.tokens === undefined) throw new InvalidOptionsError('Invalid option reportUsage.tokens: required (an integer from 0 to 1000000000000)');
  return o.tokens as number;
}

function patternMatches(pattern: string, key: string): boolean {
  const parts = pattern.split('*');
  if (parts.length === 1) return pattern === key;
  const source = parts.map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${source}$`, 's').test(key);
}

/** The configuration a key uses: its own entry, else the matching pattern with the most fixed characters. */
export function resolveLimit(config: LimitsConfig, key: string, stepName: string): ResolvedLimit {
  let found: LimitOptions | undefined = Object.hasOwn(config, key) ? config[key] : undefined;
  if (found === undefined) {
    const patterns = Object.keys(config).filter((p) => p.includes('*') && patternMatches(p, key));
    patterns.sort((a, b) => b.replaceAll('*', '').length - a.replaceAll('*', '').length || a.localeCompare(b));
    found = patterns[0] === undefined ? undefined : config[patterns[0]];
  }
  if (found === undefined) {
    const known = Object.keys(config);
    throw new InvalidOptionsError(
      `Invalid option step "${stepName}".limits: no limit configured for key "${key}" (Lifeline.open limits: ${known.length === 0 ? 'none' : known.join(', ')})`,
    );
  }
  const budget = found.retryBudget;
  return {
    spec: {
      key,
      intervalMs: MINUTE_MS,
      ...(found.concurrency === undefined ? {} : { concurrency: found.concurrency }),
      ...(found.callsPerMinute === undefined ? {} : { calls: found.callsPerMinute }),
      ...(found.tokensPerMinute === undefined ? {} : { tokens: found.tokensPerMinute }),
      ...(budget === undefined
        ? {}
        : {
            retryBudget: {
              ratio: budget.ratio,
              minRetries: budget.minRetriesPerMinute ?? 10,
              ...(budget.maxRetryWaitMsPerMinute === undefined ? {} : { maxRetryWaitMs: budget.maxRetryWaitMsPerMinute }),
            },
          }),
    },
    slotLeaseMs: found.slotLeaseMs ?? 30_000,
    slotRetryMs: found.slotRetryMs ?? 1000,
  };
}
