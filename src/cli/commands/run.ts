import type { Command } from 'commander';
import { registeredWorkflows } from '../../workflow/define.js';
import { CliError } from '../cli-error.js';
import { EXIT } from '../exit-codes.js';
import { loadWorkflowFile } from '../load-workflows.js';
import { openLifeline, parseJsonArg, type GlobalOptions } from '../open.js';
import { describeEvent } from '../progress.js';
import { executeUntilSettled } from './execute.js';
import { attachLogs, logFormatOf, logOptions, type LogFlags } from '../log-options.js';

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('start a run of a workflow defined in FILE and execute it in this process, with live progress')
    .argument('<file>', 'module (.js or .ts) that defines the workflow')
    .option('-w, --workflow <name>', 'workflow to run (needed when FILE defines several)')
    .option('-i, --input <json>', 'input of the run, as JSON')
    .option('--run-id <id>', 'run id; starting an existing id resumes that run instead of creating another')
    .option('-q, --quiet', 'print only the result')
    .addOption(logOptions()[0])
    .addOption(logOptions()[1])
    .action(async (file: string, opts: { workflow?: string; input?: string; runId?: string; quiet?: boolean } & LogFlags, cmd: Command) => {
      const input = parseJsonArg(opts.input, '--input');
      logFormatOf(opts);
      const fileOptions = await loadWorkflowFile(file);
      const names = [...new Set(registeredWorkflows().map((d) => d.name))]; // versions of one workflow are one choice: start pins the highest
      const name = opts.workflow ?? (names.length === 1 ? names[0] : undefined);
      if (!name) {
        throw new CliError(`${file} defines ${names.length} workflows (${names.join(', ') || 'none'}); choose one with --workflow`, EXIT.USAGE);
      }
      const lifeline = await openLifeline(cmd.optsWithGlobals<GlobalOptions>(), fileOptions);
      const logs = await attachLogs(lifeline, opts);
      const handle = await lifeline.start(name, input, opts.runId ? { runId: opts.runId } : {});
      if (!opts.quiet && !logs?.toStdout) {
        process.stdout.write(`run ${handle.runId} (workflow ${name})\n`);
        lifeline.events.on('event', (e) => {
          const line = e.runId === handle.runId || (e.runId ?? '').startsWith(`${handle.runId}/`) ? describeEvent(e) : null;
          if (line) process.stdout.write(`${line}\n`);
        });
      }
      process.exitCode = await executeUntilSettled(lifeline, handle.runId, opts.quiet ?? false);
      await logs?.close();
    });
}
