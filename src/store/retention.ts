// Retention (issue 12 §7): deleting old terminal runs with everything recorded about them.

/** The terminal statuses a prune may delete. */
export type PrunableStatus = 'completed' | 'failed' | 'cancelled';

export interface PruneRunsArgs {
  /** Runs whose last change (updated_at: when they ended) is before this time (epoch ms). */
  endedBefore: number;
  statuses: readonly PrunableStatus[];
  workflow?: string;
  /** At most this many runs, oldest first, in one transaction (one batch). */
  limit: number;
  /** Count what would be deleted; delete nothing. */
  dryRun?: boolean;
  /** Cache entries a pruned run computed are deleted only when expired at this time. */
  now: number;
}

/** What a prune deleted (or, dry, would delete), by table. */
export interface PruneCounts {
  runs: number;
  steps: number;
  attempts: number;
  events: number;
  signals: number;
  recoveries: number;
  /** Cost ledger rows: deleted with their run (docs/time-travel.md, "Retention"). */
  costs: number;
  /** Expired step cache entries the pruned runs had computed. */
  cacheEntries: number;
  /** Step results earlier generations kept (set aside by rewinds, Store.rewindRun). */
  setAsideSteps: number;
}

export const NO_PRUNE: PruneCounts = Object.freeze({
  runs: 0,
  steps: 0,
  attempts: 0,
  events: 0,
  signals: 0,
  recoveries: 0,
  costs: 0,
  cacheEntries: 0,
  setAsideSteps: 0,
});

export function addCounts(a: PruneCounts, b: PruneCounts): PruneCounts {
  const sum = { ...a };
  for (const k of Object.keys(sum) as Array<keyof PruneCounts>) sum[k] += b[k];
  return sum;
}

/**
 * The tables a prune deletes from, child tables first, with the column naming the run. The
 * cost_budgets row of a run's cap ('run:<id>') goes too, uncounted (it holds no money, only a lock).
 */
export const PRUNED_TABLES: ReadonlyArray<readonly [Exclude<keyof PruneCounts, 'runs' | 'cacheEntries'>, string]> = [
  ['steps', 'step_results'],
  ['setAsideSteps', 'step_generations'],
  ['attempts', 'attempts'],
  ['events', 'events'],
  ['signals', 'signals'],
  ['recoveries', 'recoveries'],
  ['costs', 'cost_ledger'],
];
