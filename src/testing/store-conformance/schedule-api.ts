// Schedules created at runtime (issue 12 §5, lifeline.schedule): upsertSchedules never changes a
// row of another source (a worker's start-up upsert of its code schedules leaves runtime ones as
// they are, and the other way round); deleteSchedule deletes only a row of the given source.
import { describe, expect, it } from 'vitest';
import type { ScheduleDefinition } from '../../store/schedules.js';
import { T0, WF, type GetStore } from './helpers.js';

const MIN = 60_000;

function definition(over: Partial<ScheduleDefinition> = {}): ScheduleDefinition {
  return {
    id: 'adhoc',
    workflow: WF,
    cron: '*/5 * * * *',
    timezone: 'UTC',
    catchUp: 'one',
    input: '{"n":1}',
    graceMs: MIN,
    maxCatchUp: 100,
    source: 'runtime',
    ...over,
  };
}

export function scheduleApiConformance(getStore: GetStore): void {
  describe('schedules created at runtime', () => {
    it('an upsert leaves a row of the other source as it is and returns it so', async () => {
      const store = getStore();
      const [runtime] = await store.upsertSchedules({ schedules: [definition()], now: T0 });
      expect(runtime).toMatchObject({ id: 'adhoc', source: 'runtime', firedThrough: T0, input: '{"n":1}' });
      // A worker's start-up upsert of a code schedule that happens to have this id.
      const [kept] = await store.upsertSchedules({ schedules: [definition({ source: 'code', cron: '* * * * *', input: '2' })], now: T0 + MIN });
      expect(kept).toEqual(runtime);
      const [code] = await store.upsertSchedules({ schedules: [definition({ id: `${WF}:default`, source: undefined })], now: T0 });
      expect(code).toMatchObject({ source: 'code' });
      const [untouched] = await store.upsertSchedules({ schedules: [definition({ id: `${WF}:default`, cron: '0 * * * *' })], now: T0 + MIN });
      expect(untouched).toEqual(code);
      // The same source redefines it (a new cron starts afresh at now).
      const [redefined] = await store.upsertSchedules({ schedules: [definition({ cron: '0 * * * *' })], now: T0 + 2 * MIN });
      expect(redefined).toMatchObject({ source: 'runtime', cron: '0 * * * *', firedThrough: T0 + 2 * MIN, createdAt: T0 });
      expect((await store.listSchedules()).map((s) => [s.id, s.source])).toEqual([
        ['adhoc', 'runtime'],
        [`${WF}:default`, 'code'],
      ]);
    });

    it('deleteSchedule deletes a row of the given source only, and returns it', async () => {
      const store = getStore();
      const [runtime] = await store.upsertSchedules({ schedules: [definition()], now: T0 });
      await store.upsertSchedules({ schedules: [definition({ id: `${WF}:default`, source: 'code' })], now: T0 });
      expect(await store.deleteSchedule({ id: `${WF}:default`, source: 'runtime' })).toBeNull();
      expect(await store.deleteSchedule({ id: 'nope', source: 'runtime' })).toBeNull();
      expect(await store.deleteSchedule({ id: 'adhoc', source: 'runtime' })).toEqual(runtime);
      expect(await store.deleteSchedule({ id: 'adhoc', source: 'runtime' })).toBeNull();
      expect((await store.listSchedules()).map((s) => s.id)).toEqual([`${WF}:default`]);
      // A deleted schedule fires no more: the compare and set finds no row.
      const fired = await store.fireSchedule({
        id: 'adhoc',
        expectedFiredThrough: T0,
        firedThrough: T0 + 5 * MIN,
        runs: [{ id: 'sched:adhoc@x', tick: T0 + 5 * MIN }],
        workflow: WF,
        input: '1',
        now: T0 + 5 * MIN,
      });
      expect(fired).toEqual({ fired: false, created: [] });
      expect(await store.getRun('sched:adhoc@x')).toBeNull();
    });
  });
}
