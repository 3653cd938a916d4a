import type { Lifeline } from '../../engine/lifeline.js';
import { isTerminal } from '../../store/lifecycle.js';
import { EXIT, exitCodeForSignal } from '../exit-codes.js';

/**
 * Runs a worker in this process until `runId` ends or suspends (sleeping/waiting with nothing
 * due soon), then prints the result. SIGINT/SIGTERM stop the worker gracefully: leases are
 * released so the next command resumes at once.
 */
export async function executeUntilSettled(lifeline: Lifeline, runId: string, quiet: boolean): Promise<number> {
  // Only workers fire schedules: executing one run must not start the file's scheduled runs.
  const worker = lifeline.worker({ fireSchedules: false });
  let stopped: Promise<void> | null = null;
  let stoppedBy: NodeJS.Signals = 'SIGINT';
  const onSignal = (signal: NodeJS.Signals) => {
    stoppedBy = signal;
    process.stderr.write('\nstopping: letting running steps finish (Ctrl-C again to force)…\n');
    process.once('SIGINT', () => process.exit(EXIT.INTERRUPTED));
    stopped = worker.stop();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  worker.start();
  const run = await waitForEnd(lifeline, runId, () => stopped !== null);
  if (stopped) await stopped;
  await lifeline.close();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  if (!run) return exitCodeForSignal(stoppedBy);
  if (run.status === 'completed') {
    process.stdout.write(`${quiet ? '' : 'output: '}${JSON.stringify(run.output, null, quiet ? undefined : 2) ?? 'undefined'}\n`);
    return EXIT.OK;
  }
  if (run.status === 'failed') {
    process.stderr.write(`run ${runId} failed [${run.error?.errorClass ?? 'unknown'}]: ${run.error?.message ?? ''}\n`);
    return EXIT.RUN_FAILED;
  }
  if (run.status === 'cancelled') return EXIT.RUN_CANCELLED;
  if (run.status === 'parked') {
    process.stderr.write(`run ${runId} is parked: ${run.error?.message ?? ''}\n`);
    return EXIT.RUN_PARKED;
  }
  process.stdout.write(
    `run ${runId} is ${run.status}${run.wakeAt ? ` until ${new Date(run.wakeAt).toISOString()}` : ''}; a worker (lifeline worker FILE) will continue it.\n`,
  );
  return EXIT.RUN_SUSPENDED;
}

/** Resolves once the run is terminal, or suspended without a wake-up due within 2 s. */
async function waitForEnd(lifeline: Lifeline, runId: string, isStopped: () => boolean) {
  for (;;) {
    if (isStopped()) return null;
    const run = await lifeline.getRun(runId);
    if (!run) throw new Error(`run ${runId} vanished`);
    const settled = isTerminal(run.status) || run.status === 'parked';
    const parked = (run.status === 'waiting' || run.status === 'sleeping') && (run.wakeAt === null || run.wakeAt - lifeline.clock.now() > 2000);
    if (settled || parked) return run;
    await new Promise<void>((resolve) => {
      const timer = lifeline.clock.setTimer(100, done);
      function onEvent(e: { runId?: string; type: string }) {
        if (e.runId === runId && /^run\.(completed|failed|cancelled|sleeping|waiting|parked|escalated|recovering)$/.test(e.type)) done();
      }
      function done() {
        timer.cancel();
        lifeline.events.off('event', onEvent);
        resolve();
      }
      lifeline.events.on('event', onEvent);
    });
  }
}
