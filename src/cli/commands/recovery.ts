// escalations, resolve: the commands of recovery decisions (docs/cli.md).
import type { Command } from 'commander';
import { ESCALATION_ACTIONS, type EscalationAction, type RecoveryRecord } from '../../store/recoveries.js';
import { CliError } from '../cli-error.js';
import { EXIT } from '../exit-codes.js';
import { openLifelineReadOnly, type GlobalOptions } from '../open.js';
import { printTable } from './runs.js';
import { intArg } from './worker.js';
import { control, say } from './control.js';

export function registerRecovery(program: Command): void {
  program
    .command('escalations')
    .description('escalated runs waiting for a person: resolve each with `lifeline resolve RUN retry|skip|cancel`')
    .option('-w, --workflow <name>', 'only runs of this workflow')
    .option('-n, --limit <n>', 'at most this many', (v) => intArg(v, '--limit'), 50)
    .option('--json', 'print JSON')
    .action(async (opts: { workflow?: string; limit: number; json?: boolean }, cmd: Command) => {
      const { lifeline, close } = await openLifelineReadOnly(cmd.optsWithGlobals<GlobalOptions>());
      const open = await lifeline.escalations({ ...(opts.workflow ? { workflow: opts.workflow } : {}), limit: opts.limit });
      await close();
      if (opts.json) return void process.stdout.write(`${JSON.stringify(open, null, 2)}\n`);
      if (open.length === 0) return void process.stdout.write('no escalations\n');
      printTable(
        ['RUN', 'WORKFLOW', 'STEP', 'CLASS', 'SINCE', 'REASON'],
        open.map((r) => [r.runId, r.workflow, r.stepId ?? '', r.errorClass, new Date(r.decidedAt).toISOString(), r.reason]),
      );
    });

  program
    .command('resolve')
    .description('resolve an escalated run: retry its failed step, skip it (the step returns null), or cancel the run')
    .argument('<run>', 'run id')
    .argument('<action>', ESCALATION_ACTIONS.join('|'))
    .argument('[file]', 'module that defines the workflow; with it the run executes here')
    .action(async (runId: string, action: string, file: string | undefined, _opts: unknown, cmd: Command) => {
      if (!(ESCALATION_ACTIONS as readonly string[]).includes(action)) {
        throw new CliError(`Unknown action "${action}" (known: ${ESCALATION_ACTIONS.join(', ')})`, EXIT.USAGE);
      }
      await control(cmd, runId, action === 'cancel' ? undefined : file, async (lifeline) => {
        const run = await lifeline.resolve(runId, action as EscalationAction);
        if (run.status === 'cancelled') return void process.stdout.write(`run ${runId} cancelled\n`);
        say(file, `run ${runId} resolved with ${action}: it is ${run.status}`, runId);
      });
    });
}

/** The recovery decisions of one run, for `lifeline show`. */
export function printRecoveries(records: readonly RecoveryRecord[]): void {
  if (records.length === 0) return;
  process.stdout.write('\nrecoveries\n');
  printTable(
    ['#', 'STRATEGY', 'GEN', 'CLASS', 'STEP', 'DECIDED', 'OUTCOME', 'DETAIL'],
    records.map((r, i) => [
      String(i + 1),
      r.strategy,
      String(r.generation),
      r.errorClass,
      r.stepId ?? '',
      new Date(r.decidedAt).toISOString(),
      r.outcome + (r.recoveredMs === null ? '' : ` in ${r.recoveredMs} ms`),
      [
        r.reason,
        r.takenOverBy ? `taken over by ${r.takenOverBy}` : '',
        r.wakeAt ? `retry at ${new Date(r.wakeAt).toISOString()}` : '',
        r.resolution ? `resolved: ${r.resolution}` : '',
      ]
        .filter(Boolean)
        .join('; '),
    ]),
  );
}
