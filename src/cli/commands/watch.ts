import type { Command } from 'commander';
import { RunNotFoundError } from '../../errors/store-errors.js';
import { listRunOverviews, runOverview } from '../../observe/run-overview.js';
import type { RunStatus } from '../../store/types.js';
import { CliError } from '../cli-error.js';
import { EXIT, exitCodeForSignal } from '../exit-codes.js';
import { openLifelineReadOnly, type GlobalOptions } from '../open.js';
import { listFrame, PlainPainter, runFrame, terminalOf, TtyPainter, type FrameLine } from '../watch-render.js';
import { intArg } from './worker.js';

const LIVE: RunStatus[] = ['pending', 'running', 'sleeping', 'waiting', 'parked'];

/** How `watch RUN` exits once the run stopped moving: by its outcome. */
const ENDED: Partial<Record<RunStatus, number>> = { completed: EXIT.OK, failed: EXIT.RUN_FAILED, cancelled: EXIT.RUN_CANCELLED, parked: EXIT.RUN_PARKED };

function intervalArg(value: string): number {
  const ms = intArg(value, '--interval');
  if (ms < 10) throw new CliError(`--interval must be at least 10 ms (got ${ms})`, EXIT.USAGE);
  return ms;
}

export function registerWatch(program: Command): void {
  program
    .command('watch')
    .description('a live view: one run (steps, attempts, activity, progress, ETA) until it ends, or every live run')
    .argument('[run]', 'run id (default: every run not ended)')
    .option('--interval <ms>', 'how often the database is read, at most (default 1000, at least 10)', intervalArg, 1000)
    .option('--once', 'print the view once and exit (for scripts)')
    .option('-w, --workflow <name>', 'without RUN: only runs of this workflow')
    .action(async (runId: string | undefined, opts: { interval: number; once?: boolean; workflow?: string }, cmd: Command) => {
      const { lifeline, close } = await openLifelineReadOnly(cmd.optsWithGlobals<GlobalOptions>());
      const first = terminalOf(process.stdout, process.env);
      const tp = first ? new TtyPainter(first) : null;
      const plain = new PlainPainter();
      const paint = (frame: FrameLine[]) => {
        if (tp) tp.term = terminalOf(process.stdout, process.env) ?? tp.term; // the width follows a resize
        process.stdout.write(tp ? tp.paint(frame) : plain.paint(frame));
      };

      const stop = new AbortController();
      let stoppedBy: NodeJS.Signals | null = null;
      const onSignal = (signal: NodeJS.Signals) => {
        stoppedBy = signal;
        stop.abort();
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      let poke: (() => void) | null = null;
      const unsubscribe = lifeline.store.onRunnable?.(() => poke?.());
      const nextTick = () =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(done, opts.interval);
          function done() {
            clearTimeout(timer);
            poke = null;
            stop.signal.removeEventListener('abort', done);
            resolve();
          }
          poke = done;
          stop.signal.addEventListener('abort', done);
        });

      try {
        for (;;) {
          if (runId === undefined) {
            const overviews = await listRunOverviews(lifeline, { status: LIVE, ...(opts.workflow ? { workflow: opts.workflow } : {}), limit: 200 });
            paint(listFrame(overviews));
            if (opts.once) return;
          } else {
            const o = await runOverview(lifeline, runId);
            if (o === null) throw new CliError(new RunNotFoundError(runId).message, EXIT.NOT_FOUND);
            const [steps, attempts] = await Promise.all([lifeline.store.getSteps(runId), lifeline.store.listAttempts(runId)]);
            paint(runFrame(o, steps, attempts));
            const ended = ENDED[o.run.status];
            if (ended !== undefined) {
              process.exitCode = ended;
              return;
            }
            if (opts.once) return;
          }
          await nextTick();
          if (stop.signal.aborted) {
            process.exitCode = exitCodeForSignal(stoppedBy ?? 'SIGINT');
            return;
          }
        }
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        unsubscribe?.();
        await close();
      }
    });
}
