import { stepGatesOf } from './step-gates.js';
import { LimitGate } from './limit-gate.js';
import type { LimitsConfig } from '../options/limit-options.js';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { RunFilter, Store } from '../store/store.js';
import type { LifelineEvent } from '../store/events.js';
import { openStore } from '../store/open-store.js';
import { DEFAULT_MAX_PAYLOAD_BYTES, fromJson, toJson } from '../store/serialize.js';
import type { CompensationState, RunRecord, RunStatus, StoredError } from '../store/types.js';
import { RunNotFoundError } from '../errors/store-errors.js';
import { InputValidationError, NoWorkerError, RunCancelledError, RunFailedError, WorkflowNotFoundError } from '../errors/workflow-errors.js';
import { InvalidOptionsError } from '../errors/options-error.js';
import { registeredWorkflows, type WorkflowDefinition } from '../workflow/define.js';
import { definitionFor, latestDefinitions } from '../workflow/versions.js';
import { WorkflowVersionNotLoadedError } from '../errors/version-errors.js';
import { systemClock, type Clock } from '../time/clock.js';
import { WorkerRuntime } from './worker.js';
import type { Worker } from './worker-api.js';
import { checkOpenOptions, checkResultOptions, checkStartOptions, type WorkerOptions } from '../options/public-options.js';
import { formatZodIssues } from './zod-format.js';
import type { Jsonify } from '../workflow/jsonify.js';
import { redactMessage } from './stored-error.js';
import { PriceTable, type PricingOptions } from '../costs/prices.js';
import type { LedgerEntry, LedgerFilter } from '../store/ledger.js';
import { openEscalations, resolveActionOf, resolveEscalation } from './escalations.js';
import { RESOLVE_SIGNAL, type EscalationAction, type RecoveryFilter, type RecoveryRecord } from '../store/recoveries.js';
import { registerSecret } from '../errors/secrets.js';
import { checkBreakersOption, type BreakersOption } from '../breakers/shared-options.js';
import { attachSharedBreakers, sharedBreakersOf } from '../breakers/registry.js';
import { eventLogger, type LifelineLogger } from '../observe/event-log.js';
import { startRunTraceParent } from '../observe/traceparent.js';
import { createSchedule, deleteSchedule, listScheduleInfos, setSchedulePaused } from './schedules-api.js';
import type { RuntimeScheduleOptions } from '../options/schedule-options.js';
import type { ScheduleInfo } from '../store/schedules.js';
import { attachSlos } from '../insight/slo-check.js';
import { parseSlos, type SloSpec } from '../insight/slo-spec.js';
import { checkInsightOptions, type InsightOptions } from '../options/insight-options.js';
import type { FingerprintRule } from '../insight/fingerprint-rules.js';
import { checkRewindOptions, type RewindOptions } from '../options/rewind-options.js';
import type { StepGenerationRecord } from '../store/rewind.js';

export interface LifelineOptions {
  /** A Store, or a database location: a path, `sqlite:path`. Default: $LIFELINE_DB or ./lifeline.db */
  db?: string | Store;
  /** Workflows this process can execute. Default: every workflow defined with defineWorkflow. */
  workflows?: WorkflowDefinition[];
  clock?: Clock;
  /** Largest JSON payload (input, step result, output) in bytes. Default 1 MiB. */
  maxPayloadBytes?: number;
  /** The price table of `info.cost` (default: DEFAULT_PRICES; docs/llm.md, "Costs and caps"). */
  pricing?: PricingOptions;
  /**
   * Secret values (API keys, passwords; at least 4 characters each) replaced by `[REDACTED]` in
   * everything Lifeline stores, emits or logs. Registered process-wide (see registerSecret).
   */
  secrets?: readonly string[];
  /**
   * Shared limits per key, over every worker on every host (state in the store): concurrency,
   * calls and tokens per minute, retry budgets. Steps name the keys they use with the step option
   * `limits`. E.g. `{ openai: { concurrency: 4, callsPerMinute: 500, tokensPerMinute: 200_000 }, 'customer-*': { concurrency: 1 } }`.
   */
  limits?: LimitsConfig;
  /**
   * Circuit breakers shared by every worker on the store, by dependency key (`'*'`: any key);
   * a step uses one with its `breaker` option. See docs/resilience.md.
   */
  breakers?: BreakersOption;
  /**
   * Structured logs: a pino logger (or one with pino's calling convention) that gets one line per
   * event this client and its workers publish (a worker with its own `logger` logs its events
   * there instead). docs/observability.md, "Logs".
   */
  logger?: LifelineLogger;
  /** Service level objectives per workflow: success ratio and/or latency (docs/insight.md, "SLOs and burn rates"; checkSlos). */
  slos?: SloSpec[];
  /** Insight (docs/insight.md): rules that merge or split fingerprint groups of failures. */
  insight?: InsightOptions;
}

/** A run as users see it: payloads parsed. A handle from start() types the output as stored (Jsonify of the workflow's output). */
export interface RunInfo<O = unknown> {
  id: string;
  workflow: string;
  status: RunStatus;
  input: unknown;
  output: O | undefined;
  error: StoredError | null;
  parentRunId: string | null;
  createdAt: number;
  updatedAt: number;
  wakeAt: number | null;
  claimCount: number;
  /** Claims since the run last committed a step; a worker parks the run at its maxClaimsWithoutProgress. */
  claimsWithoutProgress: number;
  /** 1 + the run's rewinds (lifeline.rewind); absent while 1. */
  generation?: number;
  /** The workflow version the run is pinned to; null: unversioned. docs/time-travel.md, "Workflow versions". */
  version: number | null;
  /** Where compensating the run is (cancel, final failure or rollback of a run whose steps declared `compensate`); absent when never asked. */
  compensation?: CompensationState;
}

/** What lifeline.rewind did. */
export interface RewindInfo {
  /** The run after the rewind (pending). */
  run: RunInfo;
  /** The step id the run continues from. */
  toStepId: string;
  /** The run's generation now; the set-aside results belong to generation - 1. */
  generation: number;
  /** How many step results were set aside. */
  setAside: number;
}

export interface RunHandle<O = unknown> {
  readonly runId: string;
  /** Resolves with the output (as stored: JSON) when the run completes; rejects with RunFailedError / RunCancelledError. */
  result(): Promise<O>;
  status(): Promise<RunInfo<O>>;
}

/** What `Lifeline.events` publishes: a run event or a worker error (see store/events.ts). */
export type EngineEvent = LifelineEvent;

/** How long result() waits on a never-claimed run, with no worker in this client, before it warns once. */
export const NO_WORKER_WARNING_MS = 10_000;

export interface StartOptions {
  /** Idempotency key: starting an existing id returns that run. */
  runId?: string;
}

/** `start(workflow, input, options)`; the input is optional when undefined is a valid input. */
export type StartArgs<I> = undefined extends I ? [input?: I, options?: StartOptions] : [input: I, options?: StartOptions];

/** The client: start, inspect, signal and cancel runs, and create workers. */
export class Lifeline {
  readonly events = new EventEmitter<{ event: [EngineEvent] }>();
  private readonly workers = new Set<WorkerRuntime>();
  /** result() callers waiting per run: woken by this process's final events, without a listener each. */
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly maxPayloadBytes: number;
  /** Logs every published event (the `logger` option), except those a worker's own logger took. */
  private log: ((event: EngineEvent) => void) | null = null;
  private readonly loggedByWorker = new WeakSet<EngineEvent>();
  /** Lifeline.open `insight.fingerprintRules`: how this process's workers group failures. */
  fingerprintRules: readonly FingerprintRule[] = [];

  private constructor(
    readonly store: Store,
    readonly clock: Clock,
    private readonly explicitWorkflows: WorkflowDefinition[] | undefined,
    maxPayloadBytes: number,
    private readonly ownsStore: boolean,
    readonly prices: PriceTable,
  ) {
    this.maxPayloadBytes = maxPayloadBytes;
    this.events.setMaxListeners(0);
  }

  static async open(options: LifelineOptions = {}): Promise<Lifeline> {
    checkOpenOptions(options);
    options.secrets?.forEach((secret, i) => registerSecret(secret, `Lifeline.open.secrets[${i}]`));
    const max = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
    const db = options.db ?? process.env.LIFELINE_DB ?? './lifeline.db';
    const store = typeof db === 'string' ? await openStore(db) : db;
    const clock = options.clock ?? systemClock;
    const prices = new PriceTable(options.pricing, 'Lifeline.open.pricing');
    const lifeline = new Lifeline(store, clock, options.workflows, max, typeof db === 'string', prices);
    if (options.logger !== undefined) lifeline.log = eventLogger(options.logger);
    if (options.insight !== undefined) lifeline.fingerprintRules = checkInsightOptions(options.insight, 'Lifeline.open.insight').fingerprintRules;
    if (options.limits !== undefined) stepGatesOf(lifeline).push(new LimitGate(store, clock, options.limits, (e) => lifeline.emit(e)));
    if (options.breakers !== undefined) {
      attachSharedBreakers(lifeline, {
        store,
        clock,
        configs: checkBreakersOption(options.breakers, 'Lifeline.open.breakers'),
        emit: (event) => lifeline.emit(event),
        onError: (error, context) =>
          lifeline.emit({ type: 'worker.error', data: { context, message: redactMessage((error as Error)?.message ?? String(error)) }, at: clock.now() }),
      });
    }
    attachSlos(lifeline, { slos: options.slos === undefined ? [] : parseSlos(options.slos, 'Lifeline.open.slos'), emit: (event) => lifeline.emit(event) });
    return lifeline;
  }

  workflows(): WorkflowDefinition[] {
    return this.explicitWorkflows ?? registeredWorkflows();
  }

  /**
   * The definition `start(name)` pins: the highest version of `name` loaded here (workflow/versions.ts).
   * With `version` (a run's): exactly that version, else WorkflowVersionNotLoadedError.
   */
  findWorkflow(name: string, runId?: string, version?: number | null): WorkflowDefinition {
    const all = this.workflows();
    const found = latestDefinitions(all).find((w) => w.name === name);
    if (!found) throw new WorkflowNotFoundError(name, [...new Set(all.map((w) => w.name))], runId);
    if (version === undefined) return found;
    const exact = definitionFor(all, name, version);
    if (exact === undefined) {
      const loaded = all.filter((w) => w.name === name).map((w) => w.version ?? null);
      throw new WorkflowVersionNotLoadedError(runId ?? '', name, version, loaded);
    }
    return exact;
  }

  /**
   * Starts a run. `runId` is an idempotency key: starting the same id again returns the
   * existing run instead of a second one. The input may be left out when the workflow's input
   * type allows undefined (a workflow that takes none).
   */
  async start<I, O>(workflow: WorkflowDefinition<I, O> | string, ...[input, options = {}]: StartArgs<I>): Promise<RunHandle<Jsonify<O>>> {
    checkStartOptions(options);
    const def = (typeof workflow === 'string' ? this.findWorkflow(workflow) : workflow) as WorkflowDefinition<I, O>;
    const parsed = def.options.inputSchema?.safeParse(input);
    if (parsed && !parsed.success) throw new InputValidationError(def.name, 'input', formatZodIssues(parsed.error));
    const runId = options.runId ?? randomUUID();
    const json = toJson(input, `Input of workflow "${def.name}"`, this.maxPayloadBytes);
    const now = this.clock.now();
    // With tracing on, the run's spans (in whichever worker runs it) join one trace: under a `start`
    // span, itself under the caller's active span (a traced request that starts the run).
    const traceParent = startRunTraceParent(def.name, runId);
    const version = def.version ?? null;
    const { run, created } = await this.store.createRun({
      id: runId,
      workflow: def.name,
      input: json,
      now,
      version,
      ...(traceParent === null ? {} : { traceParent }),
    });
    if (!created && run.workflow !== def.name) {
      throw new InvalidOptionsError(`Invalid option start.runId: "${runId}" is already used by a run of workflow "${run.workflow}"`);
    }
    if (created) this.emit({ runId, type: 'run.created', data: { workflow: def.name, ...(version === null ? {} : { version }) }, at: now });
    for (const worker of this.workers) worker.poke();
    return this.handle<Jsonify<O>>(runId);
  }

  handle<O = unknown>(runId: string): RunHandle<O> {
    return {
      runId,
      result: () => this.result<O>(runId),
      status: async () => {
        const info = await this.getRun<O>(runId);
        if (!info) throw new RunNotFoundError(runId);
        return info;
      },
    };
  }

  async getRun<O = unknown>(runId: string): Promise<RunInfo<O> | null> {
    const run = await this.store.getRun(runId);
    return run ? toRunInfo<O>(run) : null;
  }

  async listRuns(filter: RunFilter = {}): Promise<RunInfo[]> {
    return (await this.store.listRuns(filter)).map((r) => toRunInfo(r));
  }

  /**
   * Waits for a run to end. Wakes on this process's events, and polls for other processes'.
   * Without a started worker in this client it fails at once when nothing else can reach the
   * database (':memory:'), and otherwise warns once (event `run.unclaimed` and a process
   * warning) when the run has waited NO_WORKER_WARNING_MS without ever being claimed.
   */
  async result<O = unknown>(runId: string, options: { pollMs?: number } = {}): Promise<O> {
    checkResultOptions(options);
    const pollMs = options.pollMs ?? 250;
    const since = this.clock.now();
    let warned = false;
    for (;;) {
      const run = await this.store.getRun(runId);
      if (!run) throw new RunNotFoundError(runId);
      if (run.status === 'completed') return fromJson<O>(run.output);
      if (run.status === 'failed') throw new RunFailedError(runId, run.error?.errorClass ?? 'unknown', run.error?.message ?? 'unknown error');
      if (run.status === 'cancelled') throw new RunCancelledError(runId);
      if (![...this.workers].some((w) => w.isRunning)) {
        if (isPrivateStore(this.store)) throw new NoWorkerError(runId);
        if (!warned && run.status === 'pending' && run.claimCount === 0 && this.clock.now() - since >= NO_WORKER_WARNING_MS) {
          warned = true;
          this.warnUnclaimed(runId, this.clock.now() - since);
        }
      }
      await this.nextEventOrTimeout(runId, pollMs);
    }
  }

  private warnUnclaimed(runId: string, waitedMs: number): void {
    const message =
      `Run ${runId} has waited ${Math.round(waitedMs / 1000)} s and no worker has claimed it; this client has no started worker. ` +
      'Start one (lifeline.worker().start(), or `lifeline worker FILE` on the same database).';
    this.emit({ runId, type: 'run.unclaimed', data: { waitedMs, message }, at: this.clock.now() });
    process.emitWarning(message, { code: 'LIFELINE_NO_WORKER' });
  }

  async cancel(runId: string): Promise<RunInfo> {
    const run = await this.store.requestCancel(runId, this.clock.now());
    if (!run) throw new RunNotFoundError(runId);
    this.emit({ runId, type: 'run.cancel_requested', at: this.clock.now() });
    return toRunInfo(run);
  }

  /**
   * Rolls a completed or failed run back (issue 12 §3): a worker replays it to learn its
   * compensations, runs them latest-completed first (each a durable step), and finishes the run as
   * it was (same output or error; `compensation` says how it went). RunNotFoundError for an
   * unknown run; InvalidRunStateError for a run in another status, one compensated before, or one
   * without a completed step that declared a compensation. docs/time-travel.md, "Compensation".
   */
  async rollback(runId: string): Promise<RunInfo> {
    const run = await this.store.requestCompensation({ runId, now: this.clock.now() });
    if (!run) throw new RunNotFoundError(runId);
    for (const worker of this.workers) worker.poke();
    return toRunInfo(run);
  }

  /** Sends a signal; RESOLVE_SIGNAL (`lifeline.resolve`) to an escalated run resolves it (see resolve). */
  async signal(runId: string, name: string, payload?: unknown): Promise<void> {
    if (name === RESOLVE_SIGNAL) {
      await this.resolve(runId, resolveActionOf(payload));
      return;
    }
    const json = toJson(payload ?? null, `Payload of signal "${name}"`, this.maxPayloadBytes);
    await this.store.sendSignal({ runId, name, payload: json, now: this.clock.now() });
    this.emit({ runId, type: 'run.signalled', data: { name }, at: this.clock.now() });
    for (const worker of this.workers) worker.poke();
  }

  /**
   * Resolves an escalated run (a recovery rule `escalate`): `retry` runs its failed step again,
   * `skip` goes on past it (the step returns null), `cancel` cancels the run.
   */
  async resolve(runId: string, action: EscalationAction): Promise<RunInfo> {
    const run = await resolveEscalation(this.store, runId, action, this.clock.now());
    for (const worker of this.workers) worker.poke();
    return toRunInfo(run);
  }

  /** Escalated runs waiting for a resolution, oldest first. */
  escalations(filter: Pick<RecoveryFilter, 'workflow' | 'since' | 'limit'> = {}): Promise<RecoveryRecord[]> {
    return openEscalations(this.store, filter);
  }

  /** Recovery decisions (by run, workflow, since, strategy, outcome): what recovery metrics are computed from. */
  recoveries(filter: RecoveryFilter = {}): Promise<RecoveryRecord[]> {
    return this.store.listRecoveries(filter);
  }

  /** Re-runs a failed run from its failed step; completed steps are replayed, not re-executed. */
  async retry(runId: string): Promise<RunInfo> {
    const run = await this.store.retryRun(runId, this.clock.now());
    if (!run) throw new RunNotFoundError(runId);
    for (const worker of this.workers) worker.poke();
    return toRunInfo(run);
  }

  /**
   * Rewinds a finished run (completed, failed or cancelled) to the step `to` (a step id such as
   * `fetch#0`, or a step name: its first occurrence): the results of that step and of every step
   * after it are set aside as the run's earlier generation (kept, see listStepGenerations), and
   * the run is pending again: the steps before `to` replay from their records, `to` and what
   * follows run again. Recorded as a `run.rewound` event. docs/time-travel.md, "Rewind".
   */
  async rewind(runId: string, options: RewindOptions): Promise<RewindInfo> {
    const { to, by } = checkRewindOptions(options);
    const result = await this.store.rewindRun({ runId, to, now: this.clock.now(), by: by ?? null });
    if (!result) throw new RunNotFoundError(runId);
    for (const worker of this.workers) worker.poke();
    return { run: toRunInfo(result.run), toStepId: result.toStepId, generation: result.generation, setAside: result.setAside };
  }

  /** The step results rewinds set aside for a run (earlier generations), by generation then seq. */
  listStepGenerations(runId: string): Promise<StepGenerationRecord[]> {
    return this.store.listStepGenerations(runId);
  }

  /**
   * Continues a run now: a sleeping or waiting run is woken; a parked run (see
   * WorkerOptions.maxClaimsWithoutProgress) becomes pending again with its count of claims
   * without progress reset, once the cause is fixed. Other runs are returned unchanged.
   */
  async resume(runId: string): Promise<RunInfo> {
    return this.wake(runId);
  }

  /** Makes a sleeping/waiting run runnable now (and a parked one pending: see resume). */
  async wake(runId: string): Promise<RunInfo> {
    const run = await this.store.wakeRun(runId, this.clock.now());
    if (!run) throw new RunNotFoundError(runId);
    for (const worker of this.workers) worker.poke();
    return toRunInfo(run);
  }

  /** The cron schedules the workers stored, by id, with their last and next tick (docs/time-travel.md, "Schedules"). */
  schedules(): Promise<ScheduleInfo[]> {
    return listScheduleInfos(this.store);
  }

  /**
   * Creates (or redefines) a cron schedule stored only in the database, fired by every worker
   * that has `workflow` loaded (docs/time-travel.md, "Schedules created at runtime"). Checked like
   * a workflow's `schedules` (InvalidOptionsError naming the field; the input against the
   * workflow's inputSchema when this client has it loaded); an id taken by a schedule in code is
   * refused with ScheduleSourceError.
   */
  async schedule<I>(options: RuntimeScheduleOptions<I>): Promise<ScheduleInfo> {
    // A workflow named that this client has loaded: its inputSchema checks the input, as in code.
    const name: unknown = (options as Partial<RuntimeScheduleOptions<I>> | undefined)?.workflow;
    const loaded = typeof name === 'string' ? this.workflows().find((w) => w.name === name) : undefined;
    const info = await createSchedule(this.store, loaded === undefined ? options : { ...options, workflow: loaded }, this.clock.now());
    for (const worker of this.workers) worker.schedulesChanged();
    return info;
  }

  /** Deletes a schedule created at runtime and returns it (its runs stay). ScheduleNotFoundError for an unknown id, ScheduleSourceError for one in code. */
  async unschedule(id: string): Promise<ScheduleInfo> {
    const info = await deleteSchedule(this.store, id);
    for (const worker of this.workers) worker.schedulesChanged();
    return info;
  }

  /** Stops a schedule from firing (every worker sees it at its next tick). ScheduleNotFoundError for an unknown id. */
  pauseSchedule(id: string): Promise<ScheduleInfo> {
    return setSchedulePaused(this.store, id, true, this.clock.now());
  }

  /** Fires a paused schedule again from its next tick on; ticks that passed while it was paused do not fire. */
  resumeSchedule(id: string): Promise<ScheduleInfo> {
    return setSchedulePaused(this.store, id, false, this.clock.now());
  }

  /** Cost ledger entries (reservations, committed and released calls), oldest first. */
  listCosts(filter: LedgerFilter = {}): Promise<LedgerEntry[]> {
    return this.store.listCosts(filter);
  }

  /** A worker executing this process's workflows on this Lifeline's store. Call start(). */
  worker(options: WorkerOptions = {}): Worker {
    // The worker's own logger (checked with the other options by WorkerRuntime) takes its events.
    const log = options.logger === undefined ? null : eventLogger(options.logger);
    const emit =
      log === null
        ? (event: EngineEvent) => this.emit(event)
        : (event: EngineEvent) => {
            log(event);
            this.loggedByWorker.add(event);
            this.emit(event);
          };
    const worker = new WorkerRuntime(
      {
        store: this.store,
        clock: this.clock,
        workflows: () => this.workflows(),
        maxPayloadBytes: this.maxPayloadBytes,
        prices: this.prices,
        emit,
        gates: stepGatesOf(this),
        fingerprintRules: this.fingerprintRules,
        onError: (error, context) =>
          emit({ type: 'worker.error', data: { context, message: redactMessage((error as Error)?.message ?? String(error)) }, at: this.clock.now() }),
      },
      options,
    );
    this.workers.add(worker);
    return worker;
  }

  /** Stops this Lifeline's workers (with their shutdown grace) and closes the store it opened. */
  async close(): Promise<void> {
    await Promise.all([...this.workers].map((w) => w.stop()));
    this.workers.clear();
    await sharedBreakersOf(this)?.close();
    if (this.ownsStore) await this.store.close();
  }

  private emit(event: EngineEvent): void {
    if (this.log !== null && !this.loggedByWorker.has(event)) this.log(event);
    if (event.runId !== undefined && isFinalEvent(event.type)) {
      const waiting = this.waiters.get(event.runId);
      if (waiting) for (const wake of [...waiting]) wake();
    }
    // Each listener on its own: an event is published after the write it reports landed, so a
    // listener's bug must neither reach the engine (which would take it for a store failure)
    // nor keep the other listeners from the event. It is reported as a process warning.
    for (const listener of this.events.rawListeners('event') as Array<(event: EngineEvent) => void>) {
      try {
        listener(event);
      } catch (error) {
        process.emitWarning(`A Lifeline.events listener threw on ${event.type}: ${redactMessage(error instanceof Error ? error.message : String(error))}`, {
          code: 'LIFELINE_LISTENER_ERROR',
        });
      }
    }
  }

  private nextEventOrTimeout(runId: string, ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      let waiting = this.waiters.get(runId);
      if (!waiting) this.waiters.set(runId, (waiting = new Set()));
      const set = waiting;
      const timer = this.clock.setTimer(ms, () => done());
      const done = () => {
        timer.cancel();
        set.delete(done);
        if (set.size === 0 && this.waiters.get(runId) === set) this.waiters.delete(runId);
        resolve();
      };
      set.add(done);
    });
  }
}

/** A database no other client can open: an in-memory SQLite store. */
function isPrivateStore(store: Store): boolean {
  return (store as { path?: unknown }).path === ':memory:';
}

function isFinalEvent(type: string): boolean {
  return type === 'run.completed' || type === 'run.failed' || type === 'run.cancelled' || type === 'run.cancel_requested';
}

export function toRunInfo<O = unknown>(run: RunRecord): RunInfo<O> {
  return {
    id: run.id,
    workflow: run.workflow,
    status: run.status,
    input: fromJson(run.input),
    output: run.status === 'completed' ? fromJson<O>(run.output) : undefined,
    error: run.error,
    parentRunId: run.parentRunId,
    createdAt: run.createdAt,
    updatedAt: run.updatedAt,
    wakeAt: run.wakeAt,
    claimCount: run.claimCount,
    claimsWithoutProgress: run.claimsWithoutProgress,
    ...(run.generation === undefined ? {} : { generation: run.generation }),
    version: run.version,
    ...(run.compensation === undefined ? {} : { compensation: run.compensation }),
  };
}
