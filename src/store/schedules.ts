// Cron schedules as stored (issue 12 §5): one row per schedule, the definition a worker loaded and
// the firing state shared by every worker. Exactly one run per tick comes from two things the
// store does in one transaction (Store.fireSchedule): the row's `firedThrough` moves on only from
// the value the worker read (compare and set), and each tick's run is created with an id derived
// from the schedule and the tick, idempotently. Nothing here knows SQL.
import type { Json } from './types.js';

/** What happens to ticks that passed while no worker fired them (docs/time-travel.md, "Schedules"). */
export type CatchUp = 'skip' | 'one' | 'all';

/**
 * Where a schedule comes from: `code`, a workflow's `schedules` (upserted by every worker that
 * loads the workflow), or `runtime`, lifeline.schedule() / `lifeline schedules add` (stored only
 * in the database). An upsert of one source never changes a row of the other.
 */
export type ScheduleSource = 'code' | 'runtime';

/** A schedule's definition, as the workflow declares it (validated by options/schedule-options.ts). */
export interface ScheduleDefinition {
  /** `<workflow>:<name>` for a schedule in code; any id for one created at runtime. */
  id: string;
  /** Default `code`. */
  source?: ScheduleSource;
  workflow: string;
  cron: string;
  timezone: string;
  catchUp: CatchUp;
  /** The input of every run it starts (JSON text). */
  input: Json;
  /** A tick seen later than this after its time counts as missed (only `skip` uses it). */
  graceMs: number;
  /** `all`: at most this many runs for the missed ticks of one firing (the latest ones). */
  maxCatchUp: number;
}

export interface ScheduleRecord extends ScheduleDefinition {
  source: ScheduleSource;
  paused: boolean;
  /** Every tick at or before this time was handled (fired or skipped). */
  firedThrough: number;
  /** The latest tick a run was created for, and that run. */
  lastTick: number | null;
  lastRunId: string | null;
  createdAt: number;
  updatedAt: number;
}

/** One schedule as `lifeline.schedules()` and `lifeline schedules --json` show it. */
export interface ScheduleInfo {
  id: string;
  source: ScheduleSource;
  workflow: string;
  cron: string;
  timezone: string;
  catchUp: CatchUp;
  paused: boolean;
  /** The latest tick a run was started for (ISO), and that run. */
  lastTick: string | null;
  lastRunId: string | null;
  /** The next tick a worker fires (ISO); null while paused. Earlier than now: due, no worker fired it yet. */
  nextTick: string | null;
}

export interface FireScheduleArgs {
  id: string;
  /** The `firedThrough` the caller read: nothing is written when the row moved on since. */
  expectedFiredThrough: number;
  firedThrough: number;
  /** Runs to create, one per tick fired (ids from scheduleRunId); may be empty (ticks skipped). */
  runs: Array<{ id: string; tick: number }>;
  workflow: string;
  /** The version the runs are pinned to (RunRecord.version). Default null. */
  version?: number | null;
  input: Json;
  now: number;
}

export interface FireScheduleResult {
  /** False: another worker fired (or the schedule was paused) since the caller read the row. */
  fired: boolean;
  /** The runs of `runs` this call created (a run that already existed is not listed). */
  created: string[];
}

/** The run of one tick: derived from the schedule and the tick, so that a tick has one run id. */
export function scheduleRunId(scheduleId: string, tick: number): string {
  return `sched:${scheduleId}@${new Date(tick).toISOString()}`;
}

export interface ScheduleRow {
  id: string;
  workflow: string;
  cron: string;
  timezone: string;
  catch_up: string;
  input: string;
  grace_ms: number | string;
  max_catch_up: number | string;
  paused: number;
  fired_through: number | string;
  last_tick: number | string | null;
  last_run_id: string | null;
  created_at: number | string;
  updated_at: number | string;
  source: string;
}

const num = (v: number | string): number => Number(v);

export function toScheduleRecord(row: ScheduleRow): ScheduleRecord {
  return {
    id: row.id,
    source: row.source === 'runtime' ? 'runtime' : 'code',
    workflow: row.workflow,
    cron: row.cron,
    timezone: row.timezone,
    catchUp: row.catch_up as CatchUp,
    input: row.input,
    graceMs: num(row.grace_ms),
    maxCatchUp: num(row.max_catch_up),
    paused: Number(row.paused) === 1,
    firedThrough: num(row.fired_through),
    lastTick: row.last_tick === null ? null : num(row.last_tick),
    lastRunId: row.last_run_id,
    createdAt: num(row.created_at),
    updatedAt: num(row.updated_at),
  };
}

/** The definition's columns in a fixed order (both backends bind them so). */
export function definitionValues(d: ScheduleDefinition): [string, string, string, string, string, string, number, number, ScheduleSource] {
  return [d.id, d.workflow, d.cron, d.timezone, d.catchUp, d.input, d.graceMs, d.maxCatchUp, d.source ?? 'code'];
}
