// What a run is doing, read for many runs at once (issue 11 §3-4, issue 10 §3): the latest attempt
// of each run, the latest event of each asked type, and how many steps it committed. One call
// answers for a whole listing (a few queries in all, never one per run); the verdicts
// (running, retrying, stuck, ...) are computed above the store (src/observe/run-activity.ts).
import type { RunEventType } from './events.js';
import type { AttemptRecord, EventRecord } from './types.js';

export interface ListRunActivityArgs {
  runIds: readonly string[];
  /** Which event types to return the latest of, per run (none when empty). */
  eventTypes: readonly RunEventType[];
}

export interface RunActivityRecord {
  runId: string;
  /** The run's attempt with the highest id (the one started last), or null when none started. */
  latestAttempt: AttemptRecord | null;
  /** For each asked type the run has an event of, its latest (highest id); ordered by id. */
  latestEvents: EventRecord[];
  /** Step records with status completed. */
  completedSteps: number;
  /** The latest completedAt among those, or null when none. */
  lastCompletedAt: number | null;
}

/** The record of a run with nothing recorded yet (what a backend returns for it). */
export function emptyActivity(runId: string): RunActivityRecord {
  return { runId, latestAttempt: null, latestEvents: [], completedSteps: 0, lastCompletedAt: null };
}

/** Puts rows read per part together in `runIds` order, one record per distinct id. */
export function assembleActivity(
  runIds: readonly string[],
  attempts: readonly AttemptRecord[],
  events: readonly EventRecord[],
  steps: ReadonlyArray<{ runId: string; completed: number; lastCompletedAt: number | null }>,
): RunActivityRecord[] {
  const byRun = new Map<string, RunActivityRecord>();
  for (const id of runIds) if (!byRun.has(id)) byRun.set(id, emptyActivity(id));
  for (const a of attempts) {
    const r = byRun.get(a.runId);
    if (r) r.latestAttempt = a;
  }
  for (const e of [...events].sort((x, y) => x.id - y.id)) byRun.get(e.runId)?.latestEvents.push(e);
  for (const s of steps) {
    const r = byRun.get(s.runId);
    if (r) {
      r.completedSteps = s.completed;
      r.lastCompletedAt = s.lastCompletedAt;
    }
  }
  return [...byRun.values()];
}
