import { classifyError, decideRetry, runWithTimeout, type Classification, type RetryDecision } from '../policy/index.js';
import type { CallSignal } from '../policy/timeout.js';
import { StepTimeoutError } from '../errors/timeout-errors.js';
import { StepFailedError } from '../errors/workflow-errors.js';
import { LeaseLostError } from '../errors/store-errors.js';
import { fromJson, toJson } from '../store/serialize.js';
import type { ErrorClass } from '../errors/error-class.js';
import type { NewEvent } from '../store/store.js';
import type { AlternativeInfo, PreviousFailure, StepEventData, StepEventType, StepInfo, StepOptions } from '../workflow/context.js';
import {
  chainLegs,
  hopReason,
  movesChain,
  movesOnAfterRetries,
  movesOnAtOnce,
  resumePoint,
  skipOpenBreakers,
  stepLeg,
  type AlternativeGate,
  type AlternativeSkipper,
  type ChainCall,
  type Leg,
} from './fallback-chain.js';
import { redactMessage, storableKind, toStoredError } from './stored-error.js';
import type { AttemptHost } from './attempt-host.js';
import { startAttemptFenced } from './fenced-start.js';
import { admitAll, assertGatesConfigured, type Admission, type GateOutcome, type StepGate } from './step-gates.js';
import { monotonicNow } from '../time/clock.js';
import { createStepCosts } from '../costs/step-costs.js';
import type { AttemptTrace } from '../observe/run-trace.js';
import { askCache, commitCached, planStepCache, renewWhileRunning, settleCache, type StepCache } from './step-cache.js';
import { AttemptMeter } from './attempt-meter.js';
import { commitStepRecord } from './commit-step-record.js';
import { failureDetails, type FailureDetails } from './failure-details.js';
import { RAN_WITH_COMPENSATION, RAN_WITH_KEY_READ, RAN_WITH_RETRIES, RAN_WITH_SIDE_EFFECT, RAN_WITH_TIMEOUT } from '../insight/ran-with.js';

export interface StepCall {
  stepId: string;
  name: string;
  seq: number;
  fn: (info: StepInfo) => unknown;
  options: StepOptions;
  /** Set for ctx.fallback: `fn` is unused, the alternatives run in order. */
  chain?: ChainCall;
}

/** `defaulted`: a best-effort step failed and returned its default (it did not complete: nothing to compensate). */
export type StepOutcome = { kind: 'completed'; value: unknown; defaulted?: true } | { kind: 'failed'; error: Error } | { kind: 'parked' };

/** One step's call with what is resolved once for all its attempts. */
interface StepPlan {
  call: StepCall;
  kind: 'step' | 'fallback';
  legs: readonly Leg[];
  /** The classes that move a chain on; null for a plain step. */
  on: ReadonlySet<ErrorClass> | null;
  /** A best-effort step's default, as stored. */
  fallbackOutput: string | undefined;
  skip: AlternativeGate;
  startedAt: number;
  idempotencyKey: string;
  /** The step cache (StepOptions.cache) of a plain step; null without it. */
  cache: StepCache | null;
  /** What the step runs with (src/insight/ran-with.ts), without the key-read flag. */
  ranWith: number;
  /** StepOptions.tags, recorded on each attempt's start. */
  tags: Readonly<Record<string, string>> | undefined;
}

/** A failure carries the signal the body was given (classifyError reads an SDK abort error's reason from it). */
type AttemptResult = { ok: true; output: string } | { ok: false; error: unknown; signal?: AbortSignal };

/** A failed attempt, classified, with what to do about it. */
interface AttemptFailure {
  error: unknown;
  classification: Classification;
  outcome: 'timeout' | 'failed';
  message: string;
  decision: RetryDecision;
  /** The attempt row's insight details (failure-details.ts). */
  details: FailureDetails;
}

const PARKED: StepOutcome = { kind: 'parked' };

/**
 * The attempt loop of one step: run with timeout, commit on success, classify a failure and
 * either wait (durably counted: attempt numbers continue across crashes) and try again, move a
 * fallback chain on to its next alternative, or commit the final failure (a best-effort step's
 * default). Returns `parked` when the run stopped being ours to drive (cancelled, shutting down,
 * lease lost): the workflow must not observe a spurious error then.
 */
export async function runStepAttempts(host: AttemptHost, call: StepCall): Promise<StepOutcome> {
  let plan: StepPlan;
  try {
    plan = planStep(host, call);
  } catch (error) {
    return { kind: 'failed', error: error as Error };
  }
  if (plan.cache === null) return attemptLoop(host, plan);
  const outcome = await attemptLoop(host, plan);
  // A computed result is stored for the other runs; a failure, a default or a parked step only frees the key.
  await settleCache(host, plan.cache, outcome.kind === 'completed');
  return outcome;
}

async function attemptLoop(host: AttemptHost, plan: StepPlan): Promise<StepOutcome> {
  const { call } = plan;
  const prior = host.priorAttempts.get(call.stepId);
  let attempt = prior?.total ?? 0;
  let { index, failures } = plan.on === null ? { index: 0, failures: prior?.failed ?? 0 } : resumePoint(plan.legs, prior?.chain ?? []);
  // What StepInfo.previousFailures hands each attempt: the recorded failures, then this claim's.
  const failed: PreviousFailure[] = [...(prior?.failures ?? [])];
  for (;;) {
    const leg = plan.legs[index] as Leg;
    const next = plan.legs[index + 1];
    let skipped: string | null;
    try {
      skipped = next && leg.name !== null ? await plan.skip({ runId: host.runId, stepId: call.stepId, stepName: call.name }, leg) : null;
    } catch (error) {
      return { kind: 'failed', error: error as Error }; // an unknown breaker key: configuration
    }
    if (skipped !== null && next) {
      // Stored (a soft write, as a deferral's event): the run's history says why the alternative was not tried.
      const event = host.event('step.fallback', { stepId: call.stepId, from: leg.name as string, to: next.name as string, reason: skipped });
      track(
        host,
        host.publish([event], (events) => host.deps.store.appendEvents(events)),
      );
      index++;
      failures = 0;
      continue;
    }
    if (plan.cache !== null) {
      // The cache before the gates: a hit calls nothing, so no breaker or limit is asked.
      const asked = await askCache(host, plan.cache);
      if (asked.kind === 'hit') return commitHit(host, plan, attempt + 1, asked.claim);
      if (asked.kind === 'wait') return deferStep(host, plan, asked.refusal);
    }
    attempt++;
    // Shared breakers and limits first: a "not now" defers the step before an attempt is used.
    const gate = gatesAsked(host, plan, leg) ? await admitAttempt(host, plan, leg, attempt) : NO_GATES;
    if (gate.kind === 'deferred') return deferStep(host, plan, gate.admission);
    const used = new AttemptMeter();
    // The attempt's span (when tracing is on): the body runs in its context.
    const traced = host.trace?.attemptStarted(call.stepId, call.name, attempt, leg.name);
    host.deps.emit(host.event('step.started', { stepId: call.stepId, name: call.name, attempt, ...(leg.name === null ? {} : { alternative: leg.name }) }));
    // Everything the body needs is built before the fenced start: between its deadline check
    // and the body's first instruction nothing is awaited, only the call's few synchronous instructions run.
    const attemptRun = gate.kind === 'error' ? gateFailed(gate.error) : prepareAttempt(host, plan, leg, { attempt, failed: [...failed], traced }, used);
    let began = 0;
    const stopRenewing = plan.cache === null ? NO_RENEWAL : renewWhileRunning(host, plan.cache);
    // Awaited before every body: the attempt row is written (a crash cannot lose it, its number
    // is never reused) and the lease proven and extended, so a worker that stalled past its lease
    // never runs a step another worker took over (see fenced-start.ts).
    const start = { stepId: call.stepId, stepName: call.name, attempt, alternative: leg.name, host: host.deps.host ?? null, tags: plan.tags ?? null };
    const result = await startAttemptFenced(host, start, (checkedAt) => {
      began = checkedAt;
      return traced === undefined ? attemptRun() : traced.run(attemptRun);
    });
    stopRenewing();
    if (result === null) {
      traced?.stopped('abandoned');
      void gate.settle({ kind: 'abandoned' });
      return PARKED;
    }
    const durationMs = monotonicNow(host.deps.clock) - began;
    const usage = used.usage();
    if (result.ok) {
      traced?.succeeded();
      void gate.settle({ kind: 'succeeded', durationMs, ...usage });
      if (plan.cache !== null) plan.cache.output = result.output;
      return commitSuccess(host, plan, leg, attempt, result.output, durationMs, used);
    }
    if (host.signal.aborted) {
      traced?.stopped(host.stateKind === 'cancelling' ? 'cancelled' : 'interrupted');
      void gate.settle({ kind: 'abandoned' });
      return recordInterrupted(host, call.stepId, attempt);
    }
    failures++;
    const failure = assessFailure(host, plan, leg, failures, result.error, used, result.signal);
    const { classification: c, decision } = failure;
    failed.push({ attempt, errorClass: c.errorClass, message: failure.message, alternative: leg.name });
    const retried = decision.retry && !movesOnAtOnce(call.chain, next !== undefined, c);
    const hops = !retried && next !== undefined && movesOnAfterRetries(call.chain, true, c);
    traced?.failed({
      errorClass: c.errorClass,
      kind: errorKindOf(c).errorKind,
      name: errorNameOf(result.error),
      message: failure.message,
      willRetry: retried || hops,
    });
    // Awaited: a breaker counts the failure before the retry (or the next alternative) asks it again.
    await gate.settle(gate.kind === 'error' ? { kind: 'abandoned' } : { kind: 'failed', durationMs, classification: c, ...usage });
    if (retried) {
      if (!(await recordRetry(host, plan, leg, attempt, failure, decision.delayMs))) return PARKED;
      continue;
    }
    if (hops && next) {
      if (!(await recordHop(host, plan, leg, next, attempt, failure))) return PARKED;
      index++;
      failures = 0;
      continue;
    }
    const why = decision.retry ? 'not retried' : decision.reason; // retry is false here: a retried failure continued above
    const reason = call.chain !== undefined && movesChain(call.chain, c) ? `every alternative failed (last: ${why})` : why;
    return commitFinalFailure(host, plan, leg, attempt, failure, reason, used);
  }
}

type GateVerdict =
  | { kind: 'admitted'; settle(outcome: GateOutcome): Promise<void> }
  | { kind: 'error'; error: unknown; settle(outcome: GateOutcome): Promise<void> }
  | { kind: 'deferred'; admission: Extract<Admission, { admitted: false }> };

const NO_RENEWAL = (): void => {};
const NO_SETTLE = (): Promise<void> => Promise.resolve();
const NO_GATES: GateVerdict = { kind: 'admitted', settle: NO_SETTLE };

/**
 * Whether the attempt goes through admitAttempt: a gate is configured, or the step names a breaker
 * or limits (then a missing gate is a configuration error). Otherwise nothing is awaited.
 */
function gatesAsked(host: AttemptHost, plan: StepPlan, leg: Leg): boolean {
  const { options } = plan.call;
  return (host.deps.gates?.length ?? 0) > 0 || options.breaker !== undefined || (options.limits?.length ?? 0) > 0 || leg.breaker !== undefined;
}

/** Asks the step gates (step-gates.ts); a gate that throws fails the attempt with its error. */
async function admitAttempt(host: AttemptHost, plan: StepPlan, leg: Leg, attempt: number): Promise<GateVerdict> {
  const gates = host.deps.gates;
  const { stepId, name } = plan.call;
  // An alternative naming its own breaker goes through it (counted there, deferred while open when it is the last).
  const options = leg.breaker === undefined ? plan.call.options : { ...plan.call.options, breaker: leg.breaker };
  try {
    assertGatesConfigured(gates, { options, stepName: name });
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
      ...(leg.name === null ? {} : { alternative: leg.name }),
    });
    if (!admission.admitted) return { kind: 'deferred', admission };
    return { kind: 'admitted', settle: async (outcome) => admission.settle?.(outcome) }; // admitAll's settle never rejects
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

/** Resolves the legs' retry policies and timeouts (a bad option throws: the step fails with it). */
function planStep(host: AttemptHost, call: StepCall): StepPlan {
  const { chain, options } = call;
  const legs = chain ? chainLegs(host, call.name, chain) : [stepLeg(host, call.name, call.fn, options)];
  const fallbackOutput =
    options.optional === undefined ? undefined : toJson(options.optional.default, `step "${call.name}".optional.default`, host.deps.maxPayloadBytes);
  return {
    call,
    kind: chain ? 'fallback' : 'step',
    legs,
    on: chain ? chain.on : null,
    fallbackOutput,
    // The seam for skipping an alternative before it is tried (fallback-chain.ts): open shared breakers.
    skip: chain ? skipOpenBreakers((host.deps.gates ?? []).filter(isSkipper)) : () => null,
    startedAt: host.deps.clock.now(),
    idempotencyKey: `${host.runId}:${call.stepId}`,
    cache: chain ? null : planStepCache(host, call.stepId, call.name, options),
    ranWith: ranWithOf(legs, options),
    tags: options.tags,
  };
}

/** The coverage flags of a step from its resolved legs and options (insight/ran-with.ts). */
function ranWithOf(legs: readonly Leg[], options: StepOptions): number {
  let flags = 0;
  if (legs.some((l) => l.timeoutMs !== undefined)) flags |= RAN_WITH_TIMEOUT;
  if (legs.length > 1 || legs.some((l) => l.policy.maxAttempts > 1)) flags |= RAN_WITH_RETRIES;
  if (options.sideEffect === true) flags |= RAN_WITH_SIDE_EFFECT;
  if (options.compensate !== undefined) flags |= RAN_WITH_COMPENSATION;
  return flags;
}

/** A gate that threw fails the attempt with its error; the body does not run. */
function gateFailed(error: unknown): () => Promise<AttemptResult> {
  return () => Promise.resolve({ ok: false, error });
}

/**
 * Builds everything one run of the leg's body needs (its cost handle, StepInfo, the body under
 * its policy) and returns the call that runs it under its timeout and the run's signal, with its
 * result as JSON. The call reaches the step function synchronously: nothing is awaited before it.
 */
function prepareAttempt(
  host: AttemptHost,
  plan: StepPlan,
  leg: Leg,
  { attempt, failed: previousFailures, traced }: { attempt: number; failed: readonly PreviousFailure[]; traced: AttemptTrace | undefined },
  used: AttemptMeter,
): () => Promise<AttemptResult> {
  const { idempotencyKey } = plan;
  const { stepId } = plan.call;
  const runId = host.runId;
  // Made when the body first reads `info.cost`: most steps never call a model.
  let costs: ReturnType<typeof createStepCosts> | undefined;
  const costHandle = () =>
    (costs ??= createStepCosts({
      store: host.deps.store,
      clock: host.deps.clock,
      prices: host.deps.prices,
      budget: host.workflow.budget,
      runId,
      workflow: host.workflow.name,
      stepId,
      attempt,
      // A call's tokens committed in the ledger count as reported usage for the step's token limits.
      onUsage: used.add,
      // Its calls name the attempt's provider and model and add up its cost (the attempt row's).
      onCall: used.call,
    }));
  const emit: StepInfo['emit'] = (type, data) => {
    let event: NewEvent;
    if ((type as StepEventType) === 'llm.structured') {
      const structured = data as StepEventData<'llm.structured'>;
      used.answeredBy(structured.model); // the structured-output helpers name the model that answered
      event = host.event('llm.structured', { ...structured, stepId, attempt });
    } else event = host.event('step.agent_event', { ...(data as StepEventData<'step.agent_event'>), stepId, attempt });
    track(
      host,
      host.publish([event], (events) => host.deps.store.appendEvents(events)),
    );
  };
  // `signal` is a getter: the attempt's AbortController is made only if the body reads it (policy/timeout.ts, CallSignal).
  const info = (source: { readonly signal: AbortSignal }) => {
    const base = {
      get signal() {
        return source.signal;
      },
      attempt,
      // A getter: reading the key is what `sideEffect` coverage looks for.
      get idempotencyKey() {
        used.keyRead = true;
        return idempotencyKey;
      },
      runId,
      stepId,
      get cost() {
        return costHandle().costs;
      },
      emit,
      previousFailures,
      reportUsage: used.report,
    };
    traced?.bind(base);
    return (leg.name === null ? base : Object.assign(base, { alternative: leg.name })) as AlternativeInfo;
  };
  const { bodyPolicy } = leg;
  let given: { readonly signal: AbortSignal } | undefined;
  const body = bodyPolicy
    ? (call: CallSignal) => bodyPolicy.execute((p) => leg.fn(info((given = p))), call.signal)
    : (call: CallSignal) => leg.fn(info((given = call))) as Promise<unknown>;
  const timeout = { timeoutMs: leg.timeoutMs, stepId, clock: host.deps.clock, parentSignal: host.signal };
  return async () => {
    // Cancelled or shutting down meanwhile: recorded by the caller, the body never runs.
    if (host.signal.aborted) return { ok: false, error: host.signal.reason };
    try {
      const value = await runWithTimeout(body, timeout);
      const stored = plan.kind === 'fallback' ? { value, alternative: leg.name } : value;
      return { ok: true, output: toJson(stored, `Result of step "${stepId}"`, host.deps.maxPayloadBytes) };
    } catch (error) {
      return given === undefined ? { ok: false, error } : { ok: false, error, signal: given.signal };
    } finally {
      // The attempt is over (done, failed, timed out or interrupted): what it left reserved is given back.
      if (costs !== undefined) await costs.settle();
    }
  };
}

/** Commits the step as completed with its attempt; parked when the commit was refused. */
async function commitSuccess(
  host: AttemptHost,
  plan: StepPlan,
  leg: Leg,
  attempt: number,
  output: string,
  durationMs: number,
  used: AttemptMeter,
): Promise<StepOutcome> {
  const { stepId, name, seq } = plan.call;
  const { kind } = plan;
  const now = host.deps.clock.now();
  const ended = { attempt, endedAt: now, outcome: 'succeeded' as const, ...(leg.name === null ? {} : { alternative: leg.name }), ...used.details() };
  const ranWith = used.keyRead ? plan.ranWith | RAN_WITH_KEY_READ : plan.ranWith;
  // The step row and the attempt row are the durable record of a completion; an event row
  // too would add two WAL pages to every step's commit (see docs/decisions), so the
  // completion event is published in-process only.
  // For logs (published only): the attempt's duration and the output's size in bytes.
  const completed = host.event('step.completed', { stepId, attempt, durationMs: Math.round(durationMs * 1000) / 1000, outputBytes: Buffer.byteLength(output) });
  const committed = await commitStepRecord(
    host,
    {
      now,
      step: { stepId, name, seq, kind, status: 'completed', output, error: null, attempts: attempt, startedAt: plan.startedAt, completedAt: now, ranWith },
      attempt: ended,
    },
    [completed],
    false,
  );
  if (!committed) return parkRefused(host, stepId, attempt);
  // The committed form, so the first execution sees exactly what a replay will.
  return { kind: 'completed', value: fromJson(output) };
}

/** A step cache hit: committed with a `cached` attempt (step-cache.ts); parked when the commit was refused. */
async function commitHit(host: AttemptHost, plan: StepPlan, attempt: number, claim: Parameters<typeof commitCached>[3]): Promise<StepOutcome> {
  const { stepId, name, seq } = plan.call;
  const done = await commitCached(host, { stepId, name, seq, startedAt: plan.startedAt }, attempt, claim, plan.cache as StepCache);
  if (!done.committed) return parkRefused(host, stepId, attempt);
  return { kind: 'completed', value: done.value };
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
function assessFailure(
  host: AttemptHost,
  plan: StepPlan,
  leg: Leg,
  failures: number,
  error: unknown,
  meter: AttemptMeter,
  signal?: AbortSignal,
): AttemptFailure {
  const classifiers = [...(plan.call.options.classifiers ?? []), ...(host.workflow.options.classifiers ?? [])];
  // The signal the body was given: an SDK's abort error is timeout or cancelled by the signal's reason.
  const classification = classifyError(error, classifiers, host.deps.clock.now(), signal === undefined ? {} : { signal });
  const outcome = error instanceof StepTimeoutError ? 'timeout' : 'failed';
  const message = redactMessage(messageOf(error));
  const decision = decideRetry(leg.policy, failures, classification, Math.random);
  const details = failureDetails({
    error,
    classification,
    message,
    step: plan.call.name,
    workflow: host.workflow.name,
    meter,
    stepTags: plan.tags,
    rules: host.deps.fingerprintRules ?? [],
  });
  return { error, classification, outcome, message, decision, details };
}

/** Ends the attempt (a soft write) and waits out the backoff; false when the run stopped meanwhile. */
async function recordRetry(host: AttemptHost, plan: StepPlan, leg: Leg, attempt: number, failure: AttemptFailure, delayMs: number): Promise<boolean> {
  const { stepId } = plan.call;
  const { store, clock } = host.deps;
  const { classification, outcome, message } = failure;
  const retryEvent = host.event('step.retrying', { stepId, attempt, errorClass: classification.errorClass, ...errorKindOf(classification), delayMs, message });
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
        alternative: leg.name,
        ...failure.details,
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

/**
 * The chain leaves `leg` for `next`: the attempt ends with the reason (awaited, so a crash after
 * this point resumes at `next` and never runs `leg` again) and a `step.fallback` event. False
 * when the run stopped being ours meanwhile.
 */
async function recordHop(host: AttemptHost, plan: StepPlan, leg: Leg, next: Leg, attempt: number, failure: AttemptFailure): Promise<boolean> {
  const { stepId } = plan.call;
  const { errorClass } = failure.classification;
  const from = leg.name as string;
  const to = next.name as string;
  const movedOn = hopReason(errorClass, failure.message, to);
  const event = host.event('step.fallback', { stepId, from, to, reason: movedOn, attempt, errorClass });
  return host.guardCommit(() =>
    host.publish([event], (events) =>
      host.storeCall(
        () =>
          host.deps.store.endAttempt({
            runId: host.runId,
            token: host.token,
            stepId,
            attempt,
            endedAt: host.deps.clock.now(),
            outcome: failure.outcome,
            errorClass,
            errorMessage: failure.message,
            alternative: from,
            movedOn,
            ...failure.details,
            events,
          }),
        { abortable: true },
      ),
    ),
  );
}

/**
 * Commits the step as failed for good; the workflow sees a StepFailedError. A best-effort step
 * (`optional`) is committed failed with its error marked `defaulted` and its default as output,
 * and returns that default: replay returns it too.
 */
async function commitFinalFailure(
  host: AttemptHost,
  plan: StepPlan,
  leg: Leg,
  attempt: number,
  failure: AttemptFailure,
  reason: string,
  used: AttemptMeter,
): Promise<StepOutcome> {
  const { stepId, name, seq } = plan.call;
  const { classification, outcome, message } = failure;
  const { errorClass } = classification;
  const now = host.deps.clock.now();
  const defaulted = plan.fallbackOutput !== undefined;
  const stored = toStoredError(failure.error, { classification, stepId, attempts: attempt });
  if (defaulted) stored.defaulted = true;
  const event = defaulted
    ? host.event('step.defaulted', { stepId, attempt, errorClass, ...errorKindOf(classification), message, reason })
    : host.event('step.failed', { stepId, attempt, errorClass, ...errorKindOf(classification), message, reason });
  const committed = await commitStepRecord(
    host,
    {
      now,
      step: {
        stepId,
        name,
        seq,
        kind: plan.kind,
        status: 'failed',
        output: plan.fallbackOutput ?? null,
        error: stored,
        attempts: attempt,
        startedAt: plan.startedAt,
        completedAt: now,
        ranWith: used.keyRead ? plan.ranWith | RAN_WITH_KEY_READ : plan.ranWith,
      },
      attempt: { attempt, endedAt: now, outcome, errorClass, errorMessage: message, alternative: leg.name, ...failure.details },
    },
    [event],
    true,
  );
  if (!committed) return parkRefused(host, stepId, attempt);
  if (plan.fallbackOutput !== undefined) return { kind: 'completed', value: fromJson(plan.fallbackOutput), defaulted: true };
  return { kind: 'failed', error: new StepFailedError(stepId, errorClass, attempt, message, { kind: stored.kind, resetAt: stored.resetAt }) };
}

/** The event field for a classification's kind, stored like the error's. */
function errorKindOf(classification: Classification): { errorKind?: string } {
  return classification.kind === undefined ? {} : { errorKind: storableKind(classification.kind) };
}

/** A commit refused: the attempt is recorded as failed if the store refused it for good, the step parks. */
async function parkRefused(host: AttemptHost, stepId: string, attempt: number): Promise<StepOutcome> {
  await host.endRefusedAttempt(stepId, attempt);
  return PARKED;
}

/** A step gate that can say an alternative should be passed over (the shared breakers). */
function isSkipper(gate: StepGate): gate is StepGate & AlternativeSkipper {
  return typeof (gate as Partial<AlternativeSkipper>).skipReason === 'function';
}

/** The error's class name for a span's exception event (its message is recorded redacted, apart). */
function errorNameOf(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
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
