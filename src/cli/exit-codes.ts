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
  /** The run was parked (claimed again and again without progress); `lifeline resume` continues it. */
  RUN_PARKED: 7,
  INTERRUPTED: 130,
} as const;
