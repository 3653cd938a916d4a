// `lifeline schedules add ID --workflow W --cron EXPR ...` and `lifeline schedules remove ID`:
// schedules created at runtime, stored only in the database and fired by every worker that has
// the workflow loaded (docs/cli.md, "schedules"; docs/time-travel.md, "Schedules created at runtime").
import type { Command } from 'commander';
import { InvalidOptionsError } from '../../errors/options-error.js';
import { ScheduleNotFoundError, ScheduleSourceError } from '../../errors/schedule-errors.js';
import type { ScheduleInfo } from '../../store/schedules.js';
import { CliError } from '../cli-error.js';
import { EXIT } from '../exit-codes.js';
import { openLifeline, type GlobalOptions } from '../open.js';
import type { Lifeline } from '../../engine/lifeline.js';

interface AddOptions extends GlobalOptions {
  json?: boolean;
  workflow?: string;
  cron?: string;
  timezone?: string;
  input?: string;
  catchUp?: string;
  grace?: string;
  maxCatchUp?: string;
}

export function registerScheduleEdits(schedules: Command): void {
  schedules
    .command('add')
    .description('create (or redefine) a schedule stored in the database: every worker with the workflow loaded fires it')
    .argument('<id>', 'schedule id: 1-128 letters, digits, "_", ".", ":" or "-"')
    .requiredOption('--workflow <name>', 'the workflow each tick starts a run of')
    .requiredOption('--cron <expr>', 'cron expression, 5 fields (or 6, seconds first)')
    .option('--timezone <tz>', 'IANA time zone the expression is read in (default UTC)')
    .option('--input <json>', 'the input of every run, as JSON (default null)')
    .option('--catch-up <mode>', 'missed ticks: skip (default), one or all')
    .option('--grace <duration>', 'skip: a tick first seen later than this counts as missed (default 1m)')
    .option('--max-catch-up <n>', 'all: at most this many runs for missed ticks at once (default 100)')
    .option('--json', 'print the schedule as JSON')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<AddOptions>();
      const options = {
        id,
        workflow: opts.workflow,
        cron: opts.cron,
        ...(opts.timezone === undefined ? {} : { timezone: opts.timezone }),
        ...(opts.input === undefined ? {} : { input: parseInput(opts.input) }),
        ...(opts.catchUp === undefined ? {} : { catchUp: opts.catchUp }),
        ...(opts.grace === undefined ? {} : { grace: opts.grace }),
        ...(opts.maxCatchUp === undefined ? {} : { maxCatchUp: /^\d+$/.test(opts.maxCatchUp) ? Number(opts.maxCatchUp) : opts.maxCatchUp }), // not a number: the error names what was typed
      };
      const info = await edit(opts, (lifeline) => lifeline.schedule(options as never));
      if (opts.json) return void process.stdout.write(`${JSON.stringify(info, null, 2)}\n`);
      process.stdout.write(`schedule ${info.id} stored (${info.workflow}, ${info.cron} ${info.timezone}): next tick ${info.nextTick ?? '-'}\n`);
    });
  schedules
    .command('remove')
    .description('delete a schedule created with `schedules add` (its runs stay); one declared in code is refused')
    .argument('<id>', 'schedule id')
    .option('--json', 'print the removed schedule as JSON')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions & { json?: boolean }>();
      const info = await edit(opts, (lifeline) => lifeline.unschedule(id));
      if (opts.json) return void process.stdout.write(`${JSON.stringify(info, null, 2)}\n`);
      process.stdout.write(`schedule ${id} removed\n`);
    });
}

function parseInput(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CliError(`--input must be JSON: ${error instanceof Error ? error.message : String(error)} (got ${JSON.stringify(text)})`, EXIT.USAGE);
  }
}

async function edit(opts: GlobalOptions, change: (lifeline: Lifeline) => Promise<ScheduleInfo>): Promise<ScheduleInfo> {
  const lifeline = await openLifeline(opts);
  try {
    return await change(lifeline);
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) throw new CliError(error.message, EXIT.NOT_FOUND);
    if (error instanceof InvalidOptionsError || error instanceof ScheduleSourceError) throw new CliError(error.message, EXIT.USAGE);
    throw error;
  } finally {
    await lifeline.close();
  }
}
