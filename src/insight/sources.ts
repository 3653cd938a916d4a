// Where `lifeline insight recommend` gets its failure patterns and health rows. The analytics that
// compute them (src/insight/patterns.ts, health.ts) come from another branch of issue 10; until
// they are wired in here, no patterns are found and the command says so.
import type { Lifeline } from '../engine/lifeline.js';
import type { HealthRow, InsightWindow, Pattern } from './types.js';

export interface InsightSources {
  patterns(lifeline: Lifeline, window: InsightWindow): Promise<Pattern[]>;
  health(lifeline: Lifeline, window: InsightWindow): Promise<HealthRow[]>;
}

export const insightSources: InsightSources = {
  patterns: () => Promise.resolve([]),
  health: () => Promise.resolve([]),
};
