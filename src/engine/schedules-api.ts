// The client's view of cron schedules (issue 12 §5): list them with their last and next tick,
// pause and resume them. The firing itself is the workers' (schedule-firer.ts).
import { ScheduleNotFoundError, ScheduleSourceError } from '../errors/schedule-errors.js';
import { resolveRuntimeSchedule } from '../options/schedule-options.js';
import type { ScheduleInfo, ScheduleRecord } from '../store/schedules.js';
import type { Store } from '../store/store.js';
import { CronTicks } from '../workflow/cron.js';

export function toScheduleInfo(row: ScheduleRecord): ScheduleInfo {
  let nextTick: string | null = null;
  if (!row.paused) {
    try {
      nextTick = new Date(new CronTicks(row.cron, row.timezone).next(row.firedThrough)).toISOString();
    } catch {
      nextTick = null; // a row written by a Lifeline whose cron syntax this one does not read
    }
  }
  return {
    id: row.id,
    source: row.source,
    workflow: row.workflow,
    cron: row.cron,
    timezone: row.timezone,
    catchUp: row.catchUp,
    paused: row.paused,
    lastTick: row.lastTick === null ? null : new Date(row.lastTick).toISOString(),
    lastRunId: row.lastRunId,
    nextTick,
  };
}

export async function listScheduleInfos(store: Store): Promise<ScheduleInfo[]> {
  return (await store.listSchedules()).map(toScheduleInfo);
}

/** Pauses or resumes; a resumed schedule does not fire the ticks that passed while it was paused. */
export async function setSchedulePaused(store: Store, id: string, paused: boolean, now: number): Promise<ScheduleInfo> {
  const row = await store.setSchedulePaused({ id, paused, now });
  if (row === null) throw new ScheduleNotFoundError(id);
  return toScheduleInfo(row);
}

/**
 * Creates (or redefines) a schedule stored only in the database (source `runtime`): every worker
 * that has its workflow loaded fires it, from its next tick. A redefinition keeps the firing
 * state as a worker's upsert of a code schedule does. An id taken by a schedule in code is refused.
 */
export async function createSchedule(store: Store, options: unknown, now: number): Promise<ScheduleInfo> {
  const definition = resolveRuntimeSchedule(options);
  const [row] = await store.upsertSchedules({ schedules: [definition], now });
  if (row === undefined) throw new ScheduleNotFoundError(definition.id);
  if (row.source !== 'runtime') throw new ScheduleSourceError(definition.id, 'schedule');
  return toScheduleInfo(row);
}

/** Deletes a schedule created at runtime; returns it as it was. One in code is refused (pause it, or remove it from the workflow). */
export async function deleteSchedule(store: Store, id: string): Promise<ScheduleInfo> {
  const row = await store.deleteSchedule({ id, source: 'runtime' });
  if (row !== null) return toScheduleInfo(row);
  const [other] = await store.listSchedules([id]);
  if (other === undefined) throw new ScheduleNotFoundError(id);
  throw new ScheduleSourceError(id, 'unschedule');
}
