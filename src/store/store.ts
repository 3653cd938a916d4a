import type { AttemptRollup, AttemptRollupQuery, FailureGroups, FailureQuery } from './insight-rollup.js';
import type { BreakerRecord, BreakerUpdate, UpdateBreakerArgs } from '../breakers/stored.js';
import type { FailedAttempt, FingerprintUpdate, StepCoverageArgs, StepCoverageRow } from './attempt-insight.js';
import type { ErrorClass } from '../errors/error-class.js';
import type { RunEvent } from './events.js';
import type { ListRunActivityArgs, RunActivityRecord } from './activity.js';
import type { CommitCostArgs, LedgerEntry, LedgerFilter, RecordCostArgs, ReserveCostArgs, ReserveCostResult } from './ledger.js';
import type { EscalationAction, RecoveryFilter, RecoveryRecord, RecoveryStrategy } from './recoveries.js';
import type { CacheClaim, CacheEntryRecord, CacheFilter, ClaimCacheArgs, SettleCacheArgs } from './cache.js';
import type { PruneCounts, PruneRunsArgs } from './retention.js';
import type { RewindResult, RewindRunArgs, StepGenerationRecord } from './rewind.js';
import type { RecordWorkerArgs, WorkerFilter, WorkerRecord, WorkflowVersion } from './versions.js';

import type { AddFixArgs, FixFilter, FixRecord, RunTime, RunTimeFilter, SetSloStateArgs, SloStateChange, SloStateRecord } from './insight-records.js';
import type { AcquireLimitsArgs, LimitGrant, LimitKeyStatus, ReleaseLimitsArgs } from './limits.js';
import type { FireScheduleArgs, FireScheduleResult, ScheduleDefinition, ScheduleRecord, ScheduleSource } from './schedules.js';
import type { SignalFilter } from './mailbox.js';
import type { AttemptOutcome, AttemptRecord, EventRecord, Json, RunRecord, RunStatus, SignalRecord, StepRecord, StoredError } from './types.js';
import type { SetCompensationArgs } from './compensation.js';

/**
 * The one contract between the engine and a database. Every backend passes
 * the conformance suite (src/testing/store-conformance/, published as
 * `lifeline-workflows/testing`). Nothing above this interface knows SQL.
 *
 * Fencing: a claim gives the worker a lease token. Every write made on behalf of a claimed
 * run names that token; if the run was since claimed by someone else the write changes
 * nothing and rejects with LeaseLostError. That is what keeps a step from being committed
 * twice when a slow worker wakes up after its lease was taken over.
 *
 * Statuses: which run an action applies to, the status it moves the run to, what it refuses and
 * which runs a claim may take are the run lifecycle spec's (lifecycle.ts); both stores build their
 * SQL status sets from it and the conformance property test holds every backend to it. The
 * comments below say what else each method writes.
 *
 * Durability: methods marked "durable" resolve only after the data survives power loss
 * (per the backend's documented setting). "Soft" writes survive a process crash but may be
 * lost on power loss; they are only used for bookkeeping that a resume can do without.
 */
export interface Store {
  readonly backend: string;

  // ---- runs -------------------------------------------------------------------------
  /** Durable. Idempotent on id: a second call with the same id returns the existing run. */
  createRun(args: CreateRunArgs): Promise<{ run: RunRecord; created: boolean }>;
  getRun(runId: string): Promise<RunRecord | null>;
  listRuns(filter?: RunFilter): Promise<RunRecord[]>;

  /**
   * Durable. Atomically claims up to `limit` runs of the given workflows that the spec's
   * isClaimable selects (lifecycle.ts; an expired lease includes one broken by breakLease), oldest
   * created first. Each claimed run gets status running, a new lease token, claimCount + 1,
   * claimsWithoutProgress + 1, and every attempt of it still marked running is ended as
   * `interrupted`, at the time its process was last known alive: the previous lease's last
   * renewal (its claim or heartbeat), or the attempt's start if that is later (never after `now`).
   * Lease expiry uses `now` as the time, except on a backend configured to use its own clock
   * (PostgreSQL's `leaseClock: 'database'`, its default): then lease times are the server's.
   * With `runId`, only that run is considered.
   *
   * Poison runs: a runnable run whose claimsWithoutProgress already reached
   * `maxClaimsWithoutProgress` is not claimed but parked, in the same transaction: status
   * `parked`, lease cleared, error = the parking reason (RunParkedError, see parking.ts),
   * running attempts interrupted, a `run.parked` event appended. It is returned (status `parked`,
   * in order with the claimed ones) so the worker can say so, and counts against `limit`. A parked
   * run is never claimed; wakeRun (resume) makes it pending again (lifecycle.ts: `park`, `wake`).
   */
  claimRuns(args: ClaimArgs): Promise<RunRecord[]>;

  /** Soft. Extends the lease and records `now` as its last renewal. ok=false when the token no longer holds the run. */
  heartbeat(args: LeaseArgs & { leaseMs: number }): Promise<{ ok: boolean; cancelRequested: boolean }>;

  /** Runs in status running whose lease names this host (for dead-pid detection). */
  listLeasesOnHost(host: string): Promise<Array<{ runId: string; pid: number; token: string }>>;

  /** Durable. Makes a running run claimable now, if it still holds `token`. Returns whether it did. */
  breakLease(runId: string, token: string, now: number): Promise<boolean>;

  /**
   * Durable, fenced. Gives a running run back: to pending (shutdown; this claim then does not
   * count in claimsWithoutProgress: an orderly give-back is no sign of a poison run, nor is a
   * release marked `deferred`), sleeping (until wakeAt) or
   * waiting (for a signal / child, optionally until wakeAt). A release whose wake-up already
   * happened goes to pending instead (lifecycle.ts: RELEASE_ALREADY_DUE): for waiting, one of
   * `wakeOn.signalNames` has an unconsumed signal (any, with `wakeOn.anySignal`) or one of `wakeOn.childRunIds` is terminal; for
   * sleeping or waiting, a cancel was requested while the run was running. Attempts of the run
   * still marked running are ended as `interrupted`. A release that ends in waiting does not
   * count the claim either: a waiting run is woken by a signal of any name (or a child), and one
   * that finds nothing for it and waits again is no poison run (it would otherwise be parked after
   * maxClaimsWithoutProgress such wakes); one already due (to pending) counts, so a run that
   * keeps finding its wake-up without consuming it is still parked.
   */
  releaseRun(args: ReleaseArgs): Promise<void>;

  /** Durable, fenced. Ends the run (and, as `interrupted`, any of its attempts still running); wakes a waiting parent (lifecycle.ts `child_finished`). */
  finishRun(args: FinishArgs): Promise<void>;

  /**
   * Durable. Cancels a run as lifecycle.ts `cancel` says: a running run gets cancelRequested
   * (its worker sees it on the next heartbeat and ends the run), a terminal one is left as is, any
   * other becomes cancelled at once and wakes its waiting parent (`child_finished`). Appends
   * `run.cancel_requested` or `run.cancelled`. Returns the run after the change, or null if unknown.
   */
  requestCancel(runId: string, now: number): Promise<RunRecord | null>;

  /**
   * Durable. For a failed run (lifecycle.ts `retry`): removes the failed step results (so they run
   * again; the attempts stay recorded), makes the run pending and appends a `run.retried` event (the
   * engine counts failures against the retry budget only after it). Returns the run, or null if
   * unknown. Any other status is refused with the spec's InvalidRunStateError.
   */
  retryRun(runId: string, now: number): Promise<RunRecord | null>;

  /**
   * Durable. As lifecycle.ts `wake` says: a sleeping or waiting run is runnable now (wakeAt = now,
   * `run.woken`), so `resume` need not wait for its timer; a parked run becomes pending with its
   * error cleared and claimsWithoutProgress 0 (`run.resumed`). Other statuses are left as they
   * are. Returns the run or null.
   */
  wakeRun(runId: string, now: number): Promise<RunRecord | null>;

  // ---- steps and attempts -----------------------------------------------------------
  /** Step records of a run ordered by seq. */
  getSteps(runId: string): Promise<StepRecord[]>;

  /**
   * Soft. Records that an attempt started. Keyed by (runId, stepId, attempt); a later
   * commitStep/endAttempt updates the same row. With `token` it is fenced: when the run is no
   * longer held with that token it writes nothing and rejects with LeaseLostError, so a stalled
   * worker cannot start (or end) attempts of a run another worker took over. With `token` and
   * `leaseMs` it also extends the lease to now + leaseMs, like heartbeat (same clock as the
   * lease: see claimRuns). The engine awaits it before every step body: once it resolved the
   * row survives a process crash, and the run was still held when it was written.
   */
  startAttempt(args: StartAttemptArgs): Promise<void>;

  /** Soft; fenced like startAttempt when `token` is given. Ends an attempt not followed by a commit (a failure that is retried). */
  endAttempt(args: EndAttemptArgs): Promise<void>;

  /**
   * Durable, fenced. Inserts or replaces the step record (a waiting record may later become
   * completed/failed; a completed or failed record is never replaced: that throws
   * StepAlreadyCommittedError). In the same transaction ends `attempt` if given, marks
   * `consumeSignalId` consumed by this step, resets the run's claimsWithoutProgress to 0 (a
   * committed step is progress) and appends `events`.
   *
   * Errors (for every method): a database the store cannot reach throws StoreUnavailableError;
   * any other failure is thrown as the driver reports it (SQLite or PostgreSQL error codes), and
   * store-faults.ts tells the engine what kind it is (resource exhaustion, a refused value, ...).
   */
  commitStep(args: CommitStepArgs): Promise<void>;

  listAttempts(runId: string): Promise<AttemptRecord[]>;

  // ---- signals and events -----------------------------------------------------------
  /**
   * Durable. Stores a signal for a run and wakes the run if it is waiting (lifecycle.ts `signal`).
   * Throws RunNotFoundError for an unknown run, the spec's InvalidRunStateError for a terminal one.
   * With `message` (a message from another run, issue 12 §6) it is idempotent on `message.id`:
   * when a signal with that id exists it is returned as it is, whatever the run's status now,
   * and nothing is written; otherwise the signal records its sender and id.
   */
  sendSignal(args: SendSignalArgs): Promise<SignalRecord>;

  /** Oldest unconsumed signal of that name, or null. */
  peekSignal(runId: string, name: string): Promise<SignalRecord | null>;

  /** Soft. Appends events not tied to another write. */
  appendEvents(events: NewEvent[]): Promise<void>;
  listEvents(filter: { runId?: string; afterId?: number; limit?: number }): Promise<EventRecord[]>;

  /**
   * Optional: calls `listener` when runs may have become claimable somewhere (a run was
   * started, woken or signalled, possibly by another process or host), so idle workers claim at
   * once instead of at their next poll. Polling stays the fallback. Returns an unsubscribe.
   */
  onRunnable?(listener: () => void): () => void;

  close(): Promise<void>;

  // ---- cost ledger (ledger.ts) --------------------------------------------------------
  // Not fenced by the lease: a call's cost is real money whoever held the run when it was
  // spent, so a zombie worker's commit is recorded too. Every row names its run; nothing is
  // counted across runs except the per-workflow-per-day cap, which is meant to.
  /**
   * Durable. Atomically (one lock for every caller of the store, in every process: SQLite's write
   * transaction, PostgreSQL's row locks on budget rows) checks the caps and, if the call's worst
   * case `micros` fits under each, inserts a `reserved` entry. Counted against a cap: committed
   * costs plus reservations not yet expired at `now`. A refused call writes nothing and returns
   * the refusal. Also releases the reservations of earlier attempts of the same step (an attempt
   * that was followed by another one has ended).
   */
  reserveCost(args: ReserveCostArgs): Promise<ReserveCostResult>;
  /**
   * Durable. Replaces a reservation of run `runId` by the real usage and cost (state `committed`,
   * even if it expired or was released meanwhile: the money was spent). An unknown id, an id of
   * another run or an entry already committed is refused with LedgerEntryError.
   */
  commitCost(args: CommitCostArgs): Promise<LedgerEntry>;
  /** Durable. A reservation of run `runId` still `reserved` becomes `released`; returns whether it did. */
  releaseCost(args: { id: number; runId: string; now: number }): Promise<boolean>;
  /** Durable. Records a call's real cost directly (no cap, no reservation). */
  recordCost(args: RecordCostArgs): Promise<LedgerEntry>;
  /** Entries in the order they were created. */
  listCosts(filter?: LedgerFilter): Promise<LedgerEntry[]>;

  // ---- recoveries (issue 8 §10: recovery strategies on final failure) ------------------------
  /**
   * Durable, fenced (like finishRun): records the recovery decision for a run's final failure and
   * makes the run's status change in the same transaction, so a decision is taken exactly once
   * (a worker whose lease moved on writes nothing: LeaseLostError). Earlier open decisions of the
   * run become `superseded`. By strategy (lifecycle.ts, recoveries.ts RECOVERY_ACTION):
   * - resume: failed step results removed (the failed step runs again), sleeping until `wakeAt`;
   * - restart: every step result removed (attempts stay recorded), pending, generation + 1;
   * - escalate: parked with the failure as its error, until resolveEscalation;
   * - reassign: the run finishes failed; a run `takeOver.runId` of `takeOver.workflow` with the
   *   same input is created (idempotent on id), recorded as `takenOverBy`.
   * A cancel requested while the run was running sends resume and escalate to pending instead
   * (the next claim ends it cancelled). Running attempts are ended as interrupted; `events` appended.
   */
  recoverRun(args: RecoverArgs): Promise<RecoveryRecord>;

  /**
   * Durable. Resolves the open escalation of a parked run: `retry` removes its failed step results,
   * `skip` turns the escalated step's failed result into a completed one with output null (the
   * workflow goes on past it); both make the run pending (lifecycle.ts `resolve`) and append
   * `run.resolved`. `cancel` cancels the run (`cancel`). The decision's resolution is recorded;
   * its outcome stays open until the run ends. Refused with InvalidRunStateError for a run that is
   * not parked or has no open escalation; null for an unknown run.
   */
  resolveEscalation(args: { runId: string; action: EscalationAction; now: number }): Promise<RunRecord | null>;

  /**
   * Recovery decisions, oldest first (by id). Finishing a run (finishRun, requestCancel) ends its
   * open decisions and those of runs it took over from (recoveries.ts outcomeOnFinish).
   */
  listRecoveries(filter?: RecoveryFilter): Promise<RecoveryRecord[]>;

  // ---- limits: concurrency slots, rate buckets, retry budgets per key (limits.ts) ---------
  /**
   * Soft. All or nothing, atomic over every process: for a retry, every key's retry budget is
   * checked first (spent: refused for good, `retryAt` null); then the holder gets a slot of every
   * key with a concurrency limit (live slots: expires_at > now), one call of every calls bucket
   * and `estimatedTokens` of every tokens bucket, or none of them, and each refusing key's
   * throttle count goes up. Slots expire `leaseMs` after acquisition unless renewed.
   */
  acquireLimits(args: AcquireLimitsArgs): Promise<LimitGrant>;
  /** Soft. Extends the holder's slots to expire at `expiresAt`; returns how many it still held. */
  renewLimitSlots(args: { holder: string; expiresAt: number }): Promise<number>;
  /** Soft. Frees the holder's slots; gives back tokens and counts successes and Retry-After waits per key. */
  releaseLimits(args: ReleaseLimitsArgs): Promise<void>;
  /** Every key ever acquired, by key, with buckets refilled to `now`. */
  listLimits(now: number): Promise<LimitKeyStatus[]>;

  // ---- shared circuit breakers (issue 8 §3; src/breakers/) ---------------------------
  /**
   * Soft. Applies one update to the breaker of `key` (created closed on first use) atomically
   * across every worker: outcomes counted, then optionally a call admitted or a half-open probe
   * lease granted. Concurrent updates of one key never lose a count (SQLite: the write
   * transaction; PostgreSQL: the row lock). Returns the stored record after the update.
   */
  updateBreaker(args: UpdateBreakerArgs): Promise<BreakerUpdate>;

  /** The stored breakers (all, or those of `keys`), ordered by key. */
  listBreakers(keys?: readonly string[]): Promise<BreakerRecord[]>;

  // ---- activity: what runs are doing, for many runs at once (issue 11 §3-4; activity.ts) ----
  /**
   * For each distinct id of `runIds` (unknown ids give an empty record), in that order: its
   * latest attempt (highest id), the latest event of each of `eventTypes`, and its count of
   * completed steps with the latest completion time. A constant number of queries however many
   * runs are asked for (listing runs must not cost one query per run).
   */
  listRunActivity(args: ListRunActivityArgs): Promise<RunActivityRecord[]>;

  // ---- step cache (issue 12 §1; cache.ts) --------------------------------------------
  /**
   * Soft. Atomically across every worker (SQLite's write transaction, PostgreSQL's row lock):
   * an unexpired result of `key` is a hit; else an unexpired lease of another holder means wait;
   * else the caller takes (or renews) the key's computing lease until now + leaseMs.
   */
  claimCacheEntry(args: ClaimCacheArgs): Promise<CacheClaim>;
  /**
   * Durable. With `value`: stores the result (unless an unexpired one is there) and ends the
   * holder's lease; without: gives the holder's lease up. A key cleared meanwhile stays cleared.
   */
  settleCacheEntry(args: SettleCacheArgs): Promise<void>;
  /** Entries (results and leases, expired ones too), ordered by workflow, step name and key. */
  listCacheEntries(filter?: CacheFilter): Promise<CacheEntryRecord[]>;
  /** Durable. Deletes the matching entries (all without a filter); returns how many. */
  deleteCacheEntries(filter?: CacheFilter): Promise<number>;

  // ---- retention (issue 12 §7; retention.ts) -----------------------------------------
  /**
   * Durable. One batch of a prune, in one transaction: up to `limit` runs in `statuses` that
   * ended before `endedBefore` (oldest first), none with a child that is not terminal, deleted
   * with their steps, attempts, events, signals, recoveries and cost ledger rows, and the cache
   * entries they computed that expired by `now`. `dryRun` counts the same and deletes nothing.
   */
  pruneRuns(args: PruneRunsArgs): Promise<PruneCounts>;

  // ---- schedules (issue 12 §5: cron schedules; schedules.ts) ---------------------------
  /**
   * Durable. Inserts each schedule (firedThrough = now: no tick before it fires) or updates its
   * definition; paused, firedThrough and the last tick are kept, except that a changed cron or
   * time zone moves firedThrough on to `now` (the old expression's ticks are not caught up).
   * A stored row of another `source` (code / runtime) is left as it is. Returns the stored records.
   */
  upsertSchedules(args: { schedules: readonly ScheduleDefinition[]; now: number }): Promise<ScheduleRecord[]>;

  /**
   * Durable, atomic over every worker and host: when the schedule is not paused and its
   * firedThrough still is `expectedFiredThrough`, moves it to `firedThrough`, records the last of
   * `runs` as its last tick and creates each run (idempotent on id, like createRun), all in one
   * transaction. Otherwise writes nothing and returns `fired: false`.
   */
  fireSchedule(args: FireScheduleArgs): Promise<FireScheduleResult>;

  /** The stored schedules (all, or those of `ids`), ordered by id. */
  listSchedules(ids?: readonly string[]): Promise<ScheduleRecord[]>;

  /**
   * Durable. Pauses or resumes a schedule; resuming moves firedThrough on to `now` (ticks that
   * passed while paused are not fired). Returns the record, or null for an unknown id.
   */
  setSchedulePaused(args: { id: string; paused: boolean; now: number }): Promise<ScheduleRecord | null>;

  // ---- insight: SLO alert states, fix records (issue 10 §4, §5; insight-records.ts) ------------
  /**
   * Terminal runs whose last change (their finish) is at or after `since`, and every run not
   * terminal, ordered by id: what SLOs are computed from (src/insight/slo.ts).
   */
  listRunTimes(filter: RunTimeFilter): Promise<RunTime[]>;
  /**
   * Durable. Sets the alert level of SLO `key`; atomically across processes, so of several
   * evaluations that see one transition exactly one gets `changed: true`. An unchanged level keeps
   * its `since` and refreshes `detail` and `updatedAt`.
   */
  setSloState(args: SetSloStateArgs): Promise<SloStateChange>;
  /** Every stored SLO alert level, by key. */
  listSloStates(): Promise<SloStateRecord[]>;
  /**
   * Durable. Records a fix against `fingerprint`, with the shape (class, kind, name, step,
   * workflow) of the fingerprint's latest failed attempt. Null (nothing written) when no attempt
   * has that fingerprint.
   */
  addFix(args: AddFixArgs): Promise<FixRecord | null>;
  /** Fixes, newest first, each with the failures of its fingerprint after it. */
  listFixes(filter?: FixFilter): Promise<FixRecord[]>;

  // ---- insight: attempt details and coverage (issue 10 §1, §6; src/insight/) ----------
  /** Failed and timed-out attempts with id > `afterId`, by id, at most `limit`, with their run's workflow. */
  listFailedAttempts(args: { afterId: number; limit: number }): Promise<FailedAttempt[]>;
  /** Soft. Sets the fingerprint (and its version) of attempts by id, in one transaction. */
  setFingerprints(updates: readonly FingerprintUpdate[]): Promise<void>;
  /** Per workflow and step name: what the step records completed in the window ran with (StepRecord.ranWith). */
  stepCoverage(args: StepCoverageArgs): Promise<StepCoverageRow[]>;

  // ---- insight aggregates (issue 10 §2, §3, §9; store/insight-rollup.ts, src/insight/) ------
  /**
   * Hourly rollups of ended attempts (cancelled ones not counted) for the hours overlapping
   * [since, until), optionally of one workflow. Catches the rollup up first, lazily, in chunks of
   * attempt ids (soft writes, each chunk its own transaction); an attempt still running when it
   * was read is folded in once it ends, into the hour it ended in.
   */
  attemptRollups(query: AttemptRollupQuery): Promise<AttemptRollup[]>;
  /** Failed attempts (fingerprint set) of [since, until) grouped by fingerprint, workflow, step, worker and model, with a summary per fingerprint. */
  failureGroups(query: FailureQuery): Promise<FailureGroups>;

  // ---- rewind (issue 12 §2; rewind.ts) --------------------------------------------------
  /**
   * Durable, one transaction. For a finished run (lifecycle.ts `rewind`): the step results from
   * the step `to` names on (by seq: that step and every later one) are moved to the set-aside
   * results as the run's current generation; signals those steps consumed become unconsumed;
   * the run becomes pending with output, error, lease, wake time and cancel flag cleared,
   * claimsWithoutProgress 0 and generation + 1; a `run.rewound` event is appended. Attempts stay
   * recorded. Null for an unknown run; InvalidRunStateError (the spec's reason) for a run that is
   * not finished; RewindTargetNotFoundError, naming the run's steps, for a step it does not have.
   */
  rewindRun(args: RewindRunArgs): Promise<RewindResult | null>;
  /** The step results rewinds set aside for a run, by generation then seq. */
  listStepGenerations(runId: string): Promise<StepGenerationRecord[]>;
  // ---- workflow versions: live workers (issue 12 §4; versions.ts) --------------------------
  /**
   * Soft. Inserts or refreshes the worker's row (what it loaded, lastSeenAt = now; startedAt kept
   * from its first record) and, in the same write, deletes the rows of workers last seen before
   * `forgetBefore`.
   */
  recordWorker(args: RecordWorkerArgs): Promise<void>;
  /** Recorded workers, by id. */
  listWorkers(filter?: WorkerFilter): Promise<WorkerRecord[]>;
  /** Soft. Deletes the worker's row (it stopped); returns whether there was one. */
  forgetWorker(id: string): Promise<boolean>;

  // ---- mailbox (issue 12 §6: ctx.receive, `lifeline show`; mailbox.ts) --------------------
  /**
   * The signals and messages sent to a run, in arrival order (by id): all of them, or only the
   * unconsumed ones (`unread`), optionally only those named in `names`, at most `limit`.
   */
  listSignals(filter: SignalFilter): Promise<SignalRecord[]>;

  // ---- schedules created at runtime (issue 12 §5: lifeline.schedule; schedules.ts) ------------
  /**
   * Durable. Deletes the schedule `id` if its source is `source` (a worker fires it no more; the
   * runs it started stay). Returns the deleted row, or null when there is no such row (none with
   * that id, or one of the other source). Created with upsertSchedules (`source: 'runtime'`).
   */
  deleteSchedule(args: { id: string; source: ScheduleSource }): Promise<ScheduleRecord | null>;

  // ---- compensation (issue 12 §3: sagas and rollback on demand; compensation.ts) -------------
  /**
   * Rollback on demand: a completed or failed run goes to a worker (pending, compensation
   * `requested`; its output or error kept), which runs its compensations and finishes it as it
   * was. Null for an unknown run; InvalidRunStateError for another status, for a run whose
   * compensation was asked for before, or for one without a step left to compensate.
   * (A cancel of a run no worker holds that has steps to compensate goes the same way: see
   * requestCancel and the lifecycle's `cancel_compensating`.)
   */
  requestCompensation(args: { runId: string; now: number }): Promise<RunRecord | null>;
  /** Fenced by the lease: sets the run's compensation state (and its error, when given), with `events`. */
  setCompensation(args: SetCompensationArgs): Promise<void>;
}

export interface RecoverArgs extends LeaseArgs {
  strategy: RecoveryStrategy;
  reason: string;
  /** The final failure (stored on the run for escalate and reassign). */
  error: StoredError;
  /** resume: when the failed step runs again. */
  wakeAt?: number | null;
  /** reassign: the run that takes over (pinned to `version`, default null). */
  takeOver?: { runId: string; workflow: string; version?: number | null };
  events?: NewEvent[];
}

export interface SendSignalArgs {
  runId: string;
  name: string;
  payload: Json;
  now: number;
  /** A message from another run: its id (unique: derived from the sending step) and sender. */
  message?: { id: string; senderRunId: string };
}

export interface CreateRunArgs {
  id: string;
  workflow: string;
  input: Json;
  parentRunId?: string | null;
  now: number;
  /** W3C traceparent stored with the run: its spans join that trace (src/observe/run-trace.ts). */
  traceParent?: string | null;
  /** The workflow version the run is pinned to (RunRecord.version). Default null: unversioned. */
  version?: number | null;
}

export interface RunFilter {
  status?: RunStatus | RunStatus[];
  workflow?: string;
  parentRunId?: string;
  limit?: number;
}

export interface ClaimArgs {
  workerId: string;
  host: string;
  pid: number;
  now: number;
  leaseMs: number;
  limit: number;
  workflows: string[];
  /**
   * The (workflow, version) pairs the worker loaded: when given, only runs pinned to one of them
   * are claimed (version null matches runs of version null only). Absent: any version of `workflows`.
   */
  versions?: readonly WorkflowVersion[];
  runId?: string;
  /** Park (instead of claim) a run that was claimed this many times without progress. Default: never park. */
  maxClaimsWithoutProgress?: number;
}

export interface LeaseArgs {
  runId: string;
  token: string;
  now: number;
}

export interface ReleaseArgs extends LeaseArgs {
  status: Extract<RunStatus, 'pending' | 'sleeping' | 'waiting'>;
  wakeAt: number | null;
  /** `anySignal`: any unconsumed signal wakes the run (a mailbox read, ctx.receive()). */
  wakeOn?: { signalNames?: string[]; childRunIds?: string[]; anySignal?: boolean };
  /**
   * A deferral: a step gate (shared circuit breaker, concurrency or rate limit) said "not now".
   * Like a give-back to pending, this claim then does not count in claimsWithoutProgress: waiting
   * for a dependency is no sign of a poison run.
   */
  deferred?: boolean;
  events?: NewEvent[];
}

export interface FinishArgs extends LeaseArgs {
  status: Extract<RunStatus, 'completed' | 'failed' | 'cancelled'>;
  output?: Json | null;
  error?: StoredError | null;
  events?: NewEvent[];
}

export interface StartAttemptArgs {
  runId: string;
  /** The caller's lease token: fences the write (see Store.startAttempt). */
  token?: string;
  stepId: string;
  stepName: string;
  attempt: number;
  startedAt: number;
  workerId: string;
  /** With `token`: extend the lease by this much from now (the start doubles as a heartbeat). */
  leaseMs?: number;
  /** The fallback alternative this attempt runs (AttemptRecord.alternative). */
  alternative?: string | null;
  /** The worker's host (AttemptRecord.host). */
  host?: string | null;
  /** Tags known when the attempt starts (AttemptRecord.tags). */
  tags?: Record<string, string> | null;
}

export interface EndAttemptArgs {
  runId: string;
  /** The caller's lease token: fences the write (see Store.startAttempt). */
  token?: string;
  stepId: string;
  attempt: number;
  endedAt: number;
  outcome: Exclude<AttemptOutcome, 'running'>;
  errorClass?: ErrorClass | null;
  errorMessage?: string | null;
  /** The fallback alternative this attempt ran; kept from the start when not given. */
  alternative?: string | null;
  /** Why the chain left this attempt's alternative (AttemptRecord.movedOn); kept when not given. */
  movedOn?: string | null;
  // Insight details of the attempt (AttemptRecord, migration 9); each kept from the start when not given.
  errorName?: string | null;
  errorKind?: string | null;
  fingerprint?: string | null;
  fingerprintVersion?: number | null;
  costMicros?: number | null;
  /** Merged over the tags given at the start. */
  tags?: Record<string, string> | null;
  events?: NewEvent[];
}

export interface CommitStepArgs extends LeaseArgs {
  step: Omit<StepRecord, 'runId'>;
  attempt?: Omit<EndAttemptArgs, 'runId' | 'stepId' | 'events'>;
  consumeSignalId?: number;
  events?: NewEvent[];
}

/** An event written with a state change: a run event of the one event map (store/events.ts). */
export type NewEvent = RunEvent;

export type {
  CommitCostArgs,
  CostUsage,
  LedgerCall,
  LedgerEntry,
  LedgerFilter,
  LedgerState,
  RecordCostArgs,
  ReserveCostArgs,
  ReserveCostResult,
  CapRefusal,
} from './ledger.js';
