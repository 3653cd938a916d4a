// `lifeline schedules`: the cron schedules the workers stored, with their last and next tick;
// `lifeline schedules pause|resume ID` stops and restarts one; `add` / `remove` (schedules-edit.ts)
// create and delete schedules stored only in the database (docs/cli.md, "schedules").
import type { Command } from 'commander';
import { ScheduleNotFoundError } from '../../errors/schedule-errors.js';
import { CliError } from '../cli-error.js';
import { EXIT } from '../exit-codes.js';
import { openLifeline, openLifelineReadOnly, type GlobalOptions } from '../open.js';
import { printTable } from './runs.js';
import type { ScheduleInfo } from '../../store/schedules.js';
import { registerScheduleEdits } from './schedules-edit.js';

export function registerSchedules(program: Command): void {
  const schedules = program
    .command('schedules')
    .description('list the cron schedules: cron, time zone, catch-up, paused, last and next tick; pause, resume, add or remove one')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const { lifeline, close } = await openLifelineReadOnly(cmd.optsWithGlobals<GlobalOptions>());
      const list = await lifeline.schedules();
      await close();
      if (opts.json) return void process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
      if (list.length === 0)
        return void process.stdout.write('no schedules (a worker stores the schedules of the workflows it loads; `lifeline schedules add` creates one)\n');
      printTable(
        ['ID', 'CRON', 'TIMEZONE', 'CATCH-UP', 'STATE', 'LAST TICK', 'NEXT TICK', 'LAST RUN'],
        list.map((s) => [s.id, s.cron, s.timezone, s.catchUp, s.paused ? 'paused' : 'active', s.lastTick ?? '-', s.nextTick ?? '-', s.lastRunId ?? '-']),
      );
    });
  registerScheduleEdits(schedules);
  for (const [name, paused] of [
    ['pause', true],
    ['resume', false],
  ] as const) {
    schedules
      .command(name)
      .description(
        paused ? 'stop a schedule from firing (on every worker)' : 'fire a paused schedule again from its next tick (ticks while paused do not fire)',
      )
      .argument('<id>', 'schedule id, "<workflow>:<name>"')
      .option('--json', 'print the schedule as JSON')
      .action(async (id: string, _opts: unknown, cmd: Command) => {
        // --json may land on `schedules` itself (its own option of that name): read both.
        const opts = cmd.optsWithGlobals<GlobalOptions & { json?: boolean }>();
        const lifeline = await openLifeline(opts);
        let info: ScheduleInfo;
        try {
          info = paused ? await lifeline.pauseSchedule(id) : await lifeline.resumeSchedule(id);
        } catch (error) {
          if (error instanceof ScheduleNotFoundError) throw new CliError(error.message, EXIT.NOT_FOUND);
          throw error;
        } finally {
          await lifeline.close();
        }
        if (opts.json) return void process.stdout.write(`${JSON.stringify(info, null, 2)}\n`);
        process.stdout.write(paused ? `schedule ${id} paused\n` : `schedule ${id} resumed: next tick ${info.nextTick ?? '-'}\n`);
      });
  }
}
