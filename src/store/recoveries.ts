// Recovery decisions (issue 8 §10): what a run's final failure led to, as durable records both
// stores keep in their `recoveries` table. The engine decides (engine/recovery.ts); the store
// writes the decision fenced, with the run's status change, in one transaction. These records are
// what recovery metrics are computed from: by run, by workflow, since a time.
import type { ErrorClass } from '../errors/error-class.js';
import type { LifecycleAction } from './lifecycle.js';
import type { RunStatus, StoredError } from './types.js';

export type RecoveryStrategy = 'resume' | 'restart' | 'reassign' | 'escalate';
export const RECOVERY_STRATEGIES: readonly RecoveryStrategy[] = ['resume', 'restart', 'reassign', 'escalate'];

/** A signal of this name sent to an escalated run resolves it; its payload: `{ action: 'retry' | 'skip' | 'cancel' }` or the action alone. */
export const RESOLVE_SIGNAL = 'lifeline.resolve';

/** How an escalated run is resolved (`lifeline resolve RUN retry|skip|cancel`). */
export type EscalationAction = 'retry' | 'skip' | 'cancel';
export const ESCALATION_ACTIONS: readonly EscalationAction[] = ['retry', 'skip', 'cancel'];

/**
 * `open` until the run ends: `recovered` (it completed), `failed` (it failed for good),
 * `cancelled`, or `superseded` (it failed again and a new decision was taken). A reassigned run's
 * decision follows the run that took over.
 */
export type RecoveryOutcome = 'open' | 'recovered' | 'failed' | 'cancelled' | 'superseded';

export interface RecoveryRecord {
  id: number;
  runId: string;
  workflow: string;
  strategy: RecoveryStrategy;
  reason: string;
  errorClass: ErrorClass;
  /** The step whose final failure it was (null: the workflow function itself threw). */
  stepId: string | null;
  /** The run's generation after the decision: 1, plus one per restart. */
  generation: number;
  /** reassign: the run that took over. */
  takenOverBy: string | null;
  /** resume: when the failed step runs again. */
  wakeAt: number | null;
  decidedAt: number;
  /** escalate: how and when it was resolved. */
  resolution: EscalationAction | null;
  resolvedAt: number | null;
  outcome: RecoveryOutcome;
  endedAt: number | null;
  /** endedAt - decidedAt for a recovered run: the time to recover. */
  recoveredMs: number | null;
}

export interface RecoveryFilter {
  runId?: string;
  workflow?: string;
  /** Decisions taken at or after this time (epoch ms). */
  since?: number;
  strategy?: RecoveryStrategy;
  outcome?: RecoveryOutcome;
  limit?: number;
}

/** The lifecycle action each strategy takes on the failing (running) run. */
export const RECOVERY_ACTION: Readonly<Record<RecoveryStrategy, LifecycleAction>> = {
  resume: 'recover_resume',
  restart: 'recover_restart',
  escalate: 'escalate',
  reassign: 'finish_failed',
};

/** The outcome a run's open decisions get when the run ends in `status`. */
export function outcomeOnFinish(status: RunStatus): RecoveryOutcome {
  return status === 'completed' ? 'recovered' : status === 'cancelled' ? 'cancelled' : 'failed';
}

/** Why resolveEscalation refuses a parked run without an open escalation (InvalidRunStateError's reason). */
export const NOT_ESCALATED = 'It is parked as a poison run, not escalated: resume it (lifeline resume RUN)';
/** Why resolveEscalation refuses `skip` when the escalated failure was not a step's. */
export const NOTHING_TO_SKIP = 'Its failure came from the workflow function, not a step: resolve it with retry or cancel';

/** The error an escalated run is parked with: the failure, and how to go on. */
export function escalatedError(error: StoredError, reason: string): StoredError {
  return {
    ...error,
    message: `Escalated (${reason}): ${error.message} Resolve it with lifeline resolve RUN retry|skip|cancel.`,
  };
}

/** outcomeOnFinish as an SQL CASE over a status expression (PostgreSQL ends decisions in one statement). */
export function sqlOutcomeOnFinish(statusExpr: string): string {
  const cases = (['completed', 'cancelled', 'failed'] as const).map((s) => `WHEN '${s}' THEN '${outcomeOnFinish(s)}'`).join(' ');
  return `CASE ${statusExpr} ${cases} END`;
}

export interface RecoveryRow {
  id: number;
  run_id: string;
  workflow: string;
  strategy: string;
  reason: string;
  error_class: string;
  step_id: string | null;
  generation: number;
  taken_over_by: string | null;
  wake_at: number | null;
  decided_at: number;
  resolution: string | null;
  resolved_at: number | null;
  outcome: string;
  ended_at: number | null;
}

export function toRecoveryRecord(row: RecoveryRow): RecoveryRecord {
  const outcome = row.outcome as RecoveryOutcome;
  const endedAt = row.ended_at === null ? null : Number(row.ended_at);
  const decidedAt = Number(row.decided_at);
  return {
    id: Number(row.id),
    runId: row.run_id,
    workflow: row.workflow,
    strategy: row.strategy as RecoveryStrategy,
    reason: row.reason,
    errorClass: row.error_class as ErrorClass,
    stepId: row.step_id,
    generation: Number(row.generation),
    takenOverBy: row.taken_over_by,
    wakeAt: row.wake_at === null ? null : Number(row.wake_at),
    decidedAt,
    resolution: row.resolution as EscalationAction | null,
    resolvedAt: row.resolved_at === null ? null : Number(row.resolved_at),
    outcome,
    endedAt,
    recoveredMs: outcome === 'recovered' && endedAt !== null ? endedAt - decidedAt : null,
  };
}

/** The WHERE clause and its values for a filter; `p(i)` names the i-th placeholder (`?` or `$i`). */
export function recoveryWhere(filter: RecoveryFilter, p: (i: number) => string): { where: string; values: unknown[] } {
  const parts: string[] = [];
  const values: unknown[] = [];
  const add = (sql: (ph: string) => string, value: unknown) => {
    values.push(value);
    parts.push(sql(p(values.length)));
  };
  if (filter.runId !== undefined) add((ph) => `run_id = ${ph}`, filter.runId);
  if (filter.workflow !== undefined) add((ph) => `workflow = ${ph}`, filter.workflow);
  if (filter.since !== undefined) add((ph) => `decided_at >= ${ph}`, filter.since);
  if (filter.strategy !== undefined) add((ph) => `strategy = ${ph}`, filter.strategy);
  if (filter.outcome !== undefined) add((ph) => `outcome = ${ph}`, filter.outcome);
  return { where: parts.length === 0 ? '' : `WHERE ${parts.join(' AND ')}`, values };
}
