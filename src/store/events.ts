// The one event vocabulary: every event name Lifeline writes or publishes, with its payload.
// The engine builds events through it, both stores persist its run events, and the CLI's
// progress printer and the JSON event log read it. It lives with the store contract because
// event rows are store records; nothing here knows SQL.
import type { PruneCounts } from './retention.js';
import type { ErrorClass } from '../errors/error-class.js';
import type { EscalationAction, RecoveryStrategy } from './recoveries.js';
import type { SloAlertLevel } from './insight-records.js';
import type { RunStatus, StepKind, StepStatus, StoredError } from './types.js';

/** Why a run's compensations run: its final failure, a cancel, or a rollback on demand. */
export type CompensationReason = 'failed' | 'cancelled' | 'rollback';

interface Suspension {
  wakeAt: number | null;
  signals: string[];
  children: string[];
}

/** The kinds of `step.agent_event`. */
export type AgentEventKind = 'started' | 'orphan_killed' | 'session' | 'turn' | 'checkpoint' | 'result' | 'exited' | 'dropped';

/** Event name → payload. `undefined` in a payload's type means the event may carry no data. */
export interface EventMap {
  /** version: the workflow version the run is pinned to, when it has one (issue 12 §4). */
  'run.created': { workflow: string; version?: number };
  'run.claimed': { workerId: string; claimCount: number; workflow?: string; version?: number };
  'run.owner_dead': { pid: number; host: string };
  'run.cancel_requested': undefined;
  /** `from` is set when the store cancels a run that was not executing. */
  'run.cancelled': { from: RunStatus } | undefined;
  /** `from`: the run that sent it as a message (ctx.send). */
  'run.signalled': { name: string; signalId?: number; from?: string };
  'run.retried': { removedFailedSteps: number };
  'run.woken': { from: RunStatus };
  'run.released': { reason: 'shutdown' };
  'run.sleeping': Suspension;
  'run.waiting': Suspension;
  'run.completed': undefined;
  'run.failed': { error: StoredError };
  /** Claimed again and again without progress (a poison run): parked with its reason until resumed. */
  'run.parked': { claims: number; error?: StoredError | null };
  /** A parked run made pending again (`resume`). */
  'run.resumed': { from: RunStatus };
  /** A worker stopped driving the run after a store failure of unknown outcome (best effort). */
  'run.abandoned': { message: string };
  /** A final failure led to a recovery decision (one per decision, written with it; see recoveries.ts). */
  'run.recovering': { strategy: RecoveryStrategy; reason: string; errorClass: ErrorClass; stepId: string | null; wakeAt?: number | null };
  /** Recovery: the run waits (parked) for a person to resolve it with retry, skip or cancel. */
  'run.escalated': { reason: string; errorClass: ErrorClass; stepId: string | null };
  /** Recovery: the run starts again from scratch as a new generation (earlier attempts stay recorded). */
  'run.restarted': { generation: number };
  /** Recovery: another run (of `workflow`, with the same input) took over; this one ends failed. */
  'run.reassigned': { to: string; workflow: string };
  /**
   * An operator rewound the run to `to` (lifeline rewind): `setAside` step results from it on were
   * kept as generation `generation - 1` and the run continues as generation `generation`.
   */
  'run.rewound': { to: string; generation: number; setAside: number; from: RunStatus; by?: string };
  /**
   * The run's compensations start (issue 12 §3): `steps` are the steps whose compensations run,
   * latest completed first; `reason` is what asked for it.
   */
  'run.compensating': { reason: CompensationReason; steps: string[] };
  /**
   * The compensations ended: which steps were undone, which compensations still failed after
   * their retries, and which steps with a compensation the workflow's code no longer reached.
   */
  'run.compensated': { reason: CompensationReason; compensated: string[]; failed: string[]; unreached: string[] };
  /** `lifeline rollback` / Lifeline.rollback asked for a finished run's compensations. */
  'run.rollback_requested': { from: RunStatus };
  /** One step's compensation committed (`ok`) or failed for good (published in-process; the run.compensated row says it durably). */
  'step.compensated': { stepId: string; compensationStepId: string; ok: boolean; message?: string };
  /** An escalated run was resolved. */
  'run.resolved': { action: EscalationAction; stepId: string | null };
  /** result() waited this long and no worker claimed the run (published only, never stored). */
  'run.unclaimed': { waitedMs: number; message: string };
  /**
   * An attempt of a step is about to run its function (published only, never stored): the
   * start line of structured logs (src/observe/event-log.ts).
   */
  'step.started': { stepId: string; name: string; attempt: number; alternative?: string };
  /**
   * A `step` ran (`attempt`: how long its last attempt took and its output's size in bytes), or a
   * sleep/signal/child slot was committed (`kind`).
   */
  'step.completed': { stepId: string; attempt: number; durationMs?: number; outputBytes?: number } | { stepId: string; kind: StepKind };
  'step.waiting': { stepId: string; kind: StepKind };
  // errorKind: the failure's kind within its class (Classification.kind), when one was recognised.
  'step.failed':
    { stepId: string; attempt: number; errorClass: ErrorClass; errorKind?: string; message: string; reason: string } | { stepId: string; kind: StepKind };
  /** A fallback chain left `from` for `to` (after `attempt` failed with `errorClass`, or skipped it before trying). */
  'step.fallback': { stepId: string; from: string; to: string; reason: string; attempt?: number; errorClass?: ErrorClass };
  /** A best-effort step failed for good and returned its default instead. */
  'step.defaulted': { stepId: string; attempt: number; errorClass: ErrorClass; errorKind?: string; message: string; reason: string };
  'step.retrying': { stepId: string; attempt: number; errorClass: ErrorClass; errorKind?: string; delayMs: number; message: string };
  'step.replayed': { stepId: string; status: StepStatus };
  /** A step gate (shared breaker, concurrency or rate limit) said "not now": the run sleeps until `retryAt` without using an attempt. */
  'step.deferred': { stepId: string; gate: string; reason: string; retryAt: number };
  /**
   * A step's result came from the step cache (StepOptions.cache) without running its body: stored
   * with the step's commit, naming the run that computed it and the cache key (SHA-256, hex).
   */
  'step.cached': { stepId: string; attempt: number; sourceRunId: string; key: string; computedAt: number };
  /**
   * What an external agent process did during a step (src/agent-process/): sampled, never one row
   * per output line. `detail` is short, redacted text; `checkpoint` the continuation it left.
   */
  'step.agent_event': {
    stepId: string;
    attempt: number;
    kind: AgentEventKind;
    detail?: string;
    sessionId?: string;
    turn?: number;
    costUsd?: number;
    checkpoint?: unknown;
  };
  /**
   * One try of a structured-output step (src/llm/structured-step.ts): the model that answered,
   * whether its JSON needed repair, which re-ask it was (0 = the first ask) and whether it
   * validated; `kind` says why not (no_json, invalid_json, schema_mismatch).
   */
  'llm.structured': { stepId: string; attempt: number; model: string; repaired: boolean; reask: number; ok: boolean; kind?: string };
  /** Failure routing: `stepId` failed for good; `helper` runs, then the step is tried again as `retryStepId`. */
  'step.routed': { stepId: string; helper: string; retryStepId: string; route: number; errorClass: ErrorClass; message: string };
  /** A shared limit (limits.ts) had no room for the step now: it sleeps until retryAt (published in-process; counted per key in the store). */
  'limit.throttled': { stepId: string; key: string; limit: 'concurrency' | 'calls' | 'tokens'; retryAt: number };
  /** A retry was refused because the key's retry budget is spent: the step fails for good. */
  'limit.retry_budget_exhausted': { stepId: string; key: string; reason: string };
  'store.unavailable': { message: string; retryInMs: number };
  'store.soft_write_failed': { message: string };
  /** The workflow assembled an output below its best level (src/agent/degradation): which level, what is missing and why. */
  'run.degraded': { name: string; level: string; missing: Array<{ section: string; reason: string }> };
  /** A loop guard (src/agent/loop-guard) saw the agent repeat itself, and how it escalated. */
  'run.loop_detected': { guard: string; kind: string; detail: string; level: string; signal?: string };
  /** A quality gate in `warn` mode (src/gates/) had failing checks: recorded, and the run went on. */
  'run.gate_warned': { gate: string; failed: GateCheckReport[] };
  /** A worker's own failure: not a run's event, never stored. */
  'worker.error': { context: string; message: string };
  /** A worker's periodic prune (WorkerOptions.retention) ran: what it deleted, by table. */
  'worker.pruned': PruneCounts & { batches: number; endedBefore: number };
  /** The database ran out of disk, memory or another resource: the worker pauses claiming. Never stored. */
  'worker.store_exhausted': { message: string; pauseMs: number; text: string };
  /** A shared circuit breaker opened (by this process's update): calls of `key` are deferred until `openUntil`. Never stored (the breaker's row is). */
  'breaker.opened': BreakerChange & { openUntil: number; failureRate?: number; slowCallRate?: number; calls?: number };
  /** A shared breaker's cool-down ended: probe calls are granted as leases. Never stored. */
  'breaker.half_open': BreakerChange;
  /** A shared breaker closed after its probes succeeded. Never stored. */
  'breaker.closed': BreakerChange;
  /** A worker is about to fire these ticks of a cron schedule (the store decides whether it does). Never stored. */
  'schedule.firing': { scheduleId: string; ticks: string[] };
  /** This worker fired ticks of a schedule and created these runs (one per tick). Never stored (the runs and the schedule's row are). */
  'schedule.fired': { scheduleId: string; ticks: string[]; runIds: string[] };
  /** Ticks of a schedule got no run (catchUp "skip" after a downtime, or "all" over maxCatchUp), and why. Never stored. */
  'schedule.skipped': { scheduleId: string; capped: boolean; text: string };
  /** An SLO started burning its error budget fast enough to page someone (src/insight/slo-check.ts). Published once per transition, never stored as a run event (the level is in slo_states). */
  'slo.paging': SloAlert;
  /** An SLO burns its budget slowly but steadily: worth a ticket. Published once per transition. */
  'slo.ticket': SloAlert;
  /** An SLO is back within its burn-rate rules. Published once per transition (also on its first evaluation). */
  'slo.ok': SloAlert;
}

/** An SLO objective's alert level changed: from which level (null on its first evaluation), why, and the numbers. */
export interface SloAlert {
  key: string;
  workflow: string;
  objective: 'success' | 'latency';
  from: SloAlertLevel | null;
  reason: string;
  budgetRemaining: number;
  burnRates: Record<string, number>;
}

/** One check of a quality gate: passed or not, with what it said (redacted, at most 500 characters). */
export interface GateCheckReport {
  name: string;
  pass: boolean;
  detail?: string;
}

/** What a quality gate step records as its output (src/gates/): `lifeline show` prints it. */
export interface GateOutcome {
  gate: string;
  mode: 'strict' | 'warn' | 'off';
  /** Where the mode came from: `option`, `default`, or the environment variable that set it. */
  source: string;
  verdict: 'passed' | 'warned' | 'failed' | 'skipped';
  checks: GateCheckReport[];
}

interface BreakerChange {
  key: string;
  from: 'closed' | 'open' | 'half_open';
  reason: string;
}

export type EventType = keyof EventMap;
/** Run events a workflow records itself (ctx.recordEvent), once per run. */
export type WorkflowEventType = 'run.degraded' | 'run.loop_detected' | 'run.gate_warned';
export type WorkerEventType = 'worker.error' | 'worker.store_exhausted' | 'worker.pruned' | BreakerEventType | ScheduleEventType | SloEventType;
/** A cron schedule's firing (issue 12 §5): about a schedule, not a run. */
export type ScheduleEventType = 'schedule.firing' | 'schedule.fired' | 'schedule.skipped';
/** An SLO's alert level changed (src/insight/slo-check.ts): about a workflow's SLO, not a run. */
export type SloEventType = 'slo.paging' | 'slo.ticket' | 'slo.ok';
/** A shared circuit breaker's state change (src/breakers/): about a dependency key, not a run. */
export type BreakerEventType = 'breaker.opened' | 'breaker.half_open' | 'breaker.closed';
/** Events about one run: stored with the state change they describe, or only published. */
export type RunEventType = Exclude<EventType, WorkerEventType>;

type Payload<K extends EventType> = undefined extends EventMap[K] ? { data?: EventMap[K] } : { data: EventMap[K] };

/** One run event, typed by its name: `data` is the payload the map gives that name. */
export type RunEvent<K extends RunEventType = RunEventType> = {
  [T in K]: { runId: string; type: T; at: number } & Payload<T>;
}[K];

/** A worker's own event: `runId` only when it concerns one run. Published in-process, never stored. */
export type WorkerEvent<K extends WorkerEventType = WorkerEventType> = {
  [T in K]: { type: T; runId?: string; data: EventMap[T]; at: number };
}[K];
/** A worker error (see WorkerEvent). */
export type WorkerErrorEvent = WorkerEvent<'worker.error'>;

/** Everything `Lifeline.events` publishes. */
export type LifelineEvent = RunEvent | WorkerEvent;

/** The arguments after the name that `event(type, ...)` takes: data, optional when the map allows none. */
export type EventData<K extends RunEventType> = undefined extends EventMap[K] ? [data?: EventMap[K]] : [data: EventMap[K]];
