// Gathers what recommendations rank by from the store (fixes, recovery decisions, fallback hops
// of the window's runs) and recommends for the given patterns (src/insight/patterns.ts) and
// health rows (health.ts).
import type { Store } from '../store/store.js';
import type { AttemptRecord } from '../store/types.js';
import { defaultFixAction, recommend, type Recommendation } from './recommend.js';
import { evidenceFromFallbacks, evidenceFromFixes, evidenceFromRecoveries } from './track-record.js';
import type { HealthRow, Pattern } from './types.js';
import { insightWindow, type InsightWindowOptions } from './window.js';

export interface RecommendationOptions extends InsightWindowOptions {
  patterns: readonly Pattern[];
  health?: readonly HealthRow[];
  /** Steps (`workflow/step`) that ran without a timeout (coverage). */
  stepsWithoutTimeout?: readonly string[];
}

/** A recommendation per pattern, ranked by every fix, recovery decision and fallback hop on record. */
export async function recommendations(lifeline: { store: Store; clock: { now(): number } }, options: RecommendationOptions): Promise<Recommendation[]> {
  const window = insightWindow(
    { ...(options.since !== undefined ? { since: options.since } : {}), ...(options.workflow !== undefined ? { workflow: options.workflow } : {}) },
    lifeline.clock.now(),
  );
  const store = lifeline.store;
  const fixes = await store.listFixes();
  const recoveries = await store.listRecoveries({ limit: 1_000_000 });
  const attempts: AttemptRecord[] = [];
  for (const run of await store.listRunTimes({ since: window.since })) {
    for (const a of await store.listAttempts(run.id)) if (a.alternative !== null) attempts.push(a);
  }
  const evidence = [...evidenceFromFixes(fixes, defaultFixAction), ...evidenceFromRecoveries(recoveries), ...evidenceFromFallbacks(attempts)];
  const patterns = window.workflow === undefined ? options.patterns : options.patterns.filter((p) => p.workflows.includes(window.workflow!));
  return recommend({
    patterns,
    fixes,
    evidence,
    ...(options.health !== undefined ? { health: options.health } : {}),
    ...(options.stepsWithoutTimeout !== undefined ? { stepsWithoutTimeout: options.stepsWithoutTimeout } : {}),
  });
}
