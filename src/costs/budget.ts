// A workflow's cost caps (WorkflowOptions.budget), validated when the workflow is defined.
import { checkNumber, checkOptions } from '../options/option-check.js';
import { toMs, type Duration } from '../workflow/duration.js';

export interface BudgetOptions {
  /** Cap of one run's spend (committed + reserved), in USD. */
  perRunUsd?: number;
  /** Cap of the spend of all runs of the workflow in one UTC day, in USD. */
  perWorkflowPerDayUsd?: number;
  /**
   * A reservation neither committed nor released by then stops counting against the caps (the
   * attempt that made it crashed). Longer than the slowest model call. Default 15 minutes.
   */
  reservationTtl?: Duration;
}

/** Caps in micro-dollars (null: no cap) and the reservation time-to-live. */
export interface ResolvedBudget {
  runCapMicros: number | null;
  workflowDayCapMicros: number | null;
  reservationTtlMs: number;
}

export const DEFAULT_RESERVATION_TTL_MS = 15 * 60_000;
const USD = { min: 0, max: 1_000_000_000, integer: false };

export function resolveBudget(budget: unknown, where: string): ResolvedBudget {
  const o = checkOptions(budget, where, {
    perRunUsd: (v, p) => checkNumber(v, p, USD),
    perWorkflowPerDayUsd: (v, p) => checkNumber(v, p, USD),
    reservationTtl: (v, p) => {
      toMs(v as Duration, p);
    },
  }) as BudgetOptions;
  const micros = (usd: number | undefined) => (usd === undefined ? null : Math.round(usd * 1_000_000));
  return {
    runCapMicros: micros(o.perRunUsd),
    workflowDayCapMicros: micros(o.perWorkflowPerDayUsd),
    reservationTtlMs: o.reservationTtl === undefined ? DEFAULT_RESERVATION_TTL_MS : toMs(o.reservationTtl, `${where}.reservationTtl`),
  };
}

/** The UTC day of an epoch-ms time, YYYY-MM-DD: the bucket of the per-workflow-per-day cap. */
export function utcDay(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}
