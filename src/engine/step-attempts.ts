import { classifyError, decideRetry, runWithTimeout, type Classification, type RetryDecision, type RetryPolicy } from '../policy/index.js';
import { StepTimeoutError } from '../errors/timeout-errors.js';
import { StepFailedError } from '../errors/workflow-errors.js';
import { LeaseLostError } from '../errors/store-errors.js';
import { fromJson, toJson } from '../store/serialize.js';
import type { StepInfo, StepOptions, StepUsage } from '../workflow/context.js';
import { checkUsage } from '../options/limit-options.js';
import { redactMessage, toStoredError } from './stored-error.js';
import type { AttemptHost } from './attempt-host.js';
import { startAttemptFenced } from './fenced-start.js';
import { admitAll, type Admission, type GateOutcome } from './step-gates.js';
import { assertLimitsGate } from './limit-gate.js';
import { monotonicNow } from '../time/clock.js';

export interface StepCall {
  stepId: string;
  name: string;
  seq: number;
  fn: (info: StepInfo) => unknown;
  options: StepOptions;
}

export type StepOutcome = { kind: 'completed'; value: unknown } | { kind: 'failed'; error: Error } | { kind: 'parked' };

/** One step's call with what is resolved once for all its attempts. */
interface StepPlan {
  call: StepCall;
  policy: RetryPolicy;
  timeoutMs: number | undefined;
  startedAt: number;
  idempotencyKey: string;
}

type AttemptResult = { ok: true; output: string } | { ok: false; error: unknown };

/** A failed attempt, classified, with what to do about it. */
interface AttemptFailure {
  error: unknown;
  classification: Classification;
  outcome: 'timeout' | 'failed';
  message: string;
  decision: RetryDecision;
}

const PARKED: StepOutcome = { kind: 'parked' };

/**
 * The attempt loop of one step: run with timeout, commit on success, classify a failure and
 * either wait (durably counted: attempt numbers continue across crashes) and try again, or
 * commit the final failure. Returns `parked` when the run stopped being ours to drive
 * (cancelled, shutting down, lease lost): the workflow must not observe a spurious error then.
 */
export async function runStepAttempts(host: AttemptHost, call: StepCall): Promise<StepOutcome> {
  let plan: StepPlan;
  try {
    plan = planStep(host, call);
  } catch (error) {
    return { kind: 'failed', error: error as Error };
  }
  const prior = host.priorAttempts.get(call.stepId) ?? { total: 0, failed: 0 };
  let attempt = prior.total;
  let failures = prior.failed;
  for (;;) {
    attempt++;
    // Shared breakers and limits first: a "not now" defers the step before an attempt is used.
    const gate = await admitAttempt(host, plan, attempt);
    if (gate.kind === 'deferred') return deferStep(host, plan, gate.admission);
    // Awaited before every body: the attempt row is written (a crash cannot lose it, its number
    // is never reused) and the lease proven and extended, so a worker that stalled past its lease
    // never runs a step another worker took over (see fenced-start.ts).
    if (!(await startAttemptFenced(host, { stepId: call.stepId, stepName: call.name, attempt }))) {
      gate.settle({ kind: 'abandoned' });
      return PARKED;
    }
    const began = monotonicNow(host.deps.clock);
    const used = new UsageMeter();
    const result = gate.kind === 'error' ? { ok: false as const, error: gate.error } : await runAttempt(host, plan, attempt, used);
    const durationMs = monotonicNow(host.deps.clock) - began;
    const usage = used.usage();
    if (result.ok) {
      gate.settle({ kind: 'succeeded', durationMs, ...usage });
      return commitSuccess(host, plan, attempt, result.output);
    }
    if (host.signal.aborted) {
      gate.settle({ kind: 'abandoned' });
      return recordInterrupted(host, call.stepId, attempt);
    }
    failures++;
    const failure = assessFailure(host, plan, failures, result.error);
    gate.settle(gate.kind === 'error' ? { kind: 'abandoned' } : { kind: 'failed', durationMs, classification: failure.classification, ...usage });
    if (!failure.decision.retry) return commitFinalFailure(host, plan, attempt, failure, failure.decision.reason);
    if (!(await recordRetry(host, plan, attempt, failure, failure.decision.delayMs))) return PARKED;
  }
}

type GateVerdict =
  | { kind: 'admitted'; settle(outcome: GateOutcome): void }
  | { kind: 'error'; error: unknown; settle(outcome: GateOutcome): void }
  | { kind: 'deferred'; admission: Extract<Admission, { admitted: false }> };

const NO_SETTLE = (): void => {};

/** Asks the step gates (step-gates.ts); a gate that throws fails the attempt with its error. */
async function admitAttempt(host: AttemptHost, plan: StepPlan, attempt: number): Promise<GateVerdict> {
  const gates = host.deps.gates;
  const { stepId, name, options } = plan.call;
  try {
    assertLimitsGate(gates, { options, stepName: name });
  } catch (error) {
    return { kind: 'error', error, settle: NO_SETTLE };
  }
  if (!gates || gates.length === 0) return { kind: 'admitted', settle: NO_SETTLE };
  try {
    const admission = await admitAll(gates, {
      runId: host.runId,
      workflow: host.workflow.name,
      stepId,
      stepName: name,
      attempt,
      workerId: host.deps.workerId,
      now: host.deps.clock.now(),
      options,
    });
    if (!admission.admitted) return { kind: 'deferred', admission };
    return { kind: 'admitted', settle: (outcome) => void admission.settle?.(outcome) };
  } catch (error) {
    return { kind: 'error', error, settle: NO_SETTLE };
  }
}

/** A gate said "not now": recorded (soft), and the run sleeps until the gate's time without using an attempt. */
function deferStep(host: AttemptHost, plan: StepPlan, refusal: Extract<Admission, { admitted: false }>): StepOutcome {
  const { stepId } = plan.call;
  // Never in the past: a run released already due would be claimed and deferred again at once.
  const retryAt = Math.max(refusal.retryAt, host.deps.clock.now() + 1);
  const deferred = host.event('step.deferred', { stepId, gate: refusal.gate, reason: refusal.reason, retryAt });
  track(
    host,
    host.publish([deferred], (events) => host.deps.store.appendEvents(events)),
  );
  host.defer(retryAt);
  return PARKED;
}

/** Resolves the step's retry policy and timeout (a bad option throws: the step fails with it). */
function planStep(host: AttemptHost, call: StepCall): StepPlan {
  const policy = host.retryPolicy(call.options, call.name);
  const timeoutMs = host.stepTimeoutMs(call.options, call.name);
  return { call, policy, timeoutMs, startedAt: host.deps.clock.now(), idempotencyKey: `${host.runId}:${call.stepId}` };
}

/** Runs the step body once, under its timeout and the run's signal; its result as JSON. */
async function runAttempt(host: AttemptHost, plan: StepPlan, attempt: number, used: UsageMeter): Promise<AttemptResult> {
  const { call, idempotencyKey, timeoutMs } = plan;
  const { stepId } = call;
  // Cancelled or shutting down meanwhile: recorded by the caller, the body never runs.
  if (host.signal.aborted) return { ok: false, error: host.signal.reason };
  try {
    const value = await runWithTimeout(
      (signal) => call.fn({ signal, attempt, idempotencyKey, runId: host.runId, stepId, reportUsage: used.report }) as Promise<unknown>,
      {
        timeoutMs,
        stepId,
        clock: host.deps.clock,
        parentSignal: host.signal,
      },
    );
    return { ok: true, output: toJson(value, `Result of step "${stepId}"`, host.deps.maxPayloadBytes) };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Commits the step as completed with its attempt; parked when the commit was refused. */
async function commitSuccess(host: AttemptHost, plan: StepPlan, attempt: number, output: string): Promise<StepOutcome> {
  const { stepId, name, seq } = plan.call;
  const now = host.deps.clock.now();
  // The step row and the attempt row are the durable record of a completion; an event row
  // too would add two WAL pages to every step's commit (see docs/decisions), so the
  // completion event is published in-process only.
  const committed = await host.guardCommit(() =>
    host.publish([host.event('step.completed', { stepId, attempt })], () =>
      host.storeCall(
        () =>
          host.deps.store.commitStep({
            runId: host.runId,
            token: host.token,
            now,
            step: { stepId, name, seq, kind: 'step', status: 'completed', output, error: null, attempts: attempt, startedAt: plan.startedAt, completedAt: now },
            attempt: { attempt, endedAt: now, outcome: 'succeeded' },
          }),
        { abortable: true, commit: true },
      ),
    ),
  );
  if (!committed) return parkRefused(host, stepId, attempt);
  // The committed form, so the first execution sees exactly what a replay will.
  return { kind: 'completed', value: fromJson(output) };
}

/** The run was cancelled or interrupted during the attempt: its end is recorded, the step parks. */
async function recordInterrupted(host: AttemptHost, stepId: string, attempt: number): Promise<StepOutcome> {
  // Awaited: the run's final write (cancelled, failed, released) comes after it and clears the lease.
  const outcome = host.stateKind === 'cancelling' ? 'cancelled' : 'interrupted';
  await host.deps.store
    .endAttempt({
      runId: host.runId,
      token: host.token,
      stepId,
      attempt,
      endedAt: host.deps.clock.now(),
      outcome,
      errorClass: outcome,
      errorMessage: redactMessage(messageOf(host.signal.reason)),
    })
    .catch(() => {}); // bookkeeping only: a refused or failed write changes nothing for the run
  return PARKED;
}

/**
 * What the failure was (classified by the step's rules, then the workflow's) and whether the
 * policy retries it after `failures` counted failures.
 */
function assessFailure(host: AttemptHost, plan: StepPlan, failures: number, error: unknown): AttemptFailure {
  const classifiers = [...(plan.call.options.classifiers ?? []), ...(host.workflow.options.classifiers ?? [])];
  const classification = classifyError(error, classifiers, host.deps.clock.now());
  const outcome = error instanceof StepTimeoutError ? 'timeout' : 'failed';
  const message = redactMessage(messageOf(error));
  const decision = decideRetry(plan.policy, failures, classification, Math.random);
  return { error, classification, outcome, message, decision };
}

/** Ends the attempt (a soft write) and waits out the backoff; false when the run stopped meanwhile. */
async function recordRetry(host: AttemptHost, plan: StepPlan, attempt: number, failure: AttemptFailure, delayMs: number): Promise<boolean> {
  const { stepId } = plan.call;
  const { store, clock } = host.deps;
  const { classification, outcome, message } = failure;
  const retryEvent = host.event('step.retrying', { stepId, attempt, errorClass: classification.errorClass, delayMs, message });
  track(
    host,
    host.publish([retryEvent], (events) =>
      store.endAttempt({
        runId: host.runId,
        token: host.token,
        stepId,
        attempt,
        endedAt: clock.now(),
        outcome,
        errorClass: classification.errorClass,
        errorMessage: message,
        events,
      }),
    ),
  );
  try {
    await clock.sleep(delayMs, host.signal);
    return true;
  } catch {
    return false; // cancelled or shutting down while waiting to retry
  }
}

/** Commits the step as failed for good; the workflow sees a StepFailedError. */
async function commitFinalFailure(host: AttemptHost, plan: StepPlan, attempt: number, failure: AttemptFailure, reason: string): Promise<StepOutcome> {
  const { stepId, name, seq } = plan.call;
  const {
    classification: { errorClass },
    outcome,
    message,
  } = failure;
  const now = host.deps.clock.now();
  const stored = toStoredError(failure.error, { errorClass, stepId, attempts: attempt });
  const committed = await host.guardCommit(() =>
    host.publish([host.event('step.failed', { stepId, attempt, errorClass, message, reason })], (events) =>
      host.storeCall(
        () =>
          host.deps.store.commitStep({
            runId: host.runId,
            token: host.token,
            now,
            step: {
              stepId,
              name,
              seq,
              kind: 'step',
              status: 'failed',
              output: null,
              error: stored,
              attempts: attempt,
              startedAt: plan.startedAt,
              completedAt: now,
            },
            attempt: { attempt, endedAt: now, outcome, errorClass, errorMessage: message },
            events,
          }),
        { abortable: true, commit: true },
      ),
    ),
  );
  if (!committed) return parkRefused(host, stepId, attempt);
  return { kind: 'failed', error: new StepFailedError(stepId, errorClass, attempt, message) };
}

/** A commit refused: the attempt is recorded as failed if the store refused it for good, the step parks. */
async function parkRefused(host: AttemptHost, stepId: string, attempt: number): Promise<StepOutcome> {
  await host.endRefusedAttempt(stepId, attempt);
  return PARKED;
}

/** What one attempt's body reported with StepInfo.reportUsage (summed), handed to the gates when it ends. */
class UsageMeter {
  private tokens: number | undefined;
  readonly report = (usage: StepUsage): void => {
    this.tokens = (this.tokens ?? 0) + checkUsage(usage);
  };
  usage(): { usage?: StepUsage } {
    return this.tokens === undefined ? {} : { usage: { tokens: this.tokens } };
  }
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : String(error);
}

/** Soft writes are not awaited; a failure of one must still be seen, never swallowed. */
function track(host: AttemptHost, write: Promise<void>): void {
  write.catch((error: unknown) => {
    if (error instanceof LeaseLostError) host.leaseLost();
    else host.deps.emit(host.event('store.soft_write_failed', { message: redactMessage(messageOf(error)) }));
  });
}
