// The client's view of cron schedules (issue 12 §5): list them with their last and next tick,
// pause and resume them. The firing itself is the workers' (schedule-firer.ts).
import { ScheduleNotFoundError } from '../errors/schedule-errors.js';
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
