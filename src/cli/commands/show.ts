import type { Command } from 'commander';
import { fromJson } from '../../store/serialize.js';
import { RunNotFoundError } from '../../errors/store-errors.js';
import { CliError } from '../cli-error.js';
import { EXIT } from '../exit-codes.js';
import { openLifelineReadOnly, type GlobalOptions } from '../open.js';
import { printTable } from './runs.js';
import { TERMINAL_STATUSES, type EventRecord, type RunStatus, type StepRecord } from '../../store/types.js';
import type { EventMap, GateOutcome } from '../../store/events.js';
import { printRecoveries } from './recovery.js';
import { deferralOf, describeDeferral } from '../deferral.js';
import { runOverview } from '../../observe/run-overview.js';
import type { StepGenerationRecord } from '../../store/rewind.js';
import { printMessages, shownMessages } from './show-messages.js';

export function registerShow(program: Command): void {
  program
    .command('show')
    .description('a run with its steps, attempts, errors and durations')
    .argument('<run>', 'run id')
    .option('--json', 'print JSON (run, steps, attempts, messages, events)')
    .action(async (runId: string, opts: { json?: boolean }, cmd: Command) => {
      const { lifeline, close } = await openLifelineReadOnly(cmd.optsWithGlobals<GlobalOptions>());
      const run = await lifeline.getRun(runId);
      if (!run) {
        await close();
        throw new CliError(new RunNotFoundError(runId).message, EXIT.NOT_FOUND);
      }
      const [steps, attempts, recoveries, generations, signals] = await Promise.all([
        lifeline.store.getSteps(runId),
        lifeline.store.listAttempts(runId),
        lifeline.recoveries({ runId }),
        lifeline.listStepGenerations(runId),
        lifeline.store.listSignals({ runId }),
      ]);
      const messages = shownMessages(signals);
      const events = await lifeline.store.listEvents({ runId });
      const overview = await runOverview(lifeline, runId);
      await close();
      if (opts.json) {
        const parsedSteps = steps.map((s) => ({ ...s, output: s.status === 'completed' ? fromJson(s.output) : s.output }));
        process.stdout.write(
          `${JSON.stringify(
            {
              run,
              activity: overview?.activity,
              progress: overview?.progress,
              steps: parsedSteps,
              attempts,
              recoveries,
              earlierGenerations: generations.map((s) => ({ ...s, output: s.status === 'completed' ? fromJson(s.output) : s.output })),
              messages,
              events: events.map((e) => ({ ...e, data: fromJson(e.data) })),
            },
            null,
            2,
          )}\n`,
        );
        return;
      }
      process.stdout.write(`run       ${run.id}\nworkflow  ${run.workflow}\n${run.version === null ? '' : `version   ${run.version}\n`}`);
      process.stdout.write(`status    ${run.status}\ncreated   ${new Date(run.createdAt).toISOString()}\n`);
      if (run.generation !== undefined) process.stdout.write(`generation ${run.generation} (rewound ${run.generation - 1} time(s); earlier results below)\n`);
      if (overview && overview.activity.state !== run.status) process.stdout.write(`activity  ${overview.activity.state}: ${overview.activity.reason}\n`);
      else if (overview && !TERMINAL_STATUSES.includes(run.status) && overview.activity.reason !== run.status)
        process.stdout.write(`activity  ${overview.activity.reason}\n`);
      if (overview) process.stdout.write(`progress  ${overview.progress.text}\n`);
      if (run.wakeAt) process.stdout.write(`wakes at  ${new Date(run.wakeAt).toISOString()}\n`);
      if (run.compensation) process.stdout.write(`compensation ${run.compensation}\n`);
      const deferral = deferralOf(run, events);
      if (deferral) process.stdout.write(`gate      ${describeDeferral(deferral)}\n`);
      if (run.error) process.stdout.write(`${run.status === 'parked' ? 'parked  ' : 'error   '}  [${run.error.errorClass}] ${run.error.message}\n`);
      if (run.claimsWithoutProgress > 0 && run.status !== 'completed')
        process.stdout.write(`claims    ${run.claimCount} (${run.claimsWithoutProgress} since the last committed step)\n`);
      if (run.status === 'completed') process.stdout.write(`output    ${JSON.stringify(run.output)}\n`);
      writeAgentEvents(events);
      writeGates(steps);
      process.stdout.write('\nsteps\n');
      printTable(
        ['STEP', 'KIND', 'STATUS', 'ATTEMPTS', 'DURATION', 'ERROR'],
        steps.map((s) => [
          s.stepId,
          s.kind,
          shownStatus(s, run, lifeline.clock.now()),
          String(s.attempts),
          s.completedAt ? `${s.completedAt - s.startedAt} ms` : '',
          s.error ? `[${s.error.errorClass}] ${s.error.message}` : '',
        ]),
      );
      if (attempts.length) {
        process.stdout.write('\nattempts\n');
        printTable(
          ['STEP', '#', 'OUTCOME', 'CLASS', 'DURATION', 'WORKER', 'MESSAGE'],
          attempts.map((a) => [
            a.alternative === null ? a.stepId : `${a.stepId} → ${a.alternative}`,
            String(a.attempt),
            a.outcome,
            a.errorClass ?? '',
            a.durationMs === null ? '' : `${a.durationMs} ms`,
            a.workerId,
            (a.movedOn ?? a.errorMessage ?? '').slice(0, 100),
          ]),
        );
      }
      printMessages(messages);
      printRecoveries(recoveries);
      writeGenerations(generations);
    });
}

/** The step results rewinds set aside (`lifeline rewind`), oldest generation first. */
function writeGenerations(generations: readonly StepGenerationRecord[]): void {
  if (generations.length === 0) return;
  process.stdout.write('\nearlier generations (set aside by rewind)\n');
  printTable(
    ['GEN', 'STEP', 'KIND', 'STATUS', 'ATTEMPTS', 'SET ASIDE', 'RESULT'],
    generations.map((s) => [
      String(s.generation),
      s.stepId,
      s.kind,
      s.status,
      String(s.attempts),
      new Date(s.setAsideAt).toISOString(),
      (s.error ? `[${s.error.errorClass}] ${s.error.message}` : (s.output ?? '')).slice(0, 100),
    ]),
  );
}

/** What the workflow reported about itself: degraded outputs and detected loops. */
function writeAgentEvents(events: readonly EventRecord[]): void {
  for (const event of events) {
    if (event.type === 'run.degraded') {
      const d = fromJson<EventMap['run.degraded']>(event.data);
      process.stdout.write(`degraded  ${d.name}: level ${d.level}, missing ${d.missing.map((m) => m.section).join(', ') || 'nothing'}\n`);
      for (const m of d.missing) process.stdout.write(`          - ${m.section}: ${m.reason}\n`);
    } else if (event.type === 'run.loop_detected') {
      const d = fromJson<EventMap['run.loop_detected']>(event.data);
      process.stdout.write(`loop      ${d.guard}: ${d.kind} (${d.detail}) -> ${d.level}${d.signal ? `, waits for signal "${d.signal}"` : ''}\n`);
    }
  }
}

/** Each quality gate (a completed `gate:<name>` step, src/gates/): its mode, verdict and failing checks. */
function writeGates(steps: readonly StepRecord[]): void {
  for (const step of steps) {
    if (!step.name.startsWith('gate:') || step.status !== 'completed' || step.kind !== 'step') continue;
    const g = fromJson<GateOutcome>(step.output);
    if (g === null || typeof g !== 'object' || !Array.isArray(g.checks)) continue;
    const failed = g.checks.filter((c) => !c.pass);
    const counts = g.verdict === 'skipped' ? 'no check run' : `${g.checks.length - failed.length}/${g.checks.length} checks passed`;
    const source = g.source === 'option' || g.source === 'default' ? '' : ` from ${g.source}`;
    process.stdout.write(`gate      ${g.gate}: ${g.verdict} (mode ${g.mode}${source}), ${counts}\n`);
    for (const c of failed) process.stdout.write(`          - ${c.name}${c.detail ? `: ${c.detail}` : ''}\n`);
  }
}

/**
 * A sleep's record is committed (status completed) when the sleep begins; while the run still
 * sleeps on it (neither its time has come nor was the run woken: `resume` sets the run's wake
 * time to now), show it as sleeping until its wake time.
 */
function shownStatus(step: StepRecord, run: { status: RunStatus; wakeAt: number | null }, now: number): string {
  if (step.error?.defaulted === true) return 'defaulted';
  if (step.kind !== 'sleep' || run.status !== 'sleeping' || step.status !== 'completed' || run.wakeAt === null || run.wakeAt <= now) return step.status;
  const { wakeAt } = fromJson<{ wakeAt: number }>(step.output);
  return wakeAt > now ? `sleeping until ${new Date(wakeAt).toISOString()}` : step.status;
}
