// Schedules created at runtime (issue 12 §5, lifeline.schedule / unschedule), for any backend, on
// a ManualClock: stored only in the database, fired by a worker that has the workflow loaded,
// untouched by a worker's start-up upsert of code schedules, and gone once removed.
import { expect, it } from 'vitest';
import { z } from 'zod';
import { Lifeline } from '../../src/engine/lifeline.js';
import { ManualClock } from '../../src/time/clock.js';
import { defineWorkflow, unregisterWorkflow } from '../../src/workflow/define.js';
import { tickRuns, until, type ScheduleBackend } from './schedule-catch-up-cases.js';

const START = Date.parse('2026-01-01T00:00:30Z');
const MIN = 60_000;

export function scheduleApiCases(name: string, backend: ScheduleBackend): void {
  it(`${name}: a runtime schedule fires on a worker that loads its workflow, survives the workers' code upsert, and stops when removed`, async () => {
    const wfName = `sa.report.${name}`;
    const wf = defineWorkflow(wfName, (_ctx, input: { scope: string }) => `report ${input.scope}`, { schedules: [{ cron: '0 * * * *' }] });
    const { db, cleanup } = await backend.open();
    const clock = new ManualClock(START);
    const lifeline = await Lifeline.open({ db, workflows: [wf], clock });
    const id = `adhoc-${name}`;
    try {
      const info = await lifeline.schedule({ id, workflow: wf, cron: '*/5 * * * *', input: { scope: 'eu' }, catchUp: 'one' });
      expect(info).toEqual({
        id,
        source: 'runtime',
        workflow: wfName,
        cron: '*/5 * * * *',
        timezone: 'UTC',
        catchUp: 'one',
        paused: false,
        lastTick: null,
        lastRunId: null,
        nextTick: '2026-01-01T00:05:00.000Z',
      });
      const before = await lifeline.store.listSchedules([id]);
      let worker = lifeline.worker({ pollMs: 3_600_000 }); // wakes for ticks, not polls
      worker.start();
      await until(clock, async () => (await lifeline.schedules()).length === 2, 'the worker to store its code schedule');
      expect((await lifeline.schedules()).map((s) => [s.id, s.source])).toEqual([
        [id, 'runtime'],
        [`${wfName}:default`, 'code'],
      ]);
      expect(await lifeline.store.listSchedules([id])).toEqual(before); // the start-up upsert left it as it was

      await expect(lifeline.schedule({ id: `${wfName}:default`, workflow: wfName, cron: '* * * * *' })).rejects.toThrow(
        `Cannot create schedule "${wfName}:default": a workflow declares a schedule with that id in code. Choose another id.`,
      );
      await expect(lifeline.unschedule(`${wfName}:default`)).rejects.toThrow(
        `Cannot remove schedule "${wfName}:default": it is declared in its workflow's \`schedules\` and workers store it again. Remove it from the code, or pause it (\`lifeline schedules pause ${wfName}:default\`).`,
      );
      await expect(lifeline.unschedule('nope')).rejects.toThrow('No schedule with id "nope" in this database');

      await clock.advance(5 * MIN); // 00:05:30
      const tick = `sched:${id}@2026-01-01T00:05:00.000Z`;
      await until(clock, async () => (await lifeline.getRun(tick))?.status === 'completed', 'the 00:05 tick to run');
      expect((await lifeline.getRun(tick))?.output).toBe('report eu');

      // A new worker (a restart) upserts the code schedules again: the runtime one stays and fires on.
      await worker.stop();
      worker = lifeline.worker({ pollMs: 3_600_000 }); // wakes for ticks, not polls
      worker.start();
      await clock.advance(5 * MIN); // 00:10:30
      await until(clock, async () => (await tickRuns(lifeline, wfName)).length === 2, 'the 00:10 tick');
      expect(await lifeline.store.listSchedules([id])).toMatchObject([{ source: 'runtime', cron: '*/5 * * * *', input: '{"scope":"eu"}' }]);

      expect(await lifeline.unschedule(id)).toMatchObject({ id, source: 'runtime', lastTick: '2026-01-01T00:10:00.000Z' });
      await clock.advance(50 * MIN); // 01:00:30: the code schedule's tick fires, the removed one's ticks do not
      await until(clock, async () => (await tickRuns(lifeline, wfName)).includes('2026-01-01T01:00:00.000Z'), 'the code schedule at 01:00');
      const runs = await lifeline.store.listRuns({ workflow: wfName, limit: 100 });
      expect(runs.map((r) => r.id).sort()).toEqual([
        `sched:${id}@2026-01-01T00:05:00.000Z`,
        `sched:${id}@2026-01-01T00:10:00.000Z`,
        `sched:${wfName}:default@2026-01-01T01:00:00.000Z`,
      ]);
      expect((await lifeline.schedules()).map((s) => s.id)).toEqual([`${wfName}:default`]);
    } finally {
      const closing = lifeline.close();
      for (let i = 0; i < 3; i++) await clock.advance(10_000);
      await closing;
      await cleanup();
      unregisterWorkflow(wfName);
    }
  });

  it(`${name}: a schedule created at runtime under the id a workflow's code declares later is reported by the worker, not silently kept`, async () => {
    const wfName = `sa.shadow.${name}`;
    const wf = defineWorkflow(wfName, () => 'code', { schedules: [{ cron: '0 * * * *' }] });
    const { db, cleanup } = await backend.open();
    const clock = new ManualClock(START);
    const lifeline = await Lifeline.open({ db, clock });
    const errors: string[] = [];
    try {
      const id = `${wfName}:default`;
      // Created before any worker loaded the workflow: nothing in the database says the id is the code's.
      await lifeline.schedule({ id, workflow: wfName, cron: '*/5 * * * *' });
      const withCode = await Lifeline.open({ db, workflows: [wf], clock });
      withCode.events.on('event', (e) => e.type === 'worker.error' && errors.push(`${e.data.context}: ${e.data.message}`));
      withCode.worker({ pollMs: 3_600_000 }).start();
      await until(clock, () => Promise.resolve(errors.length > 0), 'the worker to report the shadowed code schedule');
      expect(errors).toEqual([
        `schedules: Schedule "${id}" declared in the code of workflow "${wfName}" was not stored: a schedule created at runtime has that id and fires instead (cron */5 * * * *). ` +
          `Remove it (\`lifeline schedules remove ${id}\`) and the code's schedule is stored at the next start of a worker.`,
      ]);
      expect((await lifeline.schedules()).map((s) => [s.id, s.source, s.cron])).toEqual([[id, 'runtime', '*/5 * * * *']]);
      await withCode.close();
    } finally {
      await lifeline.close();
      await cleanup();
      unregisterWorkflow(wfName);
    }
  });

  it(`${name}: lifeline.schedule checks its options like a workflow's schedules, naming the field`, async () => {
    const typed = defineWorkflow(`sa.typed.${name}`, (_ctx, input: { n: number }) => input.n, { inputSchema: z.object({ n: z.number() }) });
    const { db, cleanup } = await backend.open();
    const lifeline = await Lifeline.open({ db, workflows: [typed] });
    try {
      const base = { id: 'x', workflow: 'w', cron: '* * * * *' };
      const cases: Array<[unknown, string]> = [
        [{ ...base, id: 'has space' }, 'Invalid option lifeline.schedule.id: must be 1-128 letters, digits, "_", ".", ":" or "-" (got "has space")'],
        [
          { ...base, workflow: undefined },
          'Invalid option lifeline.schedule.workflow: must be a workflow from defineWorkflow or its name, a non-empty string of at most 256 characters (got undefined)',
        ],
        [
          { ...base, cron: '61 * * * *' },
          'Invalid option lifeline.schedule.cron: is not a valid cron expression: Constraint error, got value 61 expected range 0-59 (got "61 * * * *")',
        ],
        [
          { ...base, timezone: 'Mars/Olympus' },
          'Invalid option lifeline.schedule.timezone: is not a known IANA time zone, e.g. "UTC" or "Europe/Berlin" (got "Mars/Olympus")',
        ],
        [{ ...base, catchUp: 'some' }, 'Invalid option lifeline.schedule.catchUp: must be one of "skip", "one", "all" (got "some")'],
        [{ ...base, maxCatchUp: 0 }, 'Invalid option lifeline.schedule.maxCatchUp: must be an integer from 1 to 10000 (got 0)'],
        [
          { ...base, name: 'n' },
          'Invalid option lifeline.schedule.name: unknown option (known: id, workflow, cron, timezone, input, catchUp, grace, maxCatchUp)',
        ],
      ];
      // Given as a definition, or by the name of a workflow this client loaded: the input is checked against its inputSchema.
      const badInput = "Invalid option lifeline.schedule.input: does not match the workflow's inputSchema: Invalid input: expected number, received string";
      cases.push([{ ...base, workflow: typed, input: { n: 'one' } }, badInput], [{ ...base, workflow: typed.name, input: { n: 'one' } }, badInput]);
      for (const [options, message] of cases) await expect(lifeline.schedule(options as never)).rejects.toThrow(message);
      expect(await lifeline.schedules()).toEqual([]);
    } finally {
      await lifeline.close();
      await cleanup();
      unregisterWorkflow(typed.name);
    }
  });
}
