// pruneRuns(): deletes terminal runs that ended longer ago than a given age, in batches (one
// short transaction each: on SQLite other writers get the lock between batches), with everything
// recorded about them (Store.pruneRuns says what). Returns the counts.
import type { Store } from '../store/store.js';
import { addCounts, NO_PRUNE, type PruneCounts } from '../store/retention.js';
import type { Clock, TimerHandle } from '../time/clock.js';
import { resolvePruneOptions, resolveRetentionOptions, type PruneOptions, type ResolvedPrune, type RetentionOptions } from './retention-options.js';

export interface PruneResult extends PruneCounts {
  /** Transactions used (0 when nothing matched; 1 for a dry run). */
  batches: number;
  /** Runs that ended before this time (epoch ms) were considered. */
  endedBefore: number;
  dryRun: boolean;
}

/** What pruneRuns needs: a Lifeline client (or any object with its store and clock). */
export interface PruneTarget {
  readonly store: Store;
  readonly clock: Pick<Clock, 'now'>;
}

/** Deletes old terminal runs (default: completed) with their steps, attempts, events, signals, recoveries and cost rows. */
export async function pruneRuns(target: PruneTarget, options: PruneOptions): Promise<PruneResult> {
  return prune(target, resolvePruneOptions(options));
}

async function prune({ store, clock }: PruneTarget, p: ResolvedPrune): Promise<PruneResult> {
  const now = clock.now();
  const endedBefore = now - p.olderThanMs;
  const args = { endedBefore, statuses: p.statuses, now, ...(p.workflow === undefined ? {} : { workflow: p.workflow }) };
  if (p.dryRun) {
    const counts = await store.pruneRuns({ ...args, limit: Number.MAX_SAFE_INTEGER, dryRun: true });
    return { ...counts, batches: 1, endedBefore, dryRun: true };
  }
  let total: PruneCounts = NO_PRUNE;
  let batches = 0;
  for (;;) {
    const batch = await store.pruneRuns({ ...args, limit: p.batchSize });
    if (batch.runs === 0) break;
    total = addCounts(total, batch);
    batches++;
    if (batch.runs < p.batchSize) break;
  }
  return { ...total, batches, endedBefore, dryRun: false };
}

/**
 * A worker's periodic prune (WorkerOptions.retention): every `every`, one prune; its result (or
 * error) goes to `report`. Returns the stop. Several workers pruning at once is harmless: each
 * batch deletes what is still there.
 */
export function startRetention(
  target: PruneTarget & { readonly clock: Pick<Clock, 'now' | 'setTimer'> },
  options: RetentionOptions,
  report: (outcome: { result: PruneResult } | { error: unknown }) => void,
): () => void {
  const resolved = resolveRetentionOptions(options);
  let timer: TimerHandle | undefined;
  let stopped = false;
  const tick = () => {
    void prune(target, resolved)
      .then(
        (result) => report({ result }),
        (error: unknown) => report({ error }),
      )
      .finally(() => {
        if (!stopped) schedule();
      });
  };
  const schedule = () => {
    timer = target.clock.setTimer(resolved.everyMs, tick);
    timer.setRef?.(false);
  };
  schedule();
  return () => {
    stopped = true;
    timer?.cancel();
  };
}
