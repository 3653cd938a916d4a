// Where `lifeline insight recommend` gets what it recommends for: the window's failure patterns
// (patterns.ts), health rows (health.ts, default thresholds) and the steps that ran without a
// timeout (coverage.ts).
import type { Store } from '../store/store.js';
import { coverage } from './coverage.js';
import { computeHealth, healthThresholds } from './health.js';
import { findPatterns } from './patterns.js';
import type { HealthRow, InsightWindow, Pattern } from './types.js';

export interface InsightSources {
  patterns(store: Store, window: InsightWindow): Promise<Pattern[]>;
  health(store: Store, window: InsightWindow, now: number): Promise<HealthRow[]>;
  /** `workflow/step` of the steps that ran without a timeout in the window. */
  stepsWithoutTimeout(store: Store, window: InsightWindow): Promise<string[]>;
}

export const insightSources: InsightSources = {
  patterns: (store, window) => findPatterns(store, window),
  health: (store, window, now) => computeHealth(store, window, healthThresholds({}), now),
  stepsWithoutTimeout: async (store, window) => (await coverage(store, window)).withoutTimeout.map((s) => `${s.workflow}/${s.step}`),
};
