// `lifeline rollback RUN [FILE] [--json]` (issue 12 §3): compensates a completed or failed run.
// The store sends the run to a worker (pending, compensation requested); a running worker, or
// this command with FILE, replays it to learn its compensations, runs them latest-completed first
// and finishes it as it was. Refusals (another status, nothing to compensate, asked before) are
// the store's messages, exit 2; an unknown run exits 4.
import type { Command } from 'commander';
import { logOptions } from '../log-options.js';
import { control, say } from './control.js';

export function registerRollback(program: Command): void {
  program
    .command('rollback')
    .description("undo a completed or failed run: run its steps' compensations, latest first, and keep its status")
    .argument('<run>', 'run id')
    .argument('[file]', 'module that defines the workflow; with it the compensations run here')
    .option('--json', 'print the run as JSON (without FILE)')
    .addOption(logOptions()[0])
    .addOption(logOptions()[1])
    .action(async (runId: string, file: string | undefined, opts: { json?: boolean }, cmd: Command) => {
      await control(cmd, runId, file, async (lifeline) => {
        const run = await lifeline.rollback(runId);
        if (opts.json === true && file === undefined) {
          process.stdout.write(`${JSON.stringify({ runId, status: run.status, compensation: run.compensation ?? null })}\n`);
          return;
        }
        say(file, `rollback requested: run ${runId} is ${run.status} until its compensations have run`, runId);
      });
    });
}
