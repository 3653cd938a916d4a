// Thresholds of the run activity verdicts (src/observe/run-activity.ts): when a run that makes no
// progress counts as stuck. Checked up front like every public option (option-check.ts).
import { checkNumber, checkOptions } from './option-check.js';

export interface ActivityOptions {
  /** A run claimed this many times without committing a step is stuck. Default 3 (two takeovers). */
  stuckAfterClaims?: number;
  /** A running run whose lease expired this long ago and that nobody took over is stuck. Default 30 s. */
  expiredLeaseMs?: number;
  /**
   * A running run with no attempt started or ended and no step committed for this long is stuck
   * (unless it waits for a retry scheduled later). Default 15 min: set it above your longest step.
   */
  noProgressMs?: number;
  /** A pending run (or a sleeping or waiting one past its wake time) no worker claimed for this long is stuck. Default 5 min. */
  unclaimedMs?: number;
}

export const DEFAULT_ACTIVITY_OPTIONS: Readonly<Required<ActivityOptions>> = Object.freeze({
  stuckAfterClaims: 3,
  expiredLeaseMs: 30_000,
  noProgressMs: 15 * 60_000,
  unclaimedMs: 5 * 60_000,
});

const DAY_MS = 86_400_000;
const ms = (value: unknown, path: string) => checkNumber(value, path, { min: 0, max: 365 * DAY_MS, integer: true });

/** Validated thresholds with defaults filled in; errors name the field and its bounds. */
export function resolveActivityOptions(options: unknown, where = 'activity'): Required<ActivityOptions> {
  const o = checkOptions(options, where, {
    stuckAfterClaims: (v, p) => checkNumber(v, p, { min: 1, max: 1_000_000, integer: true }),
    expiredLeaseMs: ms,
    noProgressMs: ms,
    unclaimedMs: ms,
  }) as ActivityOptions;
  return { ...DEFAULT_ACTIVITY_OPTIONS, ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) };
}
