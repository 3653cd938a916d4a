// The typed insight API (issue 10 §8): `insight(lifeline).patterns({ since, workflow })` and
// `.health(...)`, over any Store (a Lifeline, or `{ store, clock }`), on both backends.
import { checkKnownKeys, checkNumber, checkObject } from '../options/option-check.js';
import type { Store } from '../store/store.js';
import { computeHealth, healthThresholds, type HealthOptions } from './health.js';
import { findPatterns } from './patterns.js';
import type { HealthRow, Pattern } from './types.js';
import { insightWindow, type InsightWindowOptions } from './window.js';

/** What insight reads: a store, and the clock that says what "now" is (default: the system's). */
export interface InsightSource {
  store: Store;
  clock?: { now(): number };
}

export interface PatternsOptions extends InsightWindowOptions {
  /** At most this many patterns, most frequent first. Default: all. */
  limit?: number;
}

export type HealthQueryOptions = InsightWindowOptions & HealthOptions;

export interface Insight {
  /** Failure patterns of the window, most frequent first. */
  patterns(options?: PatternsOptions): Promise<Pattern[]>;
  /** Health of every workflow, step, worker and model in the window. */
  health(options?: HealthQueryOptions): Promise<HealthRow[]>;
}

export function insight(source: InsightSource): Insight {
  const now = () => source.clock?.now() ?? Date.now();
  return {
    async patterns(options = {}) {
      const o = checkObject(options, 'patterns');
      checkKnownKeys(o, 'patterns', ['since', 'workflow', 'limit']);
      const limit = options.limit === undefined ? undefined : checkNumber(options.limit, 'patterns.limit', { min: 1, max: 10_000, integer: true });
      const found = await findPatterns(source.store, insightWindow(options, now()));
      return limit === undefined ? found : found.slice(0, limit);
    },
    async health(options = {}) {
      const thresholds = healthThresholds(options);
      const at = now();
      return computeHealth(source.store, insightWindow(options, at), thresholds, at);
    },
  };
}
