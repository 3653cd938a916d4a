// What a step ran with (issue 10 §6, coverage), as bit flags in StepRecord.ranWith (the
// step_results column ran_with, migration 16): computed once per step call from its resolved
// options, plus whether a side effect read its idempotency key, and written with the step's
// commit: one integer, no extra statement.

/** Each attempt had a timeout (the step's `timeout` or the workflow's `stepTimeout`). */
export const RAN_WITH_TIMEOUT = 1;
/** The retry policy allowed more than one attempt (or a fallback chain had another alternative). */
export const RAN_WITH_RETRIES = 2;
/** The step was marked `sideEffect: true`. */
export const RAN_WITH_SIDE_EFFECT = 4;
/** The committed attempt's body read `info.idempotencyKey`. */
export const RAN_WITH_KEY_READ = 8;
/** The step declared a compensation (`compensate`): a run cancelled or rolled back must run it (engine/compensation.ts). */
export const RAN_WITH_COMPENSATION = 16;

export interface RanWith {
  timeout: boolean;
  retries: boolean;
  sideEffect: boolean;
  idempotencyKeyRead: boolean;
}

export function decodeRanWith(flags: number): RanWith {
  return {
    timeout: (flags & RAN_WITH_TIMEOUT) !== 0,
    retries: (flags & RAN_WITH_RETRIES) !== 0,
    sideEffect: (flags & RAN_WITH_SIDE_EFFECT) !== 0,
    idempotencyKeyRead: (flags & RAN_WITH_KEY_READ) !== 0,
  };
}
