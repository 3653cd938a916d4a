import { InputValidationError, RunCancelledError } from '../errors/workflow-errors.js';
import type { FingerprintRule } from '../insight/fingerprint-rules.js';
import { InvalidRunStateError, LeaseLostError, RunNotFoundError, StepAlreadyCommittedError, StoreRefusedError } from '../errors/store-errors.js';
import { MessageUndeliverableError } from '../errors/message-errors.js';
import { classifyStoreFault } from '../store/store-faults.js';
import { retryWhileUnavailable } from './store-retry.js';
import { InterruptedError } from '../errors/interrupted-error.js';
import type { Store, NewEvent } from '../store/store.js';
import type { EventData, EventMap, LifelineEvent, RunEvent, RunEventType, WorkflowEventType } from '../store/events.js';
import { fromJson, toJson } from '../store/serialize.js';
import type { RunRecord, SignalRecord, StepKind, StepRecord, StoredError } from '../store/types.js';
import type { FallbackOptions, StepInfo, StepOptions } from '../workflow/context.js';
import { RunContext } from '../workflow/run-context.js';
import type { FallbackChain, Slot, StepHost, Suspension } from '../workflow/step-host.js';
import type { WorkflowDefinition } from '../workflow/define.js';
import { toMs } from '../workflow/duration.js';
import type { Clock } from '../time/clock.js';
import type { ErrorClass } from '../errors/error-class.js';
import { reduceExecution, type ExecutionEvent, type ExecutionState } from './execution-state.js';
import { redactMessage, toStoredError } from './stored-error.js';
import { runStepAttempts, type StepCall } from './step-attempts.js';
import type { AttemptHost } from './attempt-host.js';
import type { StepGate } from './step-gates.js';
import { completeRun, failRun, finishCancelled, settleState, type ExecutionOutcome, type FinalWriteHost } from './final-writes.js';
import { CompensationRegistry, compensableIds, compensateAndFinish } from './compensation.js';
import type { CompensationReason } from '../store/events.js';
import { formatZodIssues } from './zod-format.js';
import { retryPolicyFor } from './policies.js';
import { loadRunHistory, wokenSince, type RunHistory } from './run-history.js';
import type { PriceTable } from '../costs/prices.js';
import { RunTrace } from '../observe/run-trace.js';

export interface ExecutionDeps {
  store: Store;
  clock: Clock;
  workerId: string;
  /** The worker's host, recorded on every attempt. */
  host?: string;
  /** How failures are grouped (Lifeline.open `insight.fingerprintRules`). */
  fingerprintRules?: readonly FingerprintRule[];
  /** The lease time this worker claims and heartbeats with; a fenced attempt start extends the lease by it. */
  leaseMs: number;
  maxPayloadBytes: number;
  /** Prices model calls for `info.cost`. */
  prices: PriceTable;
  emit: (event: LifelineEvent) => void;
  /** The database is out of disk, memory or another resource (the worker backs off claiming). */
  onStoreExhausted?: (error: unknown) => void;
  /** Asked before every attempt of a step (shared breakers, limits): see step-gates.ts. */
  gates?: readonly StepGate[];
}

const PARKED: Promise<never> = new Promise<never>(() => {});

/**
 * One claimed run executing in this worker: replays history through the workflow function,
 * executes new steps, and turns the final ExecutionState into one store write.
 */
export class RunExecution implements StepHost, AttemptHost, FinalWriteHost {
  readonly runId: string;
  history: Pick<RunHistory, 'bySeq' | 'byId'> = { bySeq: new Map<number, StepRecord>(), byId: new Map<string, StepRecord>() };
  /** Per step: attempts recorded before this claim (all), and how many of them were failures. */
  priorAttempts: RunHistory['priorAttempts'] = new Map();
  finished = false;
  private state: ExecutionState = { kind: 'running' };
  /** Replaced by a fresh one when the compensations start after a cancel (see beginCompensating). */
  private abort = new AbortController();
  /** The compensable steps this execution met (engine/compensation.ts). */
  readonly compensations = new CompensationRegistry();
  /** Replaying only to learn the compensations: a call without a record parks (see discover). */
  private discovering = false;
  /** Replays and parked calls of the discovery replay so far: it is over when this stops moving. */
  private discoveryMoves = 0;
  /** The compensations run: a cancel no longer aborts their signal. */
  private compensating = false;
  private inflight = 0;
  private wakeExecutor: () => void = () => {};
  private firstNonDeterminism: Error | null = null;
  /** Abandoned for recovery after a store failure (see abandon). */
  abandoned = false;
  /** This execution segment's spans (null: no OpenTelemetry SDK registered). */
  readonly trace: RunTrace | null;

  constructor(
    readonly run: RunRecord,
    readonly workflow: WorkflowDefinition,
    readonly deps: ExecutionDeps,
  ) {
    this.runId = run.id;
    this.trace = RunTrace.start(run);
  }

  get store(): Store {
    return this.deps.store;
  }
  get clock(): Clock {
    return this.deps.clock;
  }
  get runVersion(): number | null {
    return this.run.version ?? null;
  }

  get token(): string {
    return this.run.lease?.token ?? '';
  }
  get signal(): AbortSignal {
    return this.abort.signal;
  }
  get stateKind(): ExecutionState['kind'] {
    return this.state.kind;
  }
  get currentState(): ExecutionState {
    return this.state;
  }
  /** The first non-determinism the run met: it fails with it. */
  get nonDeterministic(): Error | null {
    return this.firstNonDeterminism;
  }
  /** When a suspended run asked to be woken (null: only an event wakes it). */
  get wakeAt(): number | null {
    return this.state.kind === 'suspending' ? this.state.wakeAt : null;
  }

  /** Feeds an outside event (cancel, shutdown, lease lost) into the state machine. */
  dispatch(event: ExecutionEvent): void {
    this.state = reduceExecution(this.state, event);
    // While compensating, a cancel changes nothing: compensating is what the cancel asked for.
    if (this.state.kind === 'cancelling' && !this.compensating) this.abort.abort(new RunCancelledError(this.runId));
    if (this.state.kind === 'lease_lost') this.abort.abort(new LeaseLostError(this.runId));
    this.wakeExecutor();
  }

  /** Shutdown grace is over: interrupt steps still running. */
  interrupt(): void {
    if (!this.abort.signal.aborted) this.abort.abort(new InterruptedError('worker is shutting down'));
  }

  /** Executes the run; with tracing on, inside its run span, which ends with the outcome. */
  async execute(): Promise<ExecutionOutcome> {
    const trace = this.trace;
    if (trace === null) return this.executeRun();
    try {
      const outcome = await trace.within(() => this.executeRun());
      trace.end(outcome);
      return outcome;
    } catch (error) {
      trace.end('error', error);
      throw error;
    }
  }

  private async executeRun(): Promise<ExecutionOutcome> {
    if (this.run.cancelRequested || compensationAsked(this.run)) return this.compensateOnClaim();
    if (this.run.claimCount > 1) {
      try {
        await this.loadHistory();
      } catch (error) {
        if (this.state.kind === 'running') throw error;
      }
    }
    // Shutdown, cancel or lease loss may have arrived while the history was loading.
    if (this.state.kind !== 'running') return settleState(this, this.state);
    const ctx = new RunContext(this);
    const workflowDone = Promise.resolve()
      .then(() => this.workflow.fn(ctx, fromJson(this.run.input) as never))
      .then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error }),
      );
    const stateLeftRunning = new Promise<null>((resolve) => {
      this.wakeExecutor = () => {
        if (this.state.kind !== 'running') resolve(null);
      };
    });
    const result = await Promise.race([workflowDone, stateLeftRunning]);
    if (result && this.state.kind === 'running') {
      this.finished = true;
      // Steps still in flight (a failed branch of Promise.all, an un-awaited step) belong to a
      // run that is ending: stop them and record their attempts before the run's final write.
      if (this.inflight > 0) {
        this.abort.abort(new InterruptedError('the workflow function returned before this step finished'));
        await this.drained();
      }
      return result.ok ? completeRun(this, result.value) : failRun(this, result.error, (error) => compensateAndFinish(this, 'failed', { error, asked: false }));
    }
    await this.drained();
    const ended = this.state as ExecutionState; // changed by dispatch while awaiting
    if (ended.kind === 'cancelling') {
      const compensated = await compensateAndFinish(this, 'cancelled', { error: null, asked: false });
      if (compensated !== null) return compensated;
    }
    return settleState(this, this.state);
  }

  /**
   * A claimed run that was cancelled, or whose compensation was asked for (a rollback, a cancel
   * while it was not executing) or left running by a worker that stopped: its history is
   * loaded, its compensations run, and it ends cancelled, failed, or as it was (a rollback).
   */
  private async compensateOnClaim(): Promise<ExecutionOutcome> {
    const state = this.run.compensation;
    try {
      await this.loadHistory();
    } catch (error) {
      if (this.state.kind === 'running') throw error;
    }
    if (this.state.kind !== 'running') return settleState(this, this.state);
    // Once compensating began, the reason its `run.compensating` event gave holds: a cancel asked
    // meanwhile (and a worker that died before the run's final write) must not turn a failure's or
    // a rollback's compensation into a cancel. The committed compensations replay, so finishing
    // again runs nothing twice and rebuilds the CompensationFailedError of a partial one.
    const begun = state === 'running' || state === 'done' || state === 'failed';
    const reason = !begun && this.run.cancelRequested ? 'cancelled' : await this.compensationReason();
    const outcome = await compensateAndFinish(this, reason, { error: this.run.error, asked: compensationAsked(this.run) });
    return outcome ?? finishCancelled(this);
  }

  /** Why a compensation left running by another worker runs: the reason its `run.compensating` event gave. */
  private async compensationReason(): Promise<CompensationReason> {
    if (this.run.compensation === 'requested') return 'rollback';
    const events = await this.storeCall(() => this.store.listEvents({ runId: this.runId }), { abortable: true });
    const started = events.filter((e) => e.type === 'run.compensating').pop();
    return (started?.data as EventMap['run.compensating'] | undefined)?.reason ?? 'failed';
  }

  /**
   * Replays the workflow only to learn its compensations: every call without a record parks
   * instead of running. Over when every compensable step of the history registered, the function
   * settled, or two event-loop turns passed without a replay or a parked call (it waits on
   * something that will not come in this mode).
   */
  async discover(): Promise<void> {
    const expected = compensableIds(this.history.byId);
    const wasFinished = this.finished;
    this.discovering = true;
    this.finished = false;
    let settled = false;
    const ctx = new RunContext(this);
    void Promise.resolve()
      .then(() => this.workflow.fn(ctx, fromJson(this.run.input) as never))
      .then(
        () => (settled = true),
        () => (settled = true),
      );
    let quiet = 0;
    while (!settled && quiet < 2 && !expected.every((id) => this.compensations.has(id))) {
      const before = this.discoveryMoves;
      await new Promise<void>((resolve) => setImmediate(resolve));
      quiet = this.discoveryMoves === before ? quiet + 1 : 0;
    }
    this.finished = wasFinished;
  }

  /** The compensations start: their steps get a signal a cancel did not abort. */
  beginCompensating(): void {
    this.compensating = true;
    if (this.abort.signal.aborted && this.state.kind !== 'lease_lost') this.abort = new AbortController();
  }

  // ---- StepHost: called by the workflow context -----------------------------------------------------

  runStep<T>(stepId: string, name: string, seq: number, fn: (info: StepInfo) => Promise<T> | T, options?: StepOptions<T>): Promise<T> {
    return this.drive<T>({ stepId, name, seq, fn, options: options ?? {} });
  }

  runFallback(stepId: string, name: string, seq: number, chain: FallbackChain, options: FallbackOptions): Promise<unknown> {
    return this.drive({ stepId, name, seq, fn: () => undefined, options, chain });
  }

  private async drive<T>(call: StepCall): Promise<T> {
    if (this.discovering) return this.parkDiscovering();
    if (this.state.kind !== 'running') return PARKED;
    this.inflight++;
    const trace = this.trace;
    trace?.stepStarted(call.stepId, call.name, call.chain ? 'fallback' : 'step');
    try {
      const outcome = await runStepAttempts(this, call);
      trace?.stepEnded(call.stepId, outcome);
      if (outcome.kind === 'parked') return PARKED;
      if (outcome.kind === 'failed') throw outcome.error;
      if (call.options.compensate !== undefined && outcome.defaulted !== true) this.registerCompensable(call, outcome.value, this.clock.now());
      return outcome.value as T;
    } finally {
      this.inflight--;
      this.wakeExecutor();
    }
  }

  retryPolicy(options: StepOptions, name: string) {
    return retryPolicyFor(this.workflow, options, name);
  }

  stepTimeoutMs(options: StepOptions, name: string): number | undefined {
    return options.timeout === undefined ? this.workflow.stepTimeoutMs : toMs(options.timeout, `step "${name}".timeout`);
  }

  async commitValue(slot: Slot, kind: StepKind, value: unknown, consumeSignalId?: number): Promise<void> {
    if (this.discovering) return this.parkDiscovering();
    const output = toJson(value, `Value of ${slot.stepId}`, this.deps.maxPayloadBytes);
    await this.commit(slot, kind, 'completed', output, null, consumeSignalId);
  }

  async commitWaiting(slot: Slot, kind: StepKind, marker: unknown): Promise<void> {
    if (this.discovering) return this.parkDiscovering();
    await this.commit(slot, kind, 'waiting', JSON.stringify(marker), null);
  }

  async commitEvent<K extends WorkflowEventType>(slot: Slot, type: K, data: EventMap[K]): Promise<void> {
    if (this.discovering) return this.parkDiscovering();
    const event = this.event(type, ...([data] as EventData<K>)) as NewEvent;
    await this.commit(slot, 'event', 'completed', toJson(data, `Event of ${slot.stepId}`, this.deps.maxPayloadBytes), null, undefined, [event]);
  }

  async commitFailure(slot: Slot, kind: StepKind, error: unknown, errorClass: ErrorClass): Promise<void> {
    if (this.discovering) return this.parkDiscovering();
    await this.commit(slot, kind, 'failed', null, toStoredError(error, { errorClass, stepId: slot.stepId, attempts: 1 }));
  }

  async startChild(childRunId: string, workflow: WorkflowDefinition, input: unknown): Promise<void> {
    if (this.discovering) return this.parkDiscovering();
    const json = toJson(input, `Input of child workflow "${workflow.name}"`, this.deps.maxPayloadBytes);
    const parsed = workflow.options.inputSchema?.safeParse(fromJson(json));
    if (parsed && !parsed.success) throw new InputValidationError(workflow.name, 'input', formatZodIssues(parsed.error));
    const stepId = childRunId.slice(this.runId.length + 1);
    const traceParent = this.trace?.childStarted(stepId, childRunId, workflow.name) ?? null;
    await this.storeCall(
      () =>
        this.store.createRun({
          id: childRunId,
          workflow: workflow.name,
          input: json,
          parentRunId: this.runId,
          now: this.clock.now(),
          traceParent,
          version: workflow.version ?? null,
        }),
      { abortable: true },
    );
  }

  suspend(suspension: Suspension): Promise<never> {
    if (this.discovering) return this.parkDiscovering();
    this.dispatch(suspension);
    return PARKED;
  }

  defer(wakeAt: number): void {
    this.dispatch({ type: 'sleep', wakeAt, deferred: true });
  }

  /** Whether the run was woken (`resume`) at or after `since`: a durable sleep begun before it is over. */
  wokenSince(since: number): Promise<boolean> {
    if (this.discovering) return this.parkDiscovering();
    return this.storeCall(() => wokenSince(this.store, this.runId, since), { abortable: true });
  }

  async sendMessage(messageId: string, toRunId: string, name: string, payload: unknown): Promise<SignalRecord> {
    if (this.discovering) return this.parkDiscovering();
    const json = toJson(payload ?? null, `Payload of message "${name}"`, this.deps.maxPayloadBytes);
    const now = this.clock.now();
    const message = { id: messageId, senderRunId: this.runId };
    let signal: SignalRecord;
    try {
      signal = await this.storeCall(() => this.store.sendSignal({ runId: toRunId, name, payload: json, now, message }), { abortable: true });
    } catch (error) {
      if (error instanceof RunNotFoundError) throw new MessageUndeliverableError(toRunId, name, 'no run has that id');
      if (error instanceof InvalidRunStateError)
        throw new MessageUndeliverableError(toRunId, name, `the run has finished (${error.status}) and reads no more messages`);
      throw error;
    }
    this.deps.emit({ runId: toRunId, type: 'run.signalled', data: { name, signalId: signal.id, from: this.runId }, at: now });
    return signal;
  }

  peekSignal(name: string): Promise<SignalRecord | null> {
    if (this.discovering) return this.parkDiscovering();
    return this.storeCall(() => this.store.peekSignal(this.runId, name), { abortable: true });
  }

  async nextSignal(names: readonly string[] | undefined): Promise<SignalRecord | null> {
    const filter = { runId: this.runId, unread: true, limit: 1, ...(names === undefined ? {} : { names }) };
    const [next] = await this.storeCall(() => this.store.listSignals(filter), { abortable: true });
    return next ?? null;
  }

  getRun(runId: string): Promise<RunRecord | null> {
    if (this.discovering) return this.parkDiscovering();
    return this.storeCall(() => this.store.getRun(runId), { abortable: true });
  }

  stepReplayed(record: StepRecord): void {
    this.discoveryMoves++;
    if (this.discovering) return; // a replay to learn the compensations, not the run going on
    this.deps.emit(this.event('step.replayed', { stepId: record.stepId, status: record.status }));
  }

  stepRouted(data: EventData<'step.routed'>[0]): void {
    if (this.discovering) return;
    const event = this.event('step.routed', data);
    this.deps.emit(event);
    // Soft: the helper's and the retry's own step records are the durable trace of the route.
    this.store
      .appendEvents([event])
      .catch((error: unknown) => this.deps.emit(this.event('store.soft_write_failed', { message: redactMessage(messageOf(error)) })));
  }

  compensable(record: StepRecord, options: StepOptions): void {
    if (record.status !== 'completed' || options.compensate === undefined) return;
    this.registerCompensable(record, fromJson(record.output), record.completedAt ?? record.startedAt, options);
  }

  private registerCompensable(step: { stepId: string; name: string; seq: number }, output: unknown, completedAt: number, options?: StepOptions): void {
    const opts = options ?? (step as StepCall).options;
    this.compensations.add({ stepId: step.stepId, name: step.name, seq: step.seq, completedAt, output, options: opts });
  }

  /** A call the discovery replay will not make: it parks, and counts as a move. */
  private parkDiscovering(): Promise<never> {
    this.discoveryMoves++;
    return PARKED;
  }

  nonDeterminism(error: Error): Error {
    this.firstNonDeterminism ??= error;
    return error;
  }

  leaseLost(): void {
    this.dispatch({ type: 'lease_lost' });
  }

  /**
   * A store failure with an unknown outcome: stop driving the run and let recovery take it. The
   * reason is also recorded (best effort) as a `run.abandoned` event, so a run later parked for
   * being claimed again and again shows why.
   */
  abandon(error: unknown): void {
    const message = redactMessage(error instanceof Error ? error.message : String(error));
    this.abandoned = true;
    this.deps.emit({ type: 'worker.error', runId: this.runId, data: { context: `run ${this.runId} abandoned for recovery`, message }, at: this.clock.now() });
    this.store.appendEvents([this.event('run.abandoned', { message })]).catch(() => {}); // the store may be what failed
    this.dispatch({ type: 'lease_lost' });
  }

  /** Whether this execution has no step in flight (so its lease may be broken at once). */
  get idle(): boolean {
    return this.inflight === 0;
  }

  /**
   * The store refused a step's commit for good: its attempt is recorded as failed with the
   * store's message (bookkeeping, best effort) before the run fails with it.
   */
  async endRefusedAttempt(stepId: string, attempt: number): Promise<void> {
    if (this.state.kind !== 'failing') return;
    const message = redactMessage(this.state.error.message);
    await this.store
      .endAttempt({
        runId: this.runId,
        token: this.token,
        stepId,
        attempt,
        endedAt: this.clock.now(),
        outcome: 'failed',
        errorClass: 'validation',
        errorMessage: message,
      })
      .catch(() => {});
  }

  /**
   * A store call that rides out a database outage (see store-retry.ts). `abortable` calls stop
   * retrying when the run is cancelled, interrupted or lost; a run's final write keeps trying.
   * A commit whose first try may have landed counts as done when the retry finds it committed.
   */
  async storeCall<T>(call: () => Promise<T>, options: { abortable: boolean; commit?: boolean }): Promise<T> {
    return (await retryWhileUnavailable(call, {
      clock: this.clock,
      ...(options.abortable ? { signal: this.abort.signal } : {}),
      ...(options.commit ? { landedIf: (e: unknown) => e instanceof StepAlreadyCommittedError } : {}),
      onRetry: (error, delayMs) => this.deps.emit(this.event('store.unavailable', { message: error.message, retryInMs: delayMs })),
    })) as T;
  }

  /** Builds an event; it is written with the state change it describes and published after. */
  event<K extends RunEventType>(type: K, ...[data]: EventData<K>): RunEvent<K> {
    const event = { runId: this.runId, type, data, at: this.clock.now() } as RunEvent<K>;
    this.trace?.tag(event as LifelineEvent); // its log line carries the ids of the span it was made under
    return event;
  }

  /** Writes `events` through `write` and publishes them in-process once the write landed. */
  async publish<T>(events: NewEvent[], write: (events: NewEvent[]) => Promise<T>): Promise<T> {
    const result = await write(events);
    for (const event of events) this.deps.emit(event);
    return result;
  }

  // ---- internals ---------------------------------------------------------------------

  private async commit(
    slot: Slot,
    kind: StepKind,
    status: StepRecord['status'],
    output: string | null,
    error: StoredError | null,
    consumeSignalId?: number,
    recorded: NewEvent[] = [],
  ): Promise<void> {
    const now = this.clock.now();
    const type = status === 'waiting' ? 'step.waiting' : status === 'completed' ? 'step.completed' : 'step.failed';
    // Completions are recorded by the step row itself (see step-attempts.ts); waits and failures get an event row.
    const committed = await this.guardCommit(() =>
      this.publish([this.event(type, { stepId: slot.stepId, kind }), ...recorded], (events) =>
        this.storeCall(
          () =>
            this.store.commitStep({
              runId: this.runId,
              token: this.token,
              now,
              step: {
                stepId: slot.stepId,
                name: slot.name,
                seq: slot.seq,
                kind,
                status,
                output,
                error,
                attempts: 1,
                startedAt: now,
                completedAt: status === 'waiting' ? null : now,
              },
              ...(consumeSignalId === undefined ? {} : { consumeSignalId }),
              events: status === 'completed' ? recorded : events,
            }),
          { abortable: true, commit: true },
        ),
      ),
    );
    // The workflow must not observe a lost lease or a store failure as an error it could catch.
    if (!committed) return PARKED;
  }

  /**
   * Runs a commit. False when this worker must stop driving the run, by what the store error was
   * (store-faults.ts): the lease moved on; the store refused the values for good (the run fails
   * with its message); the database is out of resources (the worker backs off claiming, and the
   * run is abandoned); or the outcome is unknown (the run is abandoned to recovery: its lease
   * lapses, a landed commit is replayed and a lost one re-executed; a run that keeps coming back
   * this way is parked by the claim, see Store.claimRuns).
   */
  async guardCommit(write: () => Promise<unknown>): Promise<boolean> {
    try {
      await write();
      return true;
    } catch (error) {
      const kind = classifyStoreFault(error);
      if (kind === 'lease_lost') this.leaseLost();
      else if (this.abort.signal.aborted) return false;
      else if (kind === 'deterministic') this.dispatch({ type: 'store_refused', error: new StoreRefusedError(this.runId, messageOf(error), { cause: error }) });
      else {
        if (kind === 'resource') this.deps.onStoreExhausted?.(error);
        this.abandon(error);
      }
      return false;
    }
  }

  private async loadHistory(): Promise<void> {
    const loaded = await loadRunHistory(this.store, this.runId, (call) => this.storeCall(call, { abortable: true }));
    this.history = { bySeq: loaded.bySeq, byId: loaded.byId };
    this.priorAttempts = loaded.priorAttempts;
  }

  /** Waits until no step of this run is executing (they finish, or park once aborted). */
  private async drained(): Promise<void> {
    while (this.inflight > 0) {
      await new Promise<void>((resolve) => {
        const previous = this.wakeExecutor;
        this.wakeExecutor = () => {
          previous();
          if (this.inflight === 0 || this.state.kind === 'lease_lost') resolve();
        };
      });
      if (this.state.kind === 'lease_lost') return;
    }
  }
}

/** A rollback or a cancel of a run no worker held asked for its compensations, or a stopped worker left them running. */
function compensationAsked(run: RunRecord): boolean {
  return run.compensation === 'requested' || run.compensation === 'running';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
