// upsertSchedules, fireSchedule (compare and set + idempotent runs), listSchedules, setSchedulePaused.
import { describe, expect, it } from 'vitest';
import type { ScheduleDefinition } from '../../store/schedules.js';
import { T0, WF, createRun, type GetStore } from './helpers.js';

const MIN = 60_000;

function definition(over: Partial<ScheduleDefinition> = {}): ScheduleDefinition {
  return { id: `${WF}:default`, workflow: WF, cron: '* * * * *', timezone: 'UTC', catchUp: 'skip', input: '{"n":1}', graceMs: MIN, maxCatchUp: 100, ...over };
}

export function schedulesConformance(getStore: GetStore): void {
  describe('schedules', () => {
    it('upsert stores a schedule from now on; the same definition again changes nothing; a new cron starts afresh', async () => {
      const store = getStore();
      const [created] = await store.upsertSchedules({ schedules: [definition()], now: T0 });
      expect(created).toEqual({
        ...definition(),
        source: 'code',
        paused: false,
        firedThrough: T0,
        lastTick: null,
        lastRunId: null,
        createdAt: T0,
        updatedAt: T0,
      });
      const fired = await store.fireSchedule({
        id: created!.id,
        expectedFiredThrough: T0,
        firedThrough: T0 + MIN,
        runs: [],
        workflow: WF,
        input: '1',
        now: T0 + MIN,
      });
      expect(fired.fired).toBe(true);
      const [same] = await store.upsertSchedules({ schedules: [definition()], now: T0 + 5 * MIN });
      expect(same).toMatchObject({ firedThrough: T0 + MIN, updatedAt: T0 + MIN, createdAt: T0 });
      const [input] = await store.upsertSchedules({ schedules: [definition({ input: '2', catchUp: 'all' })], now: T0 + 6 * MIN });
      expect(input).toMatchObject({ firedThrough: T0 + MIN, input: '2', catchUp: 'all', updatedAt: T0 + 6 * MIN });
      const [cron] = await store.upsertSchedules({ schedules: [definition({ cron: '*/5 * * * *' })], now: T0 + 7 * MIN });
      expect(cron).toMatchObject({ firedThrough: T0 + 7 * MIN, cron: '*/5 * * * *', updatedAt: T0 + 7 * MIN });
    });

    it('fire moves firedThrough only from the value read, and creates the tick runs in the same write', async () => {
      const store = getStore();
      await store.upsertSchedules({ schedules: [definition()], now: T0 });
      const args = { id: `${WF}:default`, expectedFiredThrough: T0, firedThrough: T0 + MIN, workflow: WF, input: '{"n":1}', now: T0 + MIN + 5 };
      const first = await store.fireSchedule({ ...args, runs: [{ id: 'tick-1', tick: T0 + MIN }] });
      expect(first).toEqual({ fired: true, created: ['tick-1'] });
      expect(await store.getRun('tick-1')).toMatchObject({ workflow: WF, status: 'pending', input: '{"n":1}', createdAt: T0 + MIN + 5 });
      // A second worker that read the same row: nothing written, no run.
      const stale = await store.fireSchedule({ ...args, runs: [{ id: 'tick-1b', tick: T0 + MIN }] });
      expect(stale).toEqual({ fired: false, created: [] });
      expect(await store.getRun('tick-1b')).toBeNull();
      const [row] = await store.listSchedules();
      expect(row).toMatchObject({ firedThrough: T0 + MIN, lastTick: T0 + MIN, lastRunId: 'tick-1' });
    });

    it('concurrent firings of one tick: exactly one fires and one run exists', async () => {
      const store = getStore();
      await store.upsertSchedules({ schedules: [definition()], now: T0 });
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          store.fireSchedule({
            id: `${WF}:default`,
            expectedFiredThrough: T0,
            firedThrough: T0 + MIN,
            runs: [{ id: `tick-by-${i}`, tick: T0 + MIN }],
            workflow: WF,
            input: '1',
            now: T0 + MIN,
          }),
        ),
      );
      expect(results.filter((r) => r.fired)).toHaveLength(1);
      expect((await store.listRuns({ workflow: WF })).map((r) => r.id)).toHaveLength(1);
    });

    it('a tick run that already exists is not created again (idempotent on id), the tick still fires', async () => {
      const store = getStore();
      await store.upsertSchedules({ schedules: [definition()], now: T0 });
      await createRun(store, 'tick-1', { input: '"earlier"' });
      const runs = [
        { id: 'tick-1', tick: T0 + MIN },
        { id: 'tick-2', tick: T0 + 2 * MIN },
      ];
      const result = await store.fireSchedule({
        id: `${WF}:default`,
        expectedFiredThrough: T0,
        firedThrough: T0 + 2 * MIN,
        runs,
        workflow: WF,
        input: '1',
        now: T0 + 2 * MIN,
      });
      expect(result).toEqual({ fired: true, created: ['tick-2'] });
      expect((await store.getRun('tick-1'))?.input).toBe('"earlier"');
      expect((await store.listSchedules())[0]).toMatchObject({ lastTick: T0 + 2 * MIN, lastRunId: 'tick-2' });
    });

    it('a paused schedule does not fire; resuming starts afresh at now; an unknown id is null', async () => {
      const store = getStore();
      await store.upsertSchedules({ schedules: [definition()], now: T0 });
      expect(await store.setSchedulePaused({ id: `${WF}:default`, paused: true, now: T0 + 1 })).toMatchObject({ paused: true, firedThrough: T0 });
      const refused = await store.fireSchedule({
        id: `${WF}:default`,
        expectedFiredThrough: T0,
        firedThrough: T0 + MIN,
        runs: [{ id: 't', tick: T0 + MIN }],
        workflow: WF,
        input: '1',
        now: T0 + MIN,
      });
      expect(refused).toEqual({ fired: false, created: [] });
      expect(await store.getRun('t')).toBeNull();
      expect(await store.setSchedulePaused({ id: `${WF}:default`, paused: false, now: T0 + 10 * MIN })).toMatchObject({
        paused: false,
        firedThrough: T0 + 10 * MIN,
      });
      // Resuming a schedule that is not paused changes nothing.
      expect(await store.setSchedulePaused({ id: `${WF}:default`, paused: false, now: T0 + 20 * MIN })).toMatchObject({ firedThrough: T0 + 10 * MIN });
      expect(await store.setSchedulePaused({ id: 'nope:default', paused: true, now: T0 })).toBeNull();
    });

    it('lists all schedules or those of some ids, ordered by id', async () => {
      const store = getStore();
      await store.upsertSchedules({ schedules: [definition({ id: 'b:x' }), definition({ id: 'a:y' }), definition({ id: 'c:z' })], now: T0 });
      expect((await store.listSchedules()).map((s) => s.id)).toEqual(['a:y', 'b:x', 'c:z']);
      expect((await store.listSchedules(['c:z', 'b:x', 'nope'])).map((s) => s.id)).toEqual(['b:x', 'c:z']);
    });
  });
}
