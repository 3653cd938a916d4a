import type { Command } from 'commander';
import { LifelineError } from '../../errors/lifeline-error.js';
import { RunNotFoundError } from '../../errors/store-errors.js';
import { CliError } from '../cli-error.js';
import { EXIT } from '../exit-codes.js';
import { loadWorkflowFile } from '../load-workflows.js';
import { openLifeline, parseJsonArg, type GlobalOptions } from '../open.js';
import { describeEvent } from '../progress.js';
import { executeUntilSettled } from './execute.js';
import { attachLogs, logFormatOf, logOptions, type LogFlags } from '../log-options.js';
import type { Lifeline } from '../../engine/lifeline.js';
import { isTerminal } from '../../store/lifecycle.js';

/** resume, retry, cancel, signal: the commands that change one run. */
export function registerControl(program: Command): void {
  program
    .command('resume')
    .description('continue a run now: wake it if it sleeps or waits, unpark it if it was parked, take it over if its owner died; with FILE, execute it here')
    .argument('<run>', 'run id')
    .argument('[file]', 'module that defines the workflow; without it a running worker picks the run up')
    .addOption(logOptions()[0])
    .addOption(logOptions()[1])
    .action(async (runId: string, file: string | undefined, _opts: unknown, cmd: Command) => {
      await control(cmd, runId, file, async (lifeline) => {
        const run = await lifeline.getRun(runId);
        if (!run) throw new RunNotFoundError(runId);
        if (run.status === 'parked') {
          await lifeline.resume(runId);
          say(file, `run ${runId} was parked; it is pending again`, runId);
        } else if (run.status === 'sleeping' || run.status === 'waiting') {
          await lifeline.resume(runId);
          say(file, `run ${runId} woken (it was ${run.status}${run.wakeAt ? ` until ${new Date(run.wakeAt).toISOString()}` : ''})`, runId);
        } else if (isTerminal(run.status)) {
          throw new CliError(`run ${runId} is already ${run.status}: there is nothing to resume`, EXIT.USAGE);
        } else {
          say(file, `run ${runId} is ${run.status}`, runId);
        }
      });
    });

  program
    .command('retry')
    .description('re-run a failed run from its failed step (completed steps are replayed, not re-executed)')
    .argument('<run>', 'run id')
    .argument('[file]', 'module that defines the workflow; with it the run executes here')
    .addOption(logOptions()[0])
    .addOption(logOptions()[1])
    .action(async (runId: string, file: string | undefined, _opts: unknown, cmd: Command) => {
      await control(cmd, runId, file, async (lifeline) => {
        const run = await lifeline.getRun(runId);
        if (!run) throw new RunNotFoundError(runId);
        // Retrying twice (the first time without FILE) finds the run pending: that is the state asked for.
        if (run.status === 'pending') return say(file, `run ${runId} is already pending (retried, not yet executed)`, runId);
        await lifeline.retry(runId);
        say(file, `run ${runId} retried from its failed step: it is pending`, runId);
      });
    });

  program
    .command('cancel')
    .description('cancel a run: its running step is aborted and the run ends cancelled')
    .argument('<run>', 'run id')
    .action(async (runId: string, _opts: unknown, cmd: Command) => {
      await control(cmd, runId, undefined, async (lifeline) => {
        const before = await lifeline.getRun(runId);
        if (before?.status === 'cancelled') return void process.stdout.write(`run ${runId} is already cancelled\n`);
        if (before && isTerminal(before.status)) throw new CliError(`run ${runId} is already ${before.status}: it cannot be cancelled`, EXIT.USAGE);
        const run = await lifeline.cancel(runId);
        process.stdout.write(
          run.status === 'cancelled'
            ? `run ${runId} cancelled\n`
            : run.status === 'running'
              ? `cancel requested: run ${runId} stops at its worker's next heartbeat\n`
              : run.status === 'pending' && run.compensation === 'requested'
                ? `cancel requested: a worker runs the compensations of run ${runId}'s completed steps, then it ends cancelled\n`
                : `run ${runId} is already ${run.status}\n`,
        );
      });
    });

  program
    .command('signal')
    .description('send a signal (with an optional JSON payload) to a run')
    .argument('<run>', 'run id')
    .argument('<name>', 'signal name')
    .argument('[json]', 'payload as JSON')
    .action(async (runId: string, name: string, json: string | undefined, _opts: unknown, cmd: Command) => {
      const payload = parseJsonArg(json, 'signal payload');
      await control(cmd, runId, undefined, async (lifeline) => {
        await lifeline.signal(runId, name, payload);
        process.stdout.write(`signal "${name}" sent to run ${runId}\n`);
      });
    });
}

export async function control(cmd: Command, runId: string, file: string | undefined, change: (lifeline: Lifeline) => Promise<void>): Promise<void> {
  // resume and retry take --log / --log-file (used when they execute the run); the others have none.
  const logFlags = cmd.opts<LogFlags>();
  logFormatOf(logFlags); // a bad --log fails before anything changes
  const fileOptions = file ? await loadWorkflowFile(file) : {};
  const lifeline = await openLifeline(cmd.optsWithGlobals<GlobalOptions>(), fileOptions);
  try {
    // A run pinned to a version FILE lacks would wait forever: refused before anything changes.
    const pinned = file ? await lifeline.getRun(runId) : null;
    if (pinned) lifeline.findWorkflow(pinned.workflow, runId, pinned.version);
    await change(lifeline);
  } catch (error) {
    await lifeline.close();
    if (error instanceof RunNotFoundError) throw new CliError(error.message, EXIT.NOT_FOUND);
    if (error instanceof LifelineError) throw new CliError(error.message, EXIT.USAGE);
    throw error;
  }
  if (!file) {
    await lifeline.close();
    return;
  }
  const logs = await attachLogs(lifeline, logFlags);
  if (!logs?.toStdout) {
    lifeline.events.on('event', (e) => {
      const line = e.runId === runId ? describeEvent(e) : null;
      if (line) process.stdout.write(`${line}\n`);
    });
  }
  process.exitCode = await executeUntilSettled(lifeline, runId, false);
  await logs?.close();
}

/** Says what happened and, when this command does not execute the run itself, what to run next. */
export function say(file: string | undefined, what: string, runId: string): void {
  const next = file ? 'executing it here' : `a running \`lifeline worker FILE\` picks it up, or execute it here with \`lifeline resume ${runId} FILE\``;
  process.stdout.write(`${what}; ${next}\n`);
}
