// Progress and ETA of a run (issue 11 §3) from earlier completed runs of its workflow, without
// any progress call in the workflow. How (docs/observability.md, "Progress and watch"):
//
// - History: the last `historyRuns` (default 20) completed runs of the workflow, newest created
//   first. For each: its completed steps' completion times, sorted, and its start (createdAt)
//   and end (updatedAt, written when it completed).
// - A run that has `done` completed steps is compared only with the history runs that completed at
//   least `done` steps: a workflow whose runs vary (loops, branches) is judged by the runs that got
//   as far as this one did.
// - Expected steps: the median (p50) of those runs' step counts; percent = done / expected, at
//   most 99 while the run is not completed.
// - ETA: for each of those runs, the time it still took after its done-th step completed (after
//   its start when done = 0), minus the time this run has spent since its own done-th step (or
//   its start), at least 0. The range is their p50 to p90.
// - Percentiles are nearest-rank (the value at rank ceil(p/100 * n) of the sorted values), never
//   the mean: one slow run or one long loop moves the mean, not the median, and the figure is
//   always one that a real run had.
import type { RunRecord, StepRecord } from '../store/types.js';
import type { RunFilter } from '../store/store.js';
import { shortDuration } from './format.js';

/** One completed run of the history. */
export interface HistoryRun {
  startedAt: number;
  endedAt: number;
  /** Completion times of its completed steps, ascending: doneAt[k - 1] is when k steps were done. */
  doneAt: number[];
}

export interface RunProgress {
  /** Completed steps of this run. */
  done: number;
  /** Expected steps in all, or null without comparable history. */
  expected: number | null;
  percent: number | null;
  /** Time still to go, p50 and p90 (ms), or null without comparable history (or when the run ended). */
  eta: { p50Ms: number; p90Ms: number } | null;
  /** How many earlier completed runs the figures come from. */
  basis: number;
  /** "3/8 steps · 37% · ETA 12–18m", "2 steps · calculating…". */
  text: string;
}

/** Nearest-rank percentile of ascending `sorted` (non-empty): the value at rank ceil(p/100 * n). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new RangeError('percentile of no values');
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] as number;
}

const ascending = (values: number[]) => values.sort((a, b) => a - b);
const stepCount = (n: number) => `${n} step${n === 1 ? '' : 's'}`;

/** A history run from a completed run's record and its steps. */
export function historyRun(run: Pick<RunRecord, 'createdAt' | 'updatedAt'>, steps: readonly Pick<StepRecord, 'status' | 'completedAt'>[]): HistoryRun {
  const doneAt = ascending(steps.filter((s) => s.status === 'completed' && s.completedAt !== null).map((s) => s.completedAt as number));
  return { startedAt: run.createdAt, endedAt: run.updatedAt, doneAt };
}

/**
 * Progress of `run` at `now`: `done` completed steps, the latest completed at `lastCompletedAt`
 * (Store.listRunActivity gives both), against `history` (completed runs of its workflow).
 */
export function estimateProgress(
  run: Pick<RunRecord, 'status' | 'createdAt'>,
  steps: { completedSteps: number; lastCompletedAt: number | null },
  history: readonly HistoryRun[],
  now: number,
): RunProgress {
  const done = steps.completedSteps;
  const basis = history.length;
  if (run.status === 'completed') return { done, expected: done, percent: 100, eta: null, basis, text: `${done}/${done} steps · 100%` };
  if (run.status === 'failed' || run.status === 'cancelled')
    return { done, expected: null, percent: null, eta: null, basis, text: `${stepCount(done)} · ${run.status}` };
  if (basis === 0) return { done, expected: null, percent: null, eta: null, basis, text: `${stepCount(done)} · calculating…` };
  const comparable = history.filter((h) => h.doneAt.length >= done);
  if (comparable.length === 0) {
    return { done, expected: null, percent: null, eta: null, basis, text: `${stepCount(done)} · more than any of the last ${basis} runs · ETA unknown` };
  }
  const expected = percentile(ascending(comparable.map((h) => h.doneAt.length)), 50);
  const percent = expected === 0 ? 0 : Math.min(99, Math.floor((100 * done) / expected));
  const spent = now - (done > 0 && steps.lastCompletedAt !== null ? steps.lastCompletedAt : run.createdAt);
  const remaining = ascending(comparable.map((h) => Math.max(0, h.endedAt - (done > 0 ? (h.doneAt[done - 1] as number) : h.startedAt) - spent)));
  const eta = { p50Ms: percentile(remaining, 50), p90Ms: percentile(remaining, 90) };
  return { done, expected, percent, eta, basis, text: `${done}/${Math.max(done, expected)} steps · ${percent}% · ETA ${etaRange(eta)}` };
}

/** "12–18m", "40s–2m", "~5m"; "overdue" when even the p90 is past. */
export function etaRange(eta: { p50Ms: number; p90Ms: number }): string {
  if (eta.p90Ms <= 0) return 'overdue';
  const unit = eta.p90Ms < 90_000 ? { ms: 1000, s: 's' } : eta.p90Ms < 90 * 60_000 ? { ms: 60_000, s: 'm' } : { ms: 3_600_000, s: 'h' };
  const lo = Math.floor(eta.p50Ms / unit.ms);
  const hi = Math.ceil(eta.p90Ms / unit.ms);
  if (lo === hi) return `~${hi}${unit.s}`;
  if (lo === 0 && eta.p50Ms > 0 && unit.s !== 's') return `${shortDuration(eta.p50Ms)}–${hi}${unit.s}`;
  return `${lo}–${hi}${unit.s}`;
}

/** What the history cache reads: a Store satisfies it. */
export interface HistorySource {
  listRuns(filter?: RunFilter): Promise<RunRecord[]>;
  getSteps(runId: string): Promise<StepRecord[]>;
}

export interface ProgressHistoryOptions {
  /** Completed runs per workflow the estimates come from. Default 20. */
  historyRuns?: number;
  /** How long a workflow's history is reused before it is read again. Default 30 s. */
  ttlMs?: number;
}

/**
 * Histories per workflow, cached in this process: read at most once per `ttlMs` per workflow
 * (one listRuns and `historyRuns` getSteps), however many runs are estimated against it.
 */
export class ProgressHistory {
  private readonly cache = new Map<string, { at: number; runs: Promise<HistoryRun[]> }>();
  private readonly historyRuns: number;
  private readonly ttlMs: number;

  constructor(
    private readonly source: HistorySource,
    options: ProgressHistoryOptions = {},
  ) {
    this.historyRuns = options.historyRuns ?? 20;
    this.ttlMs = options.ttlMs ?? 30_000;
  }

  /** The history of `workflow` as of `now` (cached: see the class). */
  history(workflow: string, now: number): Promise<HistoryRun[]> {
    const hit = this.cache.get(workflow);
    if (hit && now - hit.at <= this.ttlMs && now >= hit.at) return hit.runs;
    const runs = this.load(workflow);
    this.cache.set(workflow, { at: now, runs });
    runs.catch(() => this.cache.delete(workflow)); // a failed read is not cached
    return runs;
  }

  private async load(workflow: string): Promise<HistoryRun[]> {
    const runs = await this.source.listRuns({ status: 'completed', workflow, limit: this.historyRuns });
    return Promise.all(runs.map(async (r) => historyRun(r, await this.source.getSteps(r.id))));
  }
}

const perSource = new WeakMap<object, ProgressHistory>();

/** The process's history cache for a store (one per store object, default options). */
export function progressHistoryOf(source: HistorySource): ProgressHistory {
  let h = perSource.get(source);
  if (!h) perSource.set(source, (h = new ProgressHistory(source)));
  return h;
}
