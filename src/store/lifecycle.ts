// The run lifecycle, as one executable spec. Both stores take their decisions from it: the
// `status IN (...)` and claimable predicates of their SQL are generated from its sets, and the
// TypeScript decisions (refuse, ignore, which status) call decide(). The conformance property test
// (test/conformance/lifecycle.property.test.ts) checks every backend against it.
// docs/decisions/2026-11-29-run-lifecycle-spec.md says why.
import { InvalidRunStateError } from '../errors/store-errors.js';
import { TERMINAL_STATUSES, type RunStatus } from './types.js';

export type LifecycleAction =
  | 'claim' // a worker takes a claimable run (see CLAIMABLE)
  | 'park' // a claim finds a poison run: claimed maxClaimsWithoutProgress times without progress
  | 'release_pending' // shutdown gives the run back
  | 'release_sleeping' // ctx.sleep
  | 'release_waiting' // waitForSignal / child run
  | 'finish_completed'
  | 'finish_failed'
  | 'finish_cancelled' // the worker ends a run whose cancel was requested
  | 'cancel' // requestCancel: at once, or a flag the running worker sees on its next heartbeat
  | 'retry' // a failed run runs again from its failed step
  | 'wake' // wakeRun: a sleeping/waiting run is due now; a parked run is resumed (pending)
  | 'signal' // sendSignal: stored; a waiting run becomes pending
  | 'child_finished' // a child run ended (finished or cancelled): its waiting parent becomes pending
  | 'recover_resume' // recovery of a final failure: the failed step runs again after a delay
  | 'recover_restart' // recovery: the run starts again from scratch (a new generation)
  | 'escalate' // recovery: the run waits (parked) for a person to resolve it
  | 'resolve' // an escalated run resolved with retry or skip (cancel is `cancel`)
  | 'rewind' // a finished run continues from an earlier step; later results are set aside (a new generation)
  | 'cancel_compensating' // requestCancel of a run not executing that has steps to compensate: a worker compensates, then cancels
  | 'rollback'; // requestCompensation: a finished run goes to a worker that compensates it and finishes it as it was

/**
 * What an action does to a run in any other status than those in `moves`:
 * - `skip`: the run is not selected (claims);
 * - `lease_lost`: a fenced write: refused with LeaseLostError (the run is no longer held);
 * - `ignore`: the run is returned as it is, nothing is written;
 * - `{ refuse }`: InvalidRunStateError, with this reason.
 */
export type Otherwise = 'skip' | 'lease_lost' | 'ignore' | { refuse: string };

export interface ActionSpec {
  /** from -> to for every status the action applies to; to = from: accepted, status unchanged. */
  readonly moves: Readonly<Partial<Record<RunStatus, RunStatus>>>;
  readonly otherwise: Otherwise;
  /** See RELEASE_ALREADY_DUE. */
  readonly whenAlreadyDue?: RunStatus;
}

const fromRunning = (to: RunStatus): ActionSpec['moves'] => ({ running: to });
const LIVE: readonly RunStatus[] = ['pending', 'running', 'sleeping', 'waiting', 'parked'];
const all = (to: (from: RunStatus) => RunStatus, statuses: readonly RunStatus[]) => Object.fromEntries(statuses.map((s) => [s, to(s)])) as ActionSpec['moves'];

/** Where a claim may find a run, and whether it needs to be due or its lease expired: see isClaimable. */
export const CLAIMABLE = {
  always: ['pending'],
  whenDue: ['sleeping', 'waiting'],
  whenLeaseExpired: ['running'],
} as const satisfies Record<string, readonly RunStatus[]>;

const CLAIMABLE_STATUSES: readonly RunStatus[] = [...CLAIMABLE.always, ...CLAIMABLE.whenDue, ...CLAIMABLE.whenLeaseExpired];

/**
 * A release to one of `requested` whose wake-up already happened while the run was running (a
 * cancel requested, the awaited signal sent, the awaited child finished) goes to `to` instead: no
 * wake-up is lost (see releaseStatus).
 */
export const RELEASE_ALREADY_DUE = { requested: ['sleeping', 'waiting'], to: 'pending' } as const satisfies {
  requested: readonly RunStatus[];
  to: RunStatus;
};

/** The only status in which a run has a lease, and so the only one fenced writes accept. */
export const LEASED: RunStatus = 'running';

export const LIFECYCLE: Readonly<Record<LifecycleAction, ActionSpec>> = {
  claim: { moves: all(() => 'running', CLAIMABLE_STATUSES), otherwise: 'skip' },
  park: { moves: all(() => 'parked', CLAIMABLE_STATUSES), otherwise: 'skip' },
  release_pending: { moves: fromRunning('pending'), otherwise: 'lease_lost' },
  release_sleeping: { moves: fromRunning('sleeping'), otherwise: 'lease_lost', whenAlreadyDue: RELEASE_ALREADY_DUE.to },
  release_waiting: { moves: fromRunning('waiting'), otherwise: 'lease_lost', whenAlreadyDue: RELEASE_ALREADY_DUE.to },
  finish_completed: { moves: fromRunning('completed'), otherwise: 'lease_lost' },
  finish_failed: { moves: fromRunning('failed'), otherwise: 'lease_lost' },
  finish_cancelled: { moves: fromRunning('cancelled'), otherwise: 'lease_lost' },
  // A running run stays running with cancelRequested set: its worker owns it and ends it. A
  // finished run is left as it is (the CLI says so; cancelling twice is not an error).
  cancel: { moves: { ...all(() => 'cancelled', ['pending', 'sleeping', 'waiting', 'parked']), running: 'running' }, otherwise: 'ignore' },
  retry: { moves: { failed: 'pending' }, otherwise: { refuse: 'Only a failed run can be retried' } },
  // Sleeping and waiting keep their status with wakeAt = now (claimable now); parked is resumed.
  wake: { moves: { sleeping: 'sleeping', waiting: 'waiting', parked: 'pending' }, otherwise: 'ignore' },
  signal: {
    moves: { ...all((s) => s, LIVE), waiting: 'pending' },
    otherwise: { refuse: 'A finished run (completed, failed or cancelled) takes no signals' },
  },
  child_finished: { moves: { waiting: 'pending' }, otherwise: 'ignore' },
  // Recovery decisions are fenced writes of the failing worker, like finish_failed (reassign is
  // finish_failed). A cancel requested while the run was running sends it to pending instead,
  // where the next claim ends it cancelled (as a release does).
  recover_resume: { moves: fromRunning('sleeping'), otherwise: 'lease_lost', whenAlreadyDue: RELEASE_ALREADY_DUE.to },
  recover_restart: { moves: fromRunning('pending'), otherwise: 'lease_lost' },
  escalate: { moves: fromRunning('parked'), otherwise: 'lease_lost', whenAlreadyDue: RELEASE_ALREADY_DUE.to },
  // Only a parked run with an open escalation: the stores refuse a parked run without one (see Store.resolveEscalation).
  resolve: { moves: { parked: 'pending' }, otherwise: { refuse: 'Only an escalated run can be resolved' } },
  // Only a finished run: nothing else may be executing or about to execute its steps. A live run
  // (parked included) is cancelled first; docs/decisions/2026-11-30-rewind.md says why.
  rewind: {
    moves: all(() => 'pending', ['completed', 'failed', 'cancelled']),
    otherwise: { refuse: 'Only a finished run (completed, failed or cancelled) can be rewound: cancel it first, then rewind it' },
  },
  // Compensation (issue 12 §3). A cancel finds completed steps with a compensation on a run no
  // worker holds: the run goes to a worker (pending, cancelRequested) instead of ending at once;
  // that worker runs the compensations and ends it cancelled. A running run is cancel's (flagged).
  cancel_compensating: { moves: all(() => 'pending', ['pending', 'sleeping', 'waiting', 'parked']), otherwise: 'ignore' },
  // Rollback on demand: a worker compensates the finished run and finishes it as it was (same output or error).
  rollback: { moves: { completed: 'pending', failed: 'pending' }, otherwise: { refuse: 'Only a completed or failed run can be rolled back' } },
};

/** Where a recovery action on a running run goes, given whether a cancel was requested while it ran. */
export function recoveryStatus(action: 'recover_resume' | 'recover_restart' | 'escalate', cancelRequested: boolean): RunStatus {
  const spec = LIFECYCLE[action];
  const to = spec.moves[LEASED] as RunStatus;
  return cancelRequested && spec.whenAlreadyDue !== undefined ? spec.whenAlreadyDue : to;
}

/** The statuses `action` applies to. */
export function statusesOf(action: LifecycleAction): RunStatus[] {
  return Object.keys(LIFECYCLE[action].moves) as RunStatus[];
}

/** The statuses `action` moves to `to` (from !== to). */
export function statusesMovedTo(action: LifecycleAction, to: RunStatus): RunStatus[] {
  return statusesOf(action).filter((from) => from !== to && LIFECYCLE[action].moves[from] === to);
}

/** The statuses `action` applies to without changing them (a flag, a wake time, a stored signal). */
export function statusesKept(action: LifecycleAction): RunStatus[] {
  return statusesOf(action).filter((from) => LIFECYCLE[action].moves[from] === from);
}

/**
 * The status a run in `status` gets from `action`, or null when the action leaves it as it is
 * (`ignore`, `skip`). Throws InvalidRunStateError with the spec's reason when the action refuses
 * it. `lease_lost` actions return null: the store's fence throws LeaseLostError.
 */
export function decide(action: LifecycleAction, runId: string, status: RunStatus): RunStatus | null {
  const spec = LIFECYCLE[action];
  const to = spec.moves[status];
  if (to !== undefined) return to;
  if (typeof spec.otherwise === 'object') throw new InvalidRunStateError(runId, status, action, spec.otherwise.refuse);
  return null;
}

/** Where a release requested to `requested` goes, given whether its wake-up already happened. */
export function releaseStatus(requested: 'pending' | 'sleeping' | 'waiting', alreadyDue: boolean): RunStatus {
  const spec = LIFECYCLE[`release_${requested}`];
  return alreadyDue && spec.whenAlreadyDue !== undefined ? spec.whenAlreadyDue : requested;
}

export function isTerminal(status: RunStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** Whether a claim may take this run at `now` (the claimable SQL of every store is generated from CLAIMABLE). */
export function isClaimable(run: { status: RunStatus; wakeAt: number | null; lease: { expiresAt: number } | null }, now: number): boolean {
  const among = (set: readonly RunStatus[]) => set.includes(run.status);
  if (among(CLAIMABLE.always)) return true;
  if (among(CLAIMABLE.whenDue)) return run.wakeAt !== null && run.wakeAt <= now;
  // A running run always holds a lease; SQL compares NULL as unknown (not claimable), and so does this.
  if (among(CLAIMABLE.whenLeaseExpired)) return run.lease !== null && run.lease.expiresAt <= now;
  return false;
}

/** Whether a claimable run is parked instead of claimed (see Store.claimRuns). */
export function isPoison(claimsWithoutProgress: number, maxClaimsWithoutProgress: number | undefined): boolean {
  return maxClaimsWithoutProgress !== undefined && claimsWithoutProgress >= maxClaimsWithoutProgress;
}

// ---- SQL fragments, the same text for SQLite and PostgreSQL ----------------------------------

/** `'a', 'b'`: a status set as an SQL list (the statuses are fixed words, never user input). */
export function sqlList(statuses: readonly RunStatus[]): string {
  return statuses.map((s) => `'${s}'`).join(', ');
}

/** `column IN ('a', 'b')` for the statuses `action` applies to. */
export function sqlStatusIn(action: LifecycleAction, column = 'status'): string {
  return `${column} IN (${sqlList(statusesOf(action))})`;
}

export const SQL_TERMINAL = `(${sqlList(TERMINAL_STATUSES)})`;

/**
 * The claimable predicate as SQL, from CLAIMABLE: `now` and `leaseNow` are the statement's
 * expressions for the claim's time and the lease clock's time. Each OR branch is a search of the
 * (status, wake_at) index.
 */
export function sqlClaimable(now: string, leaseNow: string): string {
  return `(status IN (${sqlList(CLAIMABLE.always)})
  OR (status IN (${sqlList(CLAIMABLE.whenDue)}) AND wake_at <= ${now})
  OR (status IN (${sqlList(CLAIMABLE.whenLeaseExpired)}) AND lease_expires_at <= ${leaseNow}))`;
}
