import type { Command } from 'commander';
import { EXIT, exitCodeForSignal } from '../exit-codes.js';
import { loadWorkflowFile, type WorkflowFileOptions } from '../load-workflows.js';
import { openLifelineWaiting, type GlobalOptions } from '../open.js';
import { describeEvent } from '../progress.js';
import { CliError } from '../cli-error.js';
import { attachLogs, logFormatOf, logOptions, type LogFlags } from '../log-options.js';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('execute runs of the workflows defined in FILE until SIGINT/SIGTERM')
    .argument('<file>', 'module (.js or .ts) that defines the workflows')
    .option('-c, --concurrency <n>', 'runs executed at once', (v) => intArg(v, '--concurrency'))
    .option('--lease-ms <ms>', 'lease time-to-live', (v) => intArg(v, '--lease-ms'))
    .option('--heartbeat-ms <ms>', 'lease renewal interval', (v) => intArg(v, '--heartbeat-ms'))
    .option('--poll-ms <ms>', 'how often an idle worker looks for runs (default 200; it also wakes at each schedule tick)', (v) => intArg(v, '--poll-ms'))
    .option('--grace-ms <ms>', 'on shutdown, how long running steps may finish', (v) => intArg(v, '--grace-ms'))
    .option('--host <id>', 'host identity recorded in leases (default: hostname)')
    .option('--max-claims <n>', 'park a run claimed this many times in a row without committing a step (default 5)', (v) => intArg(v, '--max-claims'))
    .option('-q, --quiet', 'no progress lines')
    .addOption(logOptions()[0])
    .addOption(logOptions()[1])
    .action(
      async (
        file: string,
        opts: {
          concurrency?: number;
          leaseMs?: number;
          heartbeatMs?: number;
          pollMs?: number;
          graceMs?: number;
          host?: string;
          maxClaims?: number;
          quiet?: boolean;
        } & LogFlags,
        cmd: Command,
      ) => {
        logFormatOf(opts); // a bad --log fails before anything is opened
        const fileOptions = await loadWorkflowFile(file);
        const lifeline = await openUntilReachable(cmd.optsWithGlobals<GlobalOptions>(), fileOptions);
        const worker = lifeline.worker({
          ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
          ...(opts.leaseMs ? { leaseMs: opts.leaseMs } : {}),
          ...(opts.heartbeatMs ? { heartbeatMs: opts.heartbeatMs } : {}),
          ...(opts.pollMs ? { pollMs: opts.pollMs } : {}),
          ...(opts.graceMs !== undefined ? { shutdownGraceMs: opts.graceMs } : {}),
          ...(opts.host ? { host: opts.host } : {}),
          ...(opts.maxClaims !== undefined ? { maxClaimsWithoutProgress: opts.maxClaims } : {}),
        });
        const logs = await attachLogs(lifeline, opts);
        if (!logs?.toStdout) {
          lifeline.events.on('event', (e) => {
            // --quiet hides progress, never problems: worker errors always reach stderr.
            if (
              e.type === 'worker.error' ||
              e.type === 'store.unavailable' ||
              e.type === 'worker.store_exhausted' ||
              e.type === 'run.parked' ||
              e.type === 'schedule.skipped'
            )
              process.stderr.write(`${describeEvent(e) ?? e.type}\n`);
            else if (!opts.quiet) {
              const line = describeEvent(e);
              if (line) process.stdout.write(`${line}\n`);
            }
          });
        }
        const stopped = new Promise<NodeJS.Signals>((resolve) => {
          const stop = (sig: NodeJS.Signals) => {
            process.stderr.write(`${sig}: stopping worker ${worker.id}, releasing leases…\n`);
            process.once('SIGINT', () => process.exit(EXIT.INTERRUPTED));
            void worker.stop().then(() => resolve(sig));
          };
          process.once('SIGINT', () => stop('SIGINT'));
          process.once('SIGTERM', () => stop('SIGTERM'));
        });
        worker.start();
        process.stderr.write(
          `worker ${worker.id} running workflows: ${lifeline
            .workflows()
            .map((w) => ((w.version ?? null) === null ? w.name : `${w.name}@${w.version}`))
            .join(', ')}\n`,
        );
        const signal = await stopped;
        await lifeline.close();
        await logs?.close();
        process.exitCode = exitCodeForSignal(signal); // stopped as asked, leases released: 130 / 143 as documented
      },
    );
}

/** Opens the database, waiting while it is unreachable; SIGINT/SIGTERM while waiting exit 130. */
async function openUntilReachable(options: GlobalOptions, fileOptions: WorkflowFileOptions) {
  const waiting = new AbortController();
  const stop = (sig: string) => waiting.abort(new CliError(`${sig}: stopped while waiting for the database`, EXIT.INTERRUPTED));
  const onInt = () => stop('SIGINT');
  const onTerm = () => stop('SIGTERM');
  process.once('SIGINT', onInt);
  process.once('SIGTERM', onTerm);
  try {
    return await openLifelineWaiting(options, waiting.signal, fileOptions);
  } finally {
    process.removeListener('SIGINT', onInt);
    process.removeListener('SIGTERM', onTerm);
  }
}

export function intArg(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new CliError(`${name} must be a non-negative integer (got "${value}")`, EXIT.USAGE);
  return n;
}
