import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { control, say } from './control.js';
import { logOptions } from '../log-options.js';

/** `lifeline rewind RUN --to STEP [FILE]`: a finished run continues from an earlier step (issue 12 §2). */
export function registerRewind(program: Command): void {
  program
    .command('rewind')
    .description('continue a finished run from an earlier step: the results from that step on are kept as an earlier generation and run again')
    .argument('<run>', 'run id')
    .argument('[file]', 'module that defines the workflow; with it the run executes here')
    .requiredOption('--to <step>', 'the step to continue from: a step id (fetch#0) or a step name (its first occurrence)')
    .option('--by <name>', 'who rewinds, recorded in the run.rewound event (default: the OS user)')
    .option('--json', 'print what was done as JSON')
    .addOption(logOptions()[0])
    .addOption(logOptions()[1])
    .action(async (runId: string, file: string | undefined, opts: { to: string; by?: string; json?: boolean }, cmd: Command) => {
      await control(cmd, runId, file, async (lifeline) => {
        const done = await lifeline.rewind(runId, { to: opts.to, by: opts.by ?? osUser() });
        if (opts.json) {
          const { run, ...rest } = done;
          process.stdout.write(`${JSON.stringify({ runId, status: run.status, ...rest }, null, 2)}\n`);
          return;
        }
        const what =
          `run ${runId} rewound to ${done.toStepId}: ${done.setAside} step result(s) kept as generation ${done.generation - 1} ` +
          `(see \`lifeline show ${runId}\`); it is pending as generation ${done.generation}`;
        say(file, what, runId);
      });
    });
}

function osUser(): string | undefined {
  try {
    return userInfo().username || undefined;
  } catch {
    return undefined;
  }
}
