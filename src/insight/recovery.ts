// Recovery metrics and the incident journal (issue 10 §7), computed from a window's runs, their
// attempts and the recovery decisions (Store.listRecoveries). Pure: recovery-report.ts reads the
// store. docs/insight.md, "Recovery metrics", explains every number.
//
// A run counts when it finished (completed or failed) in the window; cancelled runs are listed
// apart and in no percentage. An incident is a run with at least one failed, timed-out or
// interrupted attempt, or a recovery decision. Its first failure gives the error and the reason;
// its strategy is what got it going again: the last recovery decision's strategy (resume,
// restart, reassign, escalate), else `fallback` when an alternative other than the failing one
// answered, else `takeover` when the first failure was an interrupted attempt (a crash or a
// stalled worker, continued by the next claim), else `retry`.
import type { ErrorClass } from '../errors/error-class.js';
import type { RecoveryRecord } from '../store/recoveries.js';
import type { RunTime } from '../store/insight-records.js';
import type { AttemptRecord } from '../store/types.js';

/** Why the first failure happened, in the five buckets. */
export type FailureReason = 'interrupted' | 'timeout' | 'provider' | 'configuration' | 'unknown';
export const FAILURE_REASONS: readonly FailureReason[] = ['interrupted', 'timeout', 'provider', 'configuration', 'unknown'];

export type IncidentStrategy = 'retry' | 'fallback' | 'takeover' | 'resume' | 'restart' | 'reassign' | 'escalate';
export type IncidentOutcome = 'recovered' | 'unrecoverable' | 'cancelled' | 'open';

export interface Incident {
  runId: string;
  workflow: string;
  /** The step of the first failure (null: a recovery decision about the workflow function itself). */
  stepId: string | null;
  firstFailureAt: number;
  errorClass: ErrorClass | null;
  errorKind: string | null;
  errorName: string | null;
  /** The first failure's (redacted) message, or the attempt's outcome when it has none. */
  error: string;
  /** An agent process's exit code, when the message says one ("exit code 127"). */
  exitCode: number | null;
  /** The signal that ended an agent process, when the message says one ("killed by SIGINT"). */
  signal: string | null;
  reason: FailureReason;
  strategy: IncidentStrategy;
  outcome: IncidentOutcome;
  /** Failed, timed-out and interrupted attempts of the run. */
  failedAttempts: number;
  /** recovered: first failure to the failing step's first success after it (or, after a recovery decision, to the run's recovery). */
  recoveryMs: number | null;
}

export interface RecoveryGroup {
  /** Runs finished in the window (completed + failed); 0 for a strategy group. */
  runs: number;
  firstTry: number;
  recovered: number;
  unrecoverable: number;
  /** Shares of `runs` (null with no runs). */
  firstTryRate: number | null;
  recoveredRate: number | null;
  unrecoverableRate: number | null;
  incidents: number;
  meanRecoveryMs: number | null;
  medianRecoveryMs: number | null;
  reasons: Record<FailureReason, number>;
}

export interface RecoveryMetrics {
  since: number;
  until: number;
  total: RecoveryGroup;
  byWorkflow: Record<string, RecoveryGroup>;
  byStrategy: Partial<Record<IncidentStrategy, RecoveryGroup>>;
  /** Runs cancelled in the window (in no percentage). */
  cancelled: number;
  /** Every incident, newest first failure first. */
  journal: Incident[];
}

const FAILED_OUTCOMES = new Set(['failed', 'timeout', 'interrupted']);
const PROVIDER_CLASSES = new Set<ErrorClass>(['rate_limit', 'dependency', 'transient']);
const CONFIG_KINDS = new Set(['auth', 'model_not_found']);

/** The reason bucket of a failed attempt: its outcome first (a timeout, an interruption), then its class and kind. */
export function failureReason(attempt: Pick<AttemptRecord, 'outcome' | 'errorClass' | 'errorKind'>): FailureReason {
  if (attempt.outcome === 'interrupted' || attempt.errorClass === 'interrupted' || attempt.errorClass === 'cancelled') return 'interrupted';
  if (attempt.outcome === 'timeout' || attempt.errorClass === 'timeout') return 'timeout';
  if (attempt.errorClass === 'configuration' || (attempt.errorKind !== null && CONFIG_KINDS.has(attempt.errorKind))) return 'configuration';
  if (attempt.errorClass !== null && PROVIDER_CLASSES.has(attempt.errorClass)) return 'provider';
  return 'unknown';
}

function exitCodeOf(message: string | null): number | null {
  const match = message === null ? null : /exit(?:ed with)? code (-?\d+)/i.exec(message);
  return match ? Number(match[1]) : null;
}

function signalOf(message: string | null): string | null {
  return (message === null ? null : /killed by (SIG[A-Z0-9]+)/.exec(message))?.[1] ?? null;
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function emptyGroup(): RecoveryGroup {
  return {
    runs: 0,
    firstTry: 0,
    recovered: 0,
    unrecoverable: 0,
    firstTryRate: null,
    recoveredRate: null,
    unrecoverableRate: null,
    incidents: 0,
    meanRecoveryMs: null,
    medianRecoveryMs: null,
    reasons: { interrupted: 0, timeout: 0, provider: 0, configuration: 0, unknown: 0 },
  };
}

/** The incident of one run, or null when nothing failed. */
export function incidentOf(run: RunTime, attempts: readonly AttemptRecord[], decisions: readonly RecoveryRecord[]): Incident | null {
  const failures = attempts.filter((a) => FAILED_OUTCOMES.has(a.outcome)).sort((a, b) => (a.endedAt ?? a.startedAt) - (b.endedAt ?? b.startedAt));
  const lastDecision = decisions.at(-1);
  if (failures.length === 0 && lastDecision === undefined) return null;
  const first = failures[0];
  const firstFailureAt = first !== undefined ? (first.endedAt ?? first.startedAt) : lastDecision!.decidedAt;
  const outcome: IncidentOutcome =
    run.status === 'completed' || lastDecision?.outcome === 'recovered'
      ? 'recovered'
      : run.status === 'failed'
        ? 'unrecoverable'
        : run.status === 'cancelled'
          ? 'cancelled'
          : 'open';
  const stepId = first?.stepId ?? lastDecision?.stepId ?? null;
  const success = attempts
    .filter((a) => a.outcome === 'succeeded' && a.stepId === stepId && (a.endedAt ?? 0) >= firstFailureAt)
    .sort((a, b) => (a.endedAt ?? 0) - (b.endedAt ?? 0))[0];
  let strategy: IncidentStrategy;
  if (lastDecision !== undefined) strategy = lastDecision.strategy;
  else if (success !== undefined && success.alternative !== null && first !== undefined && success.alternative !== first.alternative) strategy = 'fallback';
  else if (first !== undefined && first.alternative !== null && failures.some((f) => f.alternative !== first.alternative)) strategy = 'fallback';
  else if (first?.outcome === 'interrupted') strategy = 'takeover';
  else strategy = 'retry';
  let recoveryMs: number | null = null;
  if (outcome === 'recovered') {
    const recoveredAt = lastDecision?.outcome === 'recovered' && lastDecision.endedAt !== null ? lastDecision.endedAt : (success?.endedAt ?? run.updatedAt);
    recoveryMs = Math.max(0, recoveredAt - firstFailureAt);
  }
  return {
    runId: run.id,
    workflow: run.workflow,
    stepId,
    firstFailureAt,
    errorClass: first?.errorClass ?? lastDecision?.errorClass ?? null,
    errorKind: first?.errorKind ?? null,
    errorName: first?.errorName ?? null,
    error: first === undefined ? `recovery decision: ${lastDecision!.reason}` : (first.errorMessage ?? first.outcome),
    exitCode: exitCodeOf(first?.errorMessage ?? null),
    signal: signalOf(first?.errorMessage ?? null),
    reason: first === undefined ? failureReason({ outcome: 'failed', errorClass: lastDecision!.errorClass, errorKind: null }) : failureReason(first),
    strategy,
    outcome,
    failedAttempts: failures.length,
    recoveryMs,
  };
}

function finish(group: RecoveryGroup, times: number[]): RecoveryGroup {
  const share = (n: number) => (group.runs === 0 ? null : n / group.runs);
  return {
    ...group,
    firstTryRate: share(group.firstTry),
    recoveredRate: share(group.recovered),
    unrecoverableRate: share(group.unrecoverable),
    meanRecoveryMs: times.length === 0 ? null : times.reduce((a, b) => a + b, 0) / times.length,
    medianRecoveryMs: median(times),
  };
}

/**
 * The metrics of the runs in [since, until]: `runs` are Store.listRunTimes rows, `attempts` and
 * `decisions` by run id (runs without an entry had none).
 */
export function recoveryMetrics(input: {
  since: number;
  until: number;
  runs: readonly RunTime[];
  attempts: ReadonlyMap<string, readonly AttemptRecord[]>;
  decisions: ReadonlyMap<string, readonly RecoveryRecord[]>;
}): RecoveryMetrics {
  const total = emptyGroup();
  const totalTimes: number[] = [];
  const byWorkflow = new Map<string, { group: RecoveryGroup; times: number[] }>();
  const byStrategy = new Map<IncidentStrategy, { group: RecoveryGroup; times: number[] }>();
  const journal: Incident[] = [];
  let cancelled = 0;
  const slot = <K>(map: Map<K, { group: RecoveryGroup; times: number[] }>, key: K) => {
    let entry = map.get(key);
    if (entry === undefined) map.set(key, (entry = { group: emptyGroup(), times: [] }));
    return entry;
  };
  for (const run of input.runs) {
    const terminal = run.status === 'completed' || run.status === 'failed' || run.status === 'cancelled';
    if (terminal && (run.updatedAt < input.since || run.updatedAt > input.until)) continue;
    const incident = incidentOf(run, input.attempts.get(run.id) ?? [], input.decisions.get(run.id) ?? []);
    if (!terminal && incident === null) continue;
    if (incident !== null) journal.push(incident);
    if (run.status === 'cancelled') cancelled++;
    const groups = [{ group: total, times: totalTimes }, slot(byWorkflow, run.workflow)];
    if (run.status === 'completed' || run.status === 'failed') {
      for (const g of groups) {
        g.group.runs++;
        if (incident === null) g.group.firstTry++;
        else if (incident.outcome === 'recovered') g.group.recovered++;
        else g.group.unrecoverable++;
      }
    }
    if (incident === null) continue;
    const strategy = slot(byStrategy, incident.strategy);
    // A strategy group has no runs of its own: it counts its incidents' outcomes.
    if (incident.outcome === 'recovered') strategy.group.recovered++;
    if (incident.outcome === 'unrecoverable') strategy.group.unrecoverable++;
    for (const g of [...groups, strategy]) {
      g.group.incidents++;
      g.group.reasons[incident.reason]++;
      if (incident.outcome === 'recovered' && incident.recoveryMs !== null) g.times.push(incident.recoveryMs);
    }
  }
  const done = <K extends string>(map: Map<K, { group: RecoveryGroup; times: number[] }>) =>
    Object.fromEntries([...map].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, finish(v.group, v.times)])) as Record<K, RecoveryGroup>;
  journal.sort((a, b) => b.firstFailureAt - a.firstFailureAt || a.runId.localeCompare(b.runId));
  return {
    since: input.since,
    until: input.until,
    total: finish(total, totalTimes),
    byWorkflow: done(byWorkflow),
    byStrategy: done(byStrategy),
    cancelled,
    journal,
  };
}
