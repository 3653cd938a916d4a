/** Exit codes of the `lifeline` command. Documented in docs/cli.md; scripts rely on them. */
export const EXIT = {
  OK: 0,
  RUN_FAILED: 1,
  USAGE: 2,
  RUN_CANCELLED: 3,
  NOT_FOUND: 4,
  DATABASE: 5,
  /** The run is not finished (it sleeps or waits for a signal/child) when `run` returns. */
  RUN_SUSPENDED: 6,
  /** The run was parked (claimed again and again without progress; `lifeline resume` continues it) or escalated (`lifeline resolve`). */
  RUN_PARKED: 7,
  /** `lifeline insight slo`: an SLO is paging (burning its error budget fast), so cron or CI can alert. */
  SLO_PAGING: 8,
  /** Stopped by SIGINT (128 + 2), after releasing leases. */
  INTERRUPTED: 130,
  /** Stopped by SIGTERM (128 + 15), after releasing leases. */
  TERMINATED: 143,
} as const;

/** The conventional exit code of a command stopped by a signal: 128 + the signal's number. */
export function exitCodeForSignal(signal: NodeJS.Signals): number {
  return signal === 'SIGTERM' ? EXIT.TERMINATED : EXIT.INTERRUPTED;
}
