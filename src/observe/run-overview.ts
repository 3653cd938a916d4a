// Runs with what they are doing and how far they got: the API behind `lifeline runs --state`,
// `show`, `watch` and the dashboard. A listing reads the runs, one Store.listRunActivity call per
// 500 runs and each workflow's history once (cached): never one query per run.
import type { RunFilter, Store } from '../store/store.js';
import type { RunRecord, RunStatus } from '../store/types.js';
import { TERMINAL_STATUSES } from '../store/types.js';
import type { Clock } from '../time/clock.js';
import { optionError } from '../options/option-check.js';
import { resolveActivityOptions, type ActivityOptions } from '../options/activity-options.js';
import { ACTIVITY_EVENT_TYPES, ACTIVITY_STATES, classifyRun, liveVersionsOf, statusesFor, type ActivityState, type RunActivity } from './run-activity.js';
import { LIVE_WORKER_MS } from '../store/versions.js';
import { estimateProgress, progressHistoryOf, type ProgressHistory, type RunProgress } from './progress.js';

export interface RunOverview {
  run: RunRecord;
  activity: RunActivity;
  progress: RunProgress;
}

/** A Store, or anything holding one and a clock (a Lifeline). */
export type OverviewSource = Store | { store: Store; clock: Clock };

export interface RunOverviewOptions {
  /** Thresholds of the stuck verdicts (see ActivityOptions). */
  activity?: ActivityOptions;
  /** The time to judge at. Default: the source's clock (a Store alone: Date.now()). */
  now?: number;
  /** The history cache to use. Default: the process's cache for the store. */
  history?: ProgressHistory;
}

export interface ListRunOverviewsOptions extends RunOverviewOptions {
  /** Only runs in these activity states. */
  states?: readonly ActivityState[];
  status?: RunStatus | RunStatus[];
  workflow?: string;
  /** At most this many runs, newest first. Default 50. */
  limit?: number;
  /** With `states`: at most this many live runs (newest first) are read and judged. Default 10,000. */
  scanLimit?: number;
}

const CHUNK = 500;

function parts(source: OverviewSource, now: number | undefined): { store: Store; now: number } {
  if ('clock' in source && 'store' in source) return { store: source.store, now: now ?? source.clock.now() };
  return { store: source, now: now ?? Date.now() };
}

/** Checks state names (from a user): an unknown one is refused naming the known ones. */
export function checkStates(states: readonly string[], where = 'states'): ActivityState[] {
  for (const s of states) {
    if (!(ACTIVITY_STATES as readonly string[]).includes(s)) throw optionError(where, `unknown state "${s}" (known: ${ACTIVITY_STATES.join(', ')})`);
  }
  return states as ActivityState[];
}

/** Activity and progress of `runs` (any statuses), in their order. */
export async function describeRuns(store: Store, runs: readonly RunRecord[], options: RunOverviewOptions & { now: number }): Promise<RunOverview[]> {
  const thresholds = resolveActivityOptions(options.activity, 'activity');
  const history = options.history ?? progressHistoryOf(store);
  // Ended runs need no history: only the workflows of live runs are read.
  const workflows = [...new Set(runs.filter((r) => !TERMINAL_STATUSES.includes(r.status)).map((r) => r.workflow))];
  const histories = new Map(await Promise.all(workflows.map(async (w) => [w, await history.history(w, options.now)] as const)));
  // Which versions live workers loaded: a run pinned to another one says what it waits for. One read per listing.
  const live = liveVersionsOf(workflows.length === 0 ? [] : await store.listWorkers({ seenSince: options.now - LIVE_WORKER_MS }));
  const out: RunOverview[] = [];
  for (let i = 0; i < runs.length; i += CHUNK) {
    const chunk = runs.slice(i, i + CHUNK);
    const records = await store.listRunActivity({ runIds: chunk.map((r) => r.id), eventTypes: ACTIVITY_EVENT_TYPES });
    const byId = new Map(records.map((r) => [r.runId, r]));
    for (const run of chunk) {
      const activity = byId.get(run.id) ?? { runId: run.id, latestAttempt: null, latestEvents: [], completedSteps: 0, lastCompletedAt: null };
      out.push({
        run,
        activity: classifyRun(run, activity, options.now, thresholds, live),
        progress: estimateProgress(run, activity, histories.get(run.workflow) ?? [], options.now),
      });
    }
  }
  return out;
}

/** One run with its activity and progress, or null when unknown. */
export async function runOverview(source: OverviewSource, runId: string, options: RunOverviewOptions = {}): Promise<RunOverview | null> {
  const { store, now } = parts(source, options.now);
  const run = await store.getRun(runId);
  if (run === null) return null;
  const [one] = await describeRuns(store, [run], { ...options, now });
  return one ?? null;
}

/**
 * Runs newest first with their activity and progress; with `states`, only runs in those states
 * (e.g. `['retrying', 'stuck']`, which a status filter cannot express: both are "running" runs).
 */
export async function listRunOverviews(source: OverviewSource, options: ListRunOverviewsOptions = {}): Promise<RunOverview[]> {
  const { store, now } = parts(source, options.now);
  const limit = options.limit ?? 50;
  const filter: RunFilter = options.workflow === undefined ? {} : { workflow: options.workflow };
  if (options.status !== undefined) filter.status = options.status;
  const states = options.states === undefined ? undefined : checkStates(options.states);
  if (states === undefined) return describeRuns(store, await store.listRuns({ ...filter, limit }), { ...options, now });
  // A state is judged, not stored: read the candidate statuses (the live ones in full, as they
  // can change state; the ended ones up to `limit`), judge them, keep the asked states.
  let candidates = [...new Set(states.flatMap(statusesFor))];
  if (filter.status !== undefined) {
    const asked = Array.isArray(filter.status) ? filter.status : [filter.status];
    candidates = candidates.filter((s) => asked.includes(s));
  }
  const live = candidates.filter((s) => !TERMINAL_STATUSES.includes(s));
  const ended = candidates.filter((s) => TERMINAL_STATUSES.includes(s));
  const runs = [
    ...(live.length ? await store.listRuns({ ...filter, status: live, limit: options.scanLimit ?? 10_000 }) : []),
    ...(ended.length ? await store.listRuns({ ...filter, status: ended, limit }) : []),
  ].sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));
  const judged = await describeRuns(store, runs, { ...options, now });
  return judged.filter((o) => states.includes(o.activity.state)).slice(0, limit);
}
