import { classifyError, decideRetry, runWithTimeout } from '../policy/index.js';
import { StepTimeoutError } from '../errors/timeout-errors.js';
import { StepFailedError } from '../errors/workflow-errors.js';
import { LeaseLostError } from '../errors/store-errors.js';
import { fromJson, toJson } from '../store/serialize.js';
import type { StepInfo, StepOptions } from '../workflow/context.js';
import { redactMessage, toStoredError } from './stored-error.js';
import type { RunExecution } from './run-execution.js';
import { startAttemptFenced } from './fenced-start.js';

export interface StepCall {
  stepId: string;
  name: string;
  seq: number;
  fn: (info: StepInfo) => unknown;
  options: StepOptions;
}

export type StepOutcome = { kind: 'completed'; value: unknown } | { kind: 'failed'; error: Error } | { kind: 'parked' };

/**
 * The attempt loop of one step: run with timeout, commit on success, classify a failure and
 * either wait (durably counted: attempt numbers continue across crashes) and try again, or
 * commit the final failure. Returns `parked` when the run stopped being ours to drive
 * (cancelled, shutting down, lease lost): the workflow must not observe a spurious error then.
 */
export async function runStepAttempts(exec: RunExecution, call: StepCall): Promise<StepOutcome> {
  const { stepId, name, seq } = call;
  const { store, clock } = exec.deps;
  let policy;
  let timeoutMs;
  try {
    policy = exec.retryPolicy(call.options, name);
    timeoutMs = exec.stepTimeoutMs(call.options, name);
  } catch (error) {
    return { kind: 'failed', error: error as Error };
  }
  const prior = exec.priorAttempts.get(stepId) ?? { total: 0, failed: 0 };
  let attempt = prior.total;
  let failures = prior.failed;
  const startedAt = clock.now();
  const idempotencyKey = `${exec.runId}:${stepId}`;

  for (;;) {
    attempt++;
    // Awaited before every body: the attempt row is written (a crash cannot lose it, its number
    // is never reused) and the lease proven and extended, so a worker that stalled past its lease
    // never runs a step another worker took over (see fenced-start.ts).
    if (!(await startAttemptFenced(exec, { stepId, stepName: name, attempt }))) return { kind: 'parked' };
    let result: { ok: true; output: string } | { ok: false; error: unknown };
    if (exec.signal.aborted) {
      result = { ok: false, error: exec.signal.reason }; // cancelled or shutting down meanwhile: recorded below, the body never runs
    } else {
      try {
        const value = await runWithTimeout((signal) => call.fn({ signal, attempt, idempotencyKey, runId: exec.runId, stepId }) as Promise<unknown>, {
          timeoutMs,
          stepId,
          clock,
          parentSignal: exec.signal,
        });
        result = { ok: true, output: toJson(value, `Result of step "${stepId}"`, exec.deps.maxPayloadBytes) };
      } catch (error) {
        result = { ok: false, error };
      }
    }
    if (result.ok) {
      const { output } = result;
      const now = clock.now();
      // The step row and the attempt row are the durable record of a completion; an event row
      // too would add two WAL pages to every step's commit (see docs/decisions), so the
      // completion event is published in-process only.
      const committed = await exec.guardCommit(() =>
        exec.publish([exec.event('step.completed', { stepId, attempt })], () =>
          exec.storeCall(() => store.commitStep({
            runId: exec.runId,
            token: exec.token,
            now,
            step: { stepId, name, seq, kind: 'step', status: 'completed', output, error: null, attempts: attempt, startedAt, completedAt: now },
            attempt: { attempt, endedAt: now, outcome: 'succeeded' },
          }), { abortable: true, commit: true }),
        ),
      );
      if (!committed) {
        await exec.endRefusedAttempt(stepId, attempt);
        return { kind: 'parked' };
      }
      // The committed form, so the first execution sees exactly what a replay will.
      return { kind: 'completed', value: fromJson(output) };
    }
    const failure = result.error;
    if (exec.signal.aborted) {
      // Awaited: the run's final write (cancelled, failed, released) comes after it and clears the lease.
      const outcome = exec.stateKind === 'cancelling' ? 'cancelled' : 'interrupted';
      await store
        .endAttempt({ runId: exec.runId, token: exec.token, stepId, attempt, endedAt: clock.now(), outcome, errorClass: outcome, errorMessage: redactMessage(messageOf(exec.signal.reason)) })
        .catch(() => {}); // bookkeeping only: a refused or failed write changes nothing for the run
      return { kind: 'parked' };
    }
    const classification = classifyError(failure, [...(call.options.classifiers ?? []), ...(exec.workflow.options.classifiers ?? [])], clock.now());

    failures++;
    const outcome = failure instanceof StepTimeoutError ? 'timeout' : 'failed';
    const message = redactMessage(messageOf(failure));
    const decision = decideRetry(policy, failures, classification, Math.random);
    if (decision.retry) {
      const retryEvent = exec.event('step.retrying', { stepId, attempt, errorClass: classification.errorClass, delayMs: decision.delayMs, message });
      track(exec, exec.publish([retryEvent], (events) => store.endAttempt({ runId: exec.runId, token: exec.token, stepId, attempt, endedAt: clock.now(), outcome, errorClass: classification.errorClass, errorMessage: message, events })));
      try {
        await clock.sleep(decision.delayMs, exec.signal);
      } catch {
        return { kind: 'parked' }; // cancelled or shutting down while waiting to retry
      }
      continue;
    }

    const now = clock.now();
    const stored = toStoredError(failure, { errorClass: classification.errorClass, stepId, attempts: attempt });
    const committed = await exec.guardCommit(() =>
      exec.publish([exec.event('step.failed', { stepId, attempt, errorClass: classification.errorClass, message, reason: decision.reason })], (events) =>
        exec.storeCall(() => store.commitStep({
          runId: exec.runId,
          token: exec.token,
          now,
          step: { stepId, name, seq, kind: 'step', status: 'failed', output: null, error: stored, attempts: attempt, startedAt, completedAt: now },
          attempt: { attempt, endedAt: now, outcome, errorClass: classification.errorClass, errorMessage: message },
          events,
        }), { abortable: true, commit: true }),
      ),
    );
    if (!committed) {
      await exec.endRefusedAttempt(stepId, attempt);
      return { kind: 'parked' };
    }
    return { kind: 'failed', error: new StepFailedError(stepId, classification.errorClass, attempt, message) };
  }
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : String(error);
}

/** Soft writes are not awaited; a failure of one must still be seen, never swallowed. */
function track(exec: RunExecution, write: Promise<void>): void {
  write.catch((error: unknown) => {
    if (error instanceof LeaseLostError) exec.leaseLost();
    else exec.deps.emit(exec.event('store.soft_write_failed', { message: redactMessage(messageOf(error)) }));
  });
}
