// Rewind (issue 12 §2): a finished run continues from an earlier step. The step results from
// that step on (by seq) are set aside as the run's earlier generation, never overwritten, and the
// run becomes pending as the next generation. Both stores do it in one transaction and take the
// same decisions from here (which step `to` names, what the event says).
// docs/decisions/2026-11-30-rewind.md says why it works this way.
import { InvalidRunStateError } from '../errors/store-errors.js';
import { retryRefusal } from './compensation.js';
import { RewindTargetNotFoundError } from '../errors/rewind-errors.js';
import { decide } from './lifecycle.js';
import { toStepRecord, type StepRow } from './rows.js';
import type { RunRecord, RunStatus, StepRecord } from './types.js';
import type { NewEvent } from './store.js';

export interface RewindRunArgs {
  runId: string;
  /** A step id (`fetch#0`), or a step name: its first occurrence (lowest seq). */
  to: string;
  now: number;
  /** Who asked (recorded in the `run.rewound` event), when known. */
  by?: string | null;
}

export interface RewindResult {
  /** The run after the rewind: pending, generation + 1. */
  run: RunRecord;
  /** The step id the run continues from. */
  toStepId: string;
  /** The run's generation now (the set-aside results are generation - 1). */
  generation: number;
  /** How many step results were set aside. */
  setAside: number;
}

/** A step result set aside by a rewind: the step record as it was, with its generation. */
export interface StepGenerationRecord extends StepRecord {
  /** The run's generation the result belonged to (1: before the first rewind). */
  generation: number;
  setAsideAt: number;
}

export interface StepGenerationRow extends StepRow {
  generation: number;
  set_aside_at: number;
}

export function toStepGenerationRecord(row: StepGenerationRow): StepGenerationRecord {
  return { ...toStepRecord(row), generation: Number(row.generation), setAsideAt: Number(row.set_aside_at) };
}

/** The step_results columns, copied as they are into step_generations. */
export const STEP_RESULT_COLUMNS = 'run_id, step_id, name, seq, kind, status, output, error, attempts, started_at, completed_at, ran_with';

/**
 * The step `to` names among the run's steps (ordered by seq): the step with that id, else the
 * first step with that name. Throws the lifecycle spec's InvalidRunStateError for a run that is
 * not finished (checked first), RewindTargetNotFoundError naming the steps the run has.
 */
export function rewindTarget(run: Pick<RunRecord, 'id' | 'status' | 'compensation'>, steps: readonly StepKey[], to: string): { stepId: string; seq: number } {
  decide('rewind', run.id, run.status);
  // Its completed steps were undone: replaying the records of those before `to` would go on as if they were not.
  const compensated = retryRefusal(run);
  if (compensated !== null) throw new InvalidRunStateError(run.id, run.status, 'rewind', compensated);
  const found = steps.find((s) => s.stepId === to) ?? steps.find((s) => s.name === to);
  if (found === undefined)
    throw new RewindTargetNotFoundError(
      run.id,
      to,
      steps.map((s) => s.stepId),
    );
  return { stepId: found.stepId, seq: found.seq };
}

export type StepKey = Pick<StepRecord, 'stepId' | 'name' | 'seq'>;

/** What a store returns and appends once the rows moved and the run was updated to `run`. */
export function rewound(
  args: RewindRunArgs,
  from: RunStatus,
  run: RunRecord,
  target: { stepId: string },
  previousGeneration: number,
  setAside: number,
): { result: RewindResult; event: NewEvent } {
  const generation = previousGeneration + 1;
  const by = args.by === undefined || args.by === null || args.by === '' ? {} : { by: args.by };
  return {
    result: { run, toStepId: target.stepId, generation, setAside },
    event: { runId: args.runId, type: 'run.rewound', data: { to: target.stepId, generation, setAside, from, ...by }, at: args.now },
  };
}
