// `lifeline prune --older-than 30d [--status completed,failed] [--workflow W] [--dry-run]`:
// deletes terminal runs that ended longer ago than the age, with their steps, attempts, events,
// signals, recoveries and cost rows, in batches (pruneRuns, src/retention/prune.ts).
import type { Command } from 'commander';
import { pruneRuns, type PruneResult } from '../../retention/prune.js';
import type { PrunableStatus } from '../../store/retention.js';
import { toMs, type Duration } from '../../workflow/duration.js';
import { CliError } from '../cli-error.js';
import { EXIT } from '../exit-codes.js';
import { openLifeline, type GlobalOptions } from '../open.js';
import { printTable } from './runs.js';

interface PruneCliOptions {
  olderThan: string;
  status: string;
  workflow?: string;
  dryRun?: boolean;
  batchSize?: string;
  json?: boolean;
}

const STATUSES: readonly PrunableStatus[] = ['completed', 'failed', 'cancelled'];

/** `--older-than`: an age of at least a minute (the API's bound, said in the CLI's words). */
function ageOf(text: string): Duration {
  let ms: number;
  try {
    ms = toMs(text as Duration, '--older-than');
  } catch {
    ms = -1;
  }
  if (ms < 60_000) throw new CliError(`Invalid --older-than "${text}": use an age of at least 1m, like 30d, 12h or 90m`, EXIT.USAGE);
  return text as Duration;
}

function statusesOf(text: string): PrunableStatus[] {
  const list = text.split(',').map((s) => s.trim());
  const bad = list.find((s) => !(STATUSES as readonly string[]).includes(s));
  if (bad !== undefined) throw new CliError(`Invalid --status "${text}": use completed, failed and/or cancelled, comma-separated (got "${bad}")`, EXIT.USAGE);
  return list as PrunableStatus[];
}

function batchSizeOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 10_000)
    throw new CliError(`Invalid --batch-size "${text}": use a whole number from 1 to 10000`, EXIT.USAGE);
  return Number(text);
}

export function registerPrune(program: Command): void {
  program
    .command('prune')
    .description('delete terminal runs that ended longer ago than --older-than, with everything recorded about them')
    .requiredOption('--older-than <age>', 'how long ago a run must have ended: 30d, 12h, 90m (at least 1m)')
    .option('--status <list>', 'which terminal runs, comma-separated: completed, failed, cancelled', 'completed')
    .option('--workflow <name>', 'only runs of this workflow')
    .option('--dry-run', 'count what would be deleted; delete nothing')
    .option('--batch-size <n>', 'runs deleted per transaction (default 100)')
    .option('--json', 'print JSON')
    .action(async (opts: PruneCliOptions, cmd: Command) => {
      const olderThan = ageOf(opts.olderThan);
      const statuses = statusesOf(opts.status);
      const batchSize = batchSizeOf(opts.batchSize);
      const lifeline = await openLifeline(cmd.optsWithGlobals<GlobalOptions>());
      let result: PruneResult;
      try {
        result = await pruneRuns(lifeline, {
          olderThan,
          statuses,
          dryRun: opts.dryRun === true,
          ...(opts.workflow === undefined ? {} : { workflow: opts.workflow }),
          ...(batchSize === undefined ? {} : { batchSize }),
        });
      } finally {
        await lifeline.close();
      }
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ ...result, endedBefore: new Date(result.endedBefore).toISOString() }, null, 2)}\n`);
        return;
      }
      const verb = result.dryRun ? 'would delete' : 'deleted';
      process.stdout.write(`${verb} ${result.runs} run(s) that ended before ${new Date(result.endedBefore).toISOString()}\n`);
      const tables: Array<[string, number]> = [
        ['steps', result.steps],
        ['set-aside steps (rewinds)', result.setAsideSteps],
        ['attempts', result.attempts],
        ['events', result.events],
        ['signals', result.signals],
        ['recoveries', result.recoveries],
        ['cost ledger rows', result.costs],
        ['expired cache entries', result.cacheEntries],
      ];
      printTable(
        ['ROWS', 'COUNT'],
        tables.map(([name, n]) => [name, String(n)]),
        '  ',
      );
    });
}
