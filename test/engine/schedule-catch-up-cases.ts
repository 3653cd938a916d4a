// Cron schedules' catch-up after a downtime (issue 12 §5), for any backend, on a ManualClock: a
// worker stores the schedule at 00:00:30 and stops; no worker runs for a while; a new worker's
// first poll fires what the catch-up policy says. Every run a schedule starts is counted by its
// tick (the run id is derived from it).
import { expect, it } from 'vitest';
import { Lifeline, type EngineEvent } from '../../src/engine/lifeline.js';
import type { Store } from '../../src/store/store.js';
import { ManualClock } from '../../src/time/clock.js';
import { defineWorkflow, unregisterWorkflow, type WorkflowDefinition } from '../../src/workflow/define.js';
import type { ScheduleOptions } from '../../src/options/schedule-options.js';

export interface ScheduleBackend {
  open(): Promise<{ db: string | Store; cleanup: () => Promise<void> }>;
}

const START = Date.parse('2026-01-01T00:00:30Z');
const MIN = 60_000;
const iso = (t: number) => new Date(t).toISOString();

/** The ticks of the runs of `workflow`, ascending (ISO), from their ids. */
export async function tickRuns(lifeline: Lifeline, workflow: string): Promise<string[]> {
  const runs = await lifeline.store.listRuns({ workflow, limit: 10_000 });
  return runs.map((r) => r.id.slice(r.id.indexOf('@') + 1)).sort();
}

/** Advances the clock by nothing until `condition` holds: the worker's store round trips are real. */
export async function until(clock: ManualClock, condition: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (await condition()) return;
    await clock.advance(0);
  }
  throw new Error(`never happened: ${what}`);
}

/**
 * Stores the schedule at START with a first worker, stops it, lets `downMs` pass with no worker,
 * starts a second one and waits until its first poll handled the ticks that came due.
 */
async function afterDowntime(backend: ScheduleBackend, name: string, schedule: ScheduleOptions, downMs: number) {
  const wf: WorkflowDefinition = defineWorkflow(name, () => 'ran', { schedules: [schedule] });
  const { db, cleanup } = await backend.open();
  const clock = new ManualClock(START);
  const lifeline = await Lifeline.open({ db, workflows: [wf], clock });
  const events: EngineEvent[] = [];
  lifeline.events.on('event', (e) => events.push(e));
  const first = lifeline.worker({ pollMs: 1000 });
  first.start();
  await until(clock, async () => (await lifeline.schedules()).length === 1, 'the schedule to be stored');
  await first.stop();
  await clock.advance(downMs); // nobody polls: every tick in this span is missed
  const second = lifeline.worker({ pollMs: 1000 });
  second.start();
  const id = `${name}:default`;
  await until(clock, async () => (await lifeline.store.listSchedules([id]))[0]!.firedThrough > START, 'the second worker to handle the due ticks');
  const runs = await tickRuns(lifeline, name);
  return {
    runs,
    events,
    clock,
    lifeline,
    id,
    close: async () => {
      const closing = lifeline.close();
      for (let i = 0; i < 3; i++) await clock.advance(10_000);
      await closing;
      await cleanup();
      unregisterWorkflow(name);
    },
  };
}

export function scheduleCatchUpCases(name: string, backend: ScheduleBackend): void {
  it(`${name}: catchUp "skip" fires none of the ticks missed in a downtime, then the next tick on time`, async () => {
    const s = await afterDowntime(backend, `sched.skip.${name}`, { cron: '*/5 * * * *', catchUp: 'skip' }, 62 * MIN); // now 01:02:30
    try {
      expect(s.runs).toEqual([]);
      const skipped = s.events.filter((e) => e.type === 'schedule.skipped');
      expect(skipped.map((e) => e.data)).toEqual([
        {
          scheduleId: s.id,
          capped: false,
          text: `schedule ${s.id} skipped missed ticks up to 2026-01-01T01:00:00.000Z: catchUp "skip" fires a tick only within grace (60000 ms) of its time`,
        },
      ]);
      // The next tick (01:05) is fired when it comes: the worker woke for it.
      await s.clock.advance(2.5 * MIN);
      await until(s.clock, async () => (await tickRuns(s.lifeline, `sched.skip.${name}`)).length > 0, 'the 01:05 tick');
      expect(await tickRuns(s.lifeline, `sched.skip.${name}`)).toEqual(['2026-01-01T01:05:00.000Z']);
      expect((await s.lifeline.schedules())[0]).toMatchObject({ lastTick: '2026-01-01T01:05:00.000Z', nextTick: '2026-01-01T01:10:00.000Z', paused: false });
    } finally {
      await s.close();
    }
  });

  it(`${name}: catchUp "one" starts a single run for all the ticks missed, at the latest`, async () => {
    const s = await afterDowntime(backend, `sched.one.${name}`, { cron: '*/5 * * * *', catchUp: 'one' }, 62 * MIN);
    try {
      expect(s.runs).toEqual(['2026-01-01T01:00:00.000Z']);
      expect(s.events.filter((e) => e.type === 'schedule.skipped')).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it(`${name}: catchUp "all" starts a run for every tick missed`, async () => {
    const s = await afterDowntime(backend, `sched.all.${name}`, { cron: '*/5 * * * *', catchUp: 'all' }, 62 * MIN);
    try {
      expect(s.runs).toEqual(Array.from({ length: 12 }, (_, i) => iso(Date.parse('2026-01-01T00:05:00Z') + i * 5 * MIN)));
    } finally {
      await s.close();
    }
  });

  it(`${name}: catchUp "all" over maxCatchUp starts the latest maxCatchUp and says the older ones are skipped`, async () => {
    const s = await afterDowntime(backend, `sched.cap.${name}`, { cron: '*/5 * * * *', catchUp: 'all', maxCatchUp: 5 }, 62 * MIN);
    try {
      expect(s.runs).toEqual(['00:40', '00:45', '00:50', '00:55', '01:00'].map((t) => `2026-01-01T${t}:00.000Z`));
      expect(s.events.filter((e) => e.type === 'schedule.skipped').map((e) => e.data)).toEqual([
        {
          scheduleId: s.id,
          capped: true,
          text: `schedule ${s.id} missed more than 5 ticks up to 2026-01-01T01:00:00.000Z: catchUp "all" starts runs for the latest maxCatchUp (5) of them and skips the older ones`,
        },
      ]);
    } finally {
      await s.close();
    }
  });

  it(`${name}: a paused schedule fires nothing; resumed, it does not fire the ticks that passed while paused`, async () => {
    const s = await afterDowntime(backend, `sched.pause.${name}`, { cron: '*/5 * * * *', catchUp: 'all' }, 5 * MIN); // fires 00:05
    try {
      expect(s.runs).toEqual(['2026-01-01T00:05:00.000Z']);
      expect(await s.lifeline.pauseSchedule(s.id)).toMatchObject({ paused: true, nextTick: null });
      await s.clock.advance(20 * MIN); // 00:25:30: ticks 00:10..00:25 pass while paused
      expect(await tickRuns(s.lifeline, `sched.pause.${name}`)).toEqual(['2026-01-01T00:05:00.000Z']);
      expect(await s.lifeline.resumeSchedule(s.id)).toMatchObject({ paused: false, nextTick: '2026-01-01T00:30:00.000Z' });
      await s.clock.advance(5 * MIN);
      await until(s.clock, async () => (await tickRuns(s.lifeline, `sched.pause.${name}`)).length === 2, 'the 00:30 tick');
      expect(await tickRuns(s.lifeline, `sched.pause.${name}`)).toEqual(['2026-01-01T00:05:00.000Z', '2026-01-01T00:30:00.000Z']);
      await expect(s.lifeline.pauseSchedule('nope:default')).rejects.toThrow(
        'No schedule with id "nope:default" in this database (ids are "<workflow>:<name>"; see `lifeline schedules`).',
      );
    } finally {
      await s.close();
    }
  });
}
