// Compensation (issue 12 §3, sagas and rollback on demand): what the stores share. A run's
// compensation state is one column of its row (migration 19, RunRecord.compensation); the
// compensations themselves are step records of the run (engine/compensation.ts), so retention
// removes them with the run's steps and nothing else needs pruning.
import { RAN_WITH_COMPENSATION } from '../insight/ran-with.js';
import type { LeaseArgs, NewEvent } from './store.js';
import type { CompensationState, StoredError } from './types.js';

/** Store.setCompensation: a fenced write of the run's compensation state. */
export interface SetCompensationArgs extends LeaseArgs {
  state: CompensationState;
  /** The run's final failure being compensated: stored on the run (its row keeps it across a crash). */
  error?: StoredError;
  events?: NewEvent[];
}

/** Compensation step ids: `compensate:<step id>`; step names may not start with it (options/public-options.ts). */
export const COMPENSATION_PREFIX = 'compensate:';

/**
 * Compensation steps are recorded at seqs in [COMPENSATION_SEQ_BASE, 2 * COMPENSATION_SEQ_BASE)
 * (2 * base - 1 - the compensated step's seq): a range no workflow call reaches, so replay's
 * determinism check never meets them; it fits a 32-bit integer column.
 */
export const COMPENSATION_SEQ_BASE = 1_000_000_000;

export function compensationStepId(stepId: string): string {
  return `${COMPENSATION_PREFIX}${stepId}`;
}

/**
 * SQL (the same text for both backends): whether run `runIdExpr` has a completed step that
 * declared a compensation whose compensation did not commit yet.
 */
export function sqlHasStepsToCompensate(schema: string, runIdExpr: string): string {
  return `EXISTS (SELECT 1 FROM ${schema}step_results AS s WHERE s.run_id = ${runIdExpr} AND s.status = 'completed'
    AND (COALESCE(s.ran_with, 0) & ${RAN_WITH_COMPENSATION}) <> 0
    AND NOT EXISTS (SELECT 1 FROM ${schema}step_results AS c WHERE c.run_id = s.run_id AND c.step_id = 'compensate:' || s.step_id))`;
}

/**
 * Store.retryRun refuses a failed run whose compensations ran: its completed steps were undone,
 * and replaying their records would go on as if they were not.
 */
export function retryRefusal(run: { compensation?: CompensationState }): string | null {
  return run.compensation === undefined || run.compensation === 'requested'
    ? null
    : `Its completed steps were compensated (compensation ${run.compensation}): start a new run instead`;
}

/** The refusals of Store.requestCompensation beyond the lifecycle's (exact texts: the conformance area asserts them). */
export const ROLLBACK_REFUSALS = {
  again: (state: CompensationState) => `Its compensation was already asked for (${state})`,
  nothing: 'It has no completed step that declared a compensation',
} as const;
