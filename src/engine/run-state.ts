import { TERMINAL_STATUSES, type RunStatus } from '../store/types.js';

/**
 * The run lifecycle as one table: every status change the engine or a store makes is one
 * of these. Stores enforce them in SQL; this table is the reference the unit tests check
 * and the place to change when a status is added.
 */
export type RunTransition =
  | 'claim' // a worker takes a runnable run
  | 'suspend_sleep' // ctx.sleep
  | 'suspend_wait' // waitForSignal / child
  | 'release' // shutdown gives the run back
  | 'wake' // signal, child finished, timer due, resume
  | 'complete'
  | 'fail'
  | 'cancel'
  | 'retry' // a failed run is made runnable from its failed step
  | 'park' // a claim finds a poison run (claimed again and again without progress)
  | 'resume'; // a parked run is made runnable again

const TRANSITIONS: Record<RunTransition, { from: readonly RunStatus[]; to: RunStatus }> = {
  claim: { from: ['pending', 'sleeping', 'waiting', 'running'], to: 'running' },
  suspend_sleep: { from: ['running'], to: 'sleeping' },
  suspend_wait: { from: ['running'], to: 'waiting' },
  release: { from: ['running'], to: 'pending' },
  wake: { from: ['sleeping', 'waiting'], to: 'pending' },
  complete: { from: ['running'], to: 'completed' },
  fail: { from: ['running'], to: 'failed' },
  cancel: { from: ['pending', 'running', 'sleeping', 'waiting', 'parked'], to: 'cancelled' },
  retry: { from: ['failed'], to: 'pending' },
  park: { from: ['pending', 'sleeping', 'waiting', 'running'], to: 'parked' },
  resume: { from: ['parked'], to: 'pending' },
};

export function nextRunStatus(from: RunStatus, transition: RunTransition): RunStatus | null {
  const rule = TRANSITIONS[transition];
  return rule.from.includes(from) ? rule.to : null;
}

export function isTerminal(status: RunStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** Whether a claim may take this run at `now` (mirrors the claim query of every store). */
export function isClaimable(
  run: { status: RunStatus; wakeAt: number | null; lease: { expiresAt: number } | null },
  now: number,
): boolean {
  switch (run.status) {
    case 'pending':
      return true;
    case 'sleeping':
    case 'waiting':
      return run.wakeAt !== null && run.wakeAt <= now;
    case 'running':
      return run.lease === null || run.lease.expiresAt <= now;
    default:
      return false;
  }
}
