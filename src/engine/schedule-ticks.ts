// Which ticks of a schedule fire now (issue 12 §5), decided from its stored row alone, so every
// worker that reads the same row decides the same: the ticks due are those in
// (firedThrough, now]; the latest due tick becomes the new firedThrough whatever fires.
//   skip: only the latest due tick, and only if it is on time (now - tick <= grace); every
//         earlier (missed) tick is skipped. After a downtime nothing fires until the next tick.
//   one:  a single run for every due tick, at the latest one.
//   all:  a run for every due tick, at most maxCatchUp of them (the latest); the older ones are
//         skipped and said so.
import type { ScheduleRecord } from '../store/schedules.js';
import type { CronTicks } from '../workflow/cron.js';

export interface TickPlan {
  /** The new firedThrough: the latest due tick. */
  firedThrough: number;
  /** The ticks that get a run, ascending. */
  fire: number[];
  /** Due ticks that get no run (a lower bound when `capped`). */
  skipped: number;
  /** `all` found more than maxCatchUp due ticks: the older ones were not even counted. */
  capped: boolean;
}

export function planTicks(row: ScheduleRecord, cron: CronTicks, now: number): TickPlan | null {
  if (row.paused) return null;
  const limit = row.catchUp === 'all' ? row.maxCatchUp : 1;
  const { ticks, more } = cron.latestIn(row.firedThrough, now, limit);
  const latest = ticks[ticks.length - 1];
  if (latest === undefined) return null;
  const missedBefore = more ? 1 : 0; // at least one more due tick before those listed
  switch (row.catchUp) {
    case 'all':
      return { firedThrough: latest, fire: ticks, skipped: missedBefore, capped: more };
    case 'one':
      return { firedThrough: latest, fire: [latest], skipped: missedBefore, capped: false };
    case 'skip': {
      const onTime = now - latest <= row.graceMs;
      return { firedThrough: latest, fire: onTime ? [latest] : [], skipped: missedBefore + (onTime ? 0 : 1), capped: false };
    }
  }
}
