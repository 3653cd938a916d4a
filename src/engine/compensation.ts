// Compensation (issue 12 §3: sagas and rollback on demand). The compensations live in code, so a
// worker learns them by replaying the workflow: every completed step with `compensate` that the
// function passes (executed or replayed) is registered here. When the run fails for good, is
// cancelled, or is rolled back, they run latest-completed first, each a durable step of its own
// (`compensate:<step id>`, at a seq no workflow call reaches) through the normal attempt loop,
// under a fresh abort signal (a cancel aborted the run's own). The run stays running (leased,
// heartbeating) meanwhile; a worker that dies midway leaves compensation `running`, and the next
// claim replays in discovery mode (calls without a record park instead of executing), skips the
// committed compensations and runs the rest. docs/decisions/2026-11-30-compensation.md.
import { CompensationFailedError } from '../errors/compensation-errors.js';
import { COMPENSATION_SEQ_BASE, compensationStepId } from '../store/compensation.js';
import type { CompensationReason } from '../store/events.js';
import type { CompensationState, StepRecord, StoredError } from '../store/types.js';
import type { CompensationInfo, StepOptions } from '../workflow/context.js';
import { RAN_WITH_COMPENSATION } from '../insight/ran-with.js';
import { runStepAttempts } from './step-attempts.js';
import { toStoredError } from './stored-error.js';
import { finishCancelled, finishCompleted, finishFailed, settleState, type ExecutionOutcome } from './final-writes.js';
import type { RunExecution } from './run-execution.js';

/** A completed step that declared a compensation, as this execution met it. */
export interface Compensable {
  stepId: string;
  name: string;
  seq: number;
  completedAt: number;
  /** The step's output as stored (what replay returns). */
  output: unknown;
  options: StepOptions;
}

/** The compensable steps this execution met, by step id. */
export class CompensationRegistry {
  private readonly byId = new Map<string, Compensable>();

  add(step: Compensable): void {
    if (!this.byId.has(step.stepId)) this.byId.set(step.stepId, step);
  }

  has(stepId: string): boolean {
    return this.byId.has(stepId);
  }

  /** Latest completed first; among steps completed at the same instant, the later call first. */
  ordered(): Compensable[] {
    return [...this.byId.values()].sort((a, b) => b.completedAt - a.completedAt || b.seq - a.seq);
  }
}

/** The completed steps of a history that declared a compensation (the ran_with bit), in call order. */
export function compensableIds(history: ReadonlyMap<string, StepRecord>): string[] {
  return [...history.values()]
    .filter((s) => s.status === 'completed' && ((s.ranWith ?? 0) & RAN_WITH_COMPENSATION) !== 0)
    .sort((a, b) => a.seq - b.seq)
    .map((s) => s.stepId);
}

interface Report {
  compensated: string[];
  failed: string[];
  /** Stopped before the end (shutdown, lease lost, a deferral): the next claim goes on. */
  stopped: boolean;
}

/**
 * Runs the compensations of `x` for `reason` and finishes the run: failed (its error, or a
 * CompensationFailedError naming what was not undone), cancelled, or, for a rollback, as it was.
 * Null when there is nothing to compensate and nothing asked for it (`asked` false): the caller
 * finishes the run as it would have.
 */
export async function compensateAndFinish(
  x: RunExecution,
  reason: CompensationReason,
  options: { error: StoredError | null; asked: boolean },
): Promise<ExecutionOutcome | null> {
  const expected = compensableIds(x.history.byId);
  if (!expected.every((id) => x.compensations.has(id))) await x.discover();
  const entries = x.compensations.ordered();
  const unreached = expected.filter((id) => !x.compensations.has(id));
  if (entries.length === 0 && unreached.length === 0 && !options.asked) return null;
  x.beginCompensating();
  const steps = entries.map((e) => e.stepId);
  const started = await setState(x, 'running', [x.event('run.compensating', { reason, steps })], options.error ?? undefined);
  if (!started) return afterStop(x);
  const report = await runCompensations(x, entries, reason);
  if (report.stopped) return afterStop(x);
  const complete = report.failed.length === 0 && unreached.length === 0;
  const ended = x.event('run.compensated', { reason, compensated: report.compensated, failed: report.failed, unreached });
  if (!(await setState(x, complete ? 'done' : 'failed', [ended]))) return afterStop(x);
  const failedWith = reason === 'cancelled' ? undefined : options.error?.message;
  const failure = complete ? null : toStoredError(new CompensationFailedError(x.runId, report.failed, unreached, failedWith));
  if (reason === 'cancelled') return finishCancelled(x, failure ?? undefined);
  if (options.error !== null) return finishFailed(x, failure ?? options.error);
  return finishCompleted(x, x.run.output ?? 'null');
}

/** Each compensation in turn; a committed one (an earlier claim's) is not run again. */
async function runCompensations(x: RunExecution, entries: readonly Compensable[], reason: CompensationReason): Promise<Report> {
  const report: Report = { compensated: [], failed: [], stopped: false };
  for (const entry of entries) {
    const stepId = compensationStepId(entry.stepId);
    const committed = x.history.byId.get(stepId);
    if (committed !== undefined) {
      (committed.status === 'completed' ? report.compensated : report.failed).push(entry.stepId);
      continue;
    }
    const { options } = entry;
    const compensate = options.compensate as NonNullable<StepOptions['compensate']>;
    const retry = options.compensateRetry ?? options.retry;
    const outcome = await runStepAttempts(x, {
      stepId,
      name: compensationStepId(entry.name),
      // Descending from the top of the range: `lifeline show` lists the compensations in the order they ran.
      seq: 2 * COMPENSATION_SEQ_BASE - 1 - entry.seq,
      fn: (info) => compensate(entry.output, Object.assign(info, { reason, compensatedStepId: entry.stepId }) as CompensationInfo),
      options: {
        ...(retry === undefined ? {} : { retry }),
        ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
        ...(options.classifiers === undefined ? {} : { classifiers: options.classifiers }),
      },
    });
    if (outcome.kind === 'parked') return { ...report, stopped: true };
    const ok = outcome.kind === 'completed';
    (ok ? report.compensated : report.failed).push(entry.stepId);
    const message = outcome.kind === 'failed' ? outcome.error.message : undefined;
    x.deps.emit(x.event('step.compensated', { stepId: entry.stepId, compensationStepId: stepId, ok, ...(message === undefined ? {} : { message }) }));
  }
  return report;
}

/** The run's compensation state, fenced, with its events; false when this worker must stop driving the run. */
function setState(x: RunExecution, state: CompensationState, events: ReturnType<RunExecution['event']>[], error?: StoredError): Promise<boolean> {
  return x.guardCommit(() =>
    x.publish(events, (published) =>
      x.storeCall(
        () =>
          x.store.setCompensation({
            runId: x.runId,
            token: x.token,
            now: x.clock.now(),
            state,
            ...(error === undefined ? {} : { error }),
            events: published,
          }),
        { abortable: true },
      ),
    ),
  );
}

/**
 * The compensations stopped before the end: the run goes back (pending, or the sleep a deferral
 * asked for) with its compensation `running`, and the next claim goes on; a lost lease is the
 * other worker's, a store refusal fails the run with it.
 */
function afterStop(x: RunExecution): Promise<ExecutionOutcome> {
  const state = x.currentState;
  if (state.kind === 'running' || state.kind === 'cancelling') return settleState(x, { kind: 'stopping' });
  return settleState(x, state);
}
