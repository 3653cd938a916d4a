// The SQLite Store: one better-sqlite3 connection per store, WAL mode, group commit.
// Writes go through the WriteBatcher (durable or soft); reads run directly on the connection
// after flushing whatever this process has queued, so a read always sees our own writes.
//
// This folder, by role (postgres/ uses the same file names for the same roles; the mapping and
// the files without a twin are in docs/decisions/2026-11-29-layers.md):
//   sqlite-store.ts  the Store: wires the parts below, reads, open function
//   connection.ts    opening the file safely (ours, not too new), pragmas
//   options.ts       SqliteOpenOptions (no driver types)
//   migrations.ts    numbered, append-only schema migrations
//   batcher.ts       group commit: queued writes in one transaction, busy retry
//   run-ops.ts       runs: create, get, list, claim, leases
//   transitions.ts   status changes after a claim: release, finish, cancel, retry, wake, signal
//   step-ops.ts      step results and attempts
//   signal-ops.ts    signals and events (in postgres/, part of step-ops.ts)
//   ledger-ops.ts    the cost ledger: reservations against caps, real costs
//   recovery-ops.ts  recovery decisions on final failure, escalations and their resolution
//   limits-ops.ts    concurrency slots, rate buckets and retry budgets per key
//   activity-ops.ts  what many runs are doing at once: latest attempt, latest events, steps done
//   schedule-ops.ts  cron schedules: definitions and their shared firing state
//   insight-ops.ts   SLO alert levels, fix records, run times for SLOs
//   rollup-ops.ts    insight aggregates: the lazy hourly attempt rollup, failure groups
//   rewind-ops.ts    rewind: step results set aside as an earlier generation, the run pending again
//   version-ops.ts   workflow versions: the workers table (what live workers loaded)
//   compensation-ops.ts  rollback requests, a run's compensation state, cancel of a run to compensate
import type Database from 'better-sqlite3';
import type {
  ClaimArgs,
  CommitStepArgs,
  CreateRunArgs,
  EndAttemptArgs,
  FinishArgs,
  LeaseArgs,
  NewEvent,
  ReleaseArgs,
  RunFilter,
  StartAttemptArgs,
  RecoverArgs,
  SendSignalArgs,
  Store,
} from '../store.js';
import type { FireScheduleArgs, FireScheduleResult, ScheduleDefinition, ScheduleRecord, ScheduleSource } from '../schedules.js';
import { ScheduleStatements } from './schedule-ops.js';
import { VersionStatements } from './version-ops.js';
import type { RecordWorkerArgs, WorkerFilter, WorkerRecord } from '../versions.js';
import { CompensationStatements } from './compensation-ops.js';
import type { SetCompensationArgs } from '../compensation.js';
import type { CommitCostArgs, LedgerEntry, LedgerFilter, RecordCostArgs, ReserveCostArgs, ReserveCostResult } from '../ledger.js';
import { LedgerStatements } from './ledger-ops.js';
import type { EscalationAction, RecoveryFilter, RecoveryRecord } from '../recoveries.js';
import { RecoveryStatements, RecoveryTransitions } from './recovery-ops.js';
import type { AttemptRecord, EventRecord, RunRecord, SignalRecord, StepRecord } from '../types.js';
import { openDatabase, type SqliteOpenOptions } from './connection.js';
import { RunStatements } from './run-ops.js';
import { RunTransitions } from './transitions.js';
import { EventStatements, SignalStatements } from './signal-ops.js';
import { StepStatements } from './step-ops.js';
import { WriteBatcher, withBusyRetry } from './batcher.js';
import { LimitStatements } from './limits-ops.js';
import type { AcquireLimitsArgs, LimitGrant, LimitKeyStatus, ReleaseLimitsArgs } from '../limits.js';
import { BreakerStatements } from './breaker-ops.js';
import { ActivityStatements } from './activity-ops.js';
import type { ListRunActivityArgs, RunActivityRecord } from '../activity.js';
import { CacheStatements } from './cache-ops.js';
import { RetentionStatements } from './retention-ops.js';
import { RewindStatements } from './rewind-ops.js';
import type { RewindResult, RewindRunArgs, StepGenerationRecord } from '../rewind.js';
import { MailboxStatements } from './mailbox-ops.js';
import type { SignalFilter } from '../mailbox.js';
import type { CacheClaim, CacheEntryRecord, CacheFilter, ClaimCacheArgs, SettleCacheArgs } from '../cache.js';
import type { PruneCounts, PruneRunsArgs } from '../retention.js';
import { InsightStatements } from './insight-ops.js';
import type { AddFixArgs, FixFilter, FixRecord, RunTime, RunTimeFilter, SetSloStateArgs, SloStateChange, SloStateRecord } from '../insight-records.js';
import { AttemptInsightStatements } from './attempt-insight-ops.js';
import type { FailedAttempt, FingerprintUpdate, StepCoverageArgs, StepCoverageRow } from '../attempt-insight.js';
import type { BreakerRecord, BreakerUpdate, UpdateBreakerArgs } from '../../breakers/stored.js';
import { RollupStatements } from './rollup-ops.js';
import type { AttemptRollup, AttemptRollupQuery, FailureGroups, FailureQuery } from '../insight-rollup.js';

export type { SqliteOpenOptions } from './connection.js';

const DURABLE = true;
const SOFT = false;

export class SqliteStore implements Store {
  readonly backend = 'sqlite';
  private readonly batcher: WriteBatcher;
  private readonly runs: RunStatements;
  private readonly transitions: RunTransitions;
  private readonly steps: StepStatements;
  private readonly signals: SignalStatements;
  private readonly events: EventStatements;
  private readonly ledger: LedgerStatements;
  private readonly recoveryRows: RecoveryStatements;
  private readonly recoveries: RecoveryTransitions;
  private readonly limits: LimitStatements;
  private readonly breakers: BreakerStatements;
  private readonly activity: ActivityStatements;
  private readonly cache: CacheStatements;
  private readonly retention: RetentionStatements;
  private readonly rewinds: RewindStatements;
  private readonly attemptInsight: AttemptInsightStatements;
  private readonly rollup: RollupStatements;
  private readonly schedules: ScheduleStatements;
  private readonly insight: InsightStatements;
  private readonly versions: VersionStatements;
  private readonly mailbox: MailboxStatements;
  private readonly compensations: CompensationStatements;

  constructor(
    private readonly db: Database.Database,
    readonly path: string,
    synchronous: 'FULL' | 'NORMAL',
  ) {
    this.batcher = new WriteBatcher(db, synchronous);
    this.events = new EventStatements(db);
    this.runs = new RunStatements(db, this.events);
    this.signals = new SignalStatements(db);
    this.recoveryRows = new RecoveryStatements(db);
    this.compensations = new CompensationStatements(db, this.runs, this.events);
    this.transitions = new RunTransitions(db, this.runs, this.signals, this.events, this.recoveryRows, this.compensations);
    this.recoveries = new RecoveryTransitions(db, this.runs, this.events, this.transitions, this.recoveryRows);
    this.steps = new StepStatements(db, this.runs, this.signals, this.events);
    this.ledger = new LedgerStatements(db);
    this.limits = new LimitStatements(db);
    this.breakers = new BreakerStatements(db);
    this.activity = new ActivityStatements(db);
    this.cache = new CacheStatements(db);
    this.retention = new RetentionStatements(db);
    this.rewinds = new RewindStatements(db, this.runs, this.events);
    this.mailbox = new MailboxStatements(db);
    this.schedules = new ScheduleStatements(db, this.runs);
    this.rollup = new RollupStatements(db);
    this.attemptInsight = new AttemptInsightStatements(db);
    this.insight = new InsightStatements(db);
    this.versions = new VersionStatements(db);
  }

  /** Read-your-writes: commit this process's queued writes, then read. */
  private read<T>(fn: () => T): Promise<T> {
    try {
      this.batcher.flush();
      return Promise.resolve(withBusyRetry(fn));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  // ---- runs ---------------------------------------------------------------------------
  createRun(args: CreateRunArgs): Promise<{ run: RunRecord; created: boolean }> {
    return this.batcher.write(DURABLE, () => this.runs.create(args));
  }

  getRun(runId: string): Promise<RunRecord | null> {
    return this.read(() => this.runs.get(runId));
  }

  listRuns(filter?: RunFilter): Promise<RunRecord[]> {
    return this.read(() => this.runs.list(filter));
  }

  claimRuns(args: ClaimArgs): Promise<RunRecord[]> {
    return this.batcher.write(DURABLE, () => this.runs.claim(args));
  }

  heartbeat(args: LeaseArgs & { leaseMs: number }): Promise<{ ok: boolean; cancelRequested: boolean }> {
    return this.batcher.write(SOFT, () => this.runs.heartbeat(args));
  }

  listLeasesOnHost(host: string): Promise<Array<{ runId: string; pid: number; token: string }>> {
    return this.read(() => this.runs.leasesOnHost(host));
  }

  breakLease(runId: string, token: string, now: number): Promise<boolean> {
    return this.batcher.write(DURABLE, () => this.runs.breakLease(runId, token, now));
  }

  releaseRun(args: ReleaseArgs): Promise<void> {
    return this.batcher.write(DURABLE, () => this.transitions.release(args));
  }

  finishRun(args: FinishArgs): Promise<void> {
    return this.batcher.write(DURABLE, () => this.transitions.finish(args));
  }

  requestCancel(runId: string, now: number): Promise<RunRecord | null> {
    return this.batcher.write(DURABLE, () => this.transitions.requestCancel(runId, now));
  }

  retryRun(runId: string, now: number): Promise<RunRecord | null> {
    return this.batcher.write(DURABLE, () => this.transitions.retry(runId, now));
  }

  wakeRun(runId: string, now: number): Promise<RunRecord | null> {
    return this.batcher.write(DURABLE, () => this.transitions.wake(runId, now));
  }

  // ---- steps and attempts -------------------------------------------------------------
  getSteps(runId: string): Promise<StepRecord[]> {
    return this.read(() => this.steps.getSteps(runId));
  }

  startAttempt(args: StartAttemptArgs): Promise<void> {
    return this.batcher.write(SOFT, () => this.steps.startAttempt(args));
  }

  endAttempt(args: EndAttemptArgs): Promise<void> {
    return this.batcher.write(SOFT, () => this.steps.endAttempt(args));
  }

  commitStep(args: CommitStepArgs): Promise<void> {
    return this.batcher.write(DURABLE, () => this.steps.commitStep(args));
  }

  listAttempts(runId: string): Promise<AttemptRecord[]> {
    return this.read(() => this.steps.listAttempts(runId));
  }

  // ---- signals and events -------------------------------------------------------------
  sendSignal(args: SendSignalArgs): Promise<SignalRecord> {
    return this.batcher.write(DURABLE, () => this.transitions.sendSignal(args));
  }

  peekSignal(runId: string, name: string): Promise<SignalRecord | null> {
    return this.read(() => this.signals.peek(runId, name));
  }

  appendEvents(events: NewEvent[]): Promise<void> {
    return this.batcher.write(SOFT, () => this.events.append(events));
  }

  listEvents(filter: { runId?: string; afterId?: number; limit?: number }): Promise<EventRecord[]> {
    return this.read(() => this.events.list(filter));
  }

  // ---- cost ledger ----------------------------------------------------------------------
  reserveCost(args: ReserveCostArgs): Promise<ReserveCostResult> {
    return this.batcher.write(DURABLE, () => this.ledger.reserve(args));
  }

  commitCost(args: CommitCostArgs): Promise<LedgerEntry> {
    return this.batcher.write(DURABLE, () => this.ledger.commit(args));
  }

  releaseCost(args: { id: number; runId: string; now: number }): Promise<boolean> {
    return this.batcher.write(DURABLE, () => this.ledger.release(args));
  }

  recordCost(args: RecordCostArgs): Promise<LedgerEntry> {
    return this.batcher.write(DURABLE, () => this.ledger.record(args));
  }

  listCosts(filter?: LedgerFilter): Promise<LedgerEntry[]> {
    return this.read(() => this.ledger.list(filter));
  }

  // ---- recoveries -----------------------------------------------------------------------
  recoverRun(args: RecoverArgs): Promise<RecoveryRecord> {
    return this.batcher.write(DURABLE, () => this.recoveries.recover(args));
  }

  resolveEscalation(args: { runId: string; action: EscalationAction; now: number }): Promise<RunRecord | null> {
    return this.batcher.write(DURABLE, () => this.recoveries.resolve(args));
  }

  listRecoveries(filter?: RecoveryFilter): Promise<RecoveryRecord[]> {
    return this.read(() => this.recoveryRows.list(filter));
  }

  // ---- limits -------------------------------------------------------------------------
  // Soft: a slot or a reservation lost with the machine's power frees itself (nothing runs then).
  acquireLimits(args: AcquireLimitsArgs): Promise<LimitGrant> {
    return this.batcher.write(SOFT, () => this.limits.acquire(args));
  }

  renewLimitSlots(args: { holder: string; expiresAt: number }): Promise<number> {
    return this.batcher.write(SOFT, () => this.limits.renewSlots(args.holder, args.expiresAt));
  }

  releaseLimits(args: ReleaseLimitsArgs): Promise<void> {
    return this.batcher.write(SOFT, () => this.limits.release(args));
  }

  listLimits(now: number): Promise<LimitKeyStatus[]> {
    return this.read(() => this.limits.list(now));
  }

  // ---- shared circuit breakers ----------------------------------------------------------
  updateBreaker(args: UpdateBreakerArgs): Promise<BreakerUpdate> {
    return this.batcher.write(SOFT, () => this.breakers.update(args));
  }

  listBreakers(keys?: readonly string[]): Promise<BreakerRecord[]> {
    return this.read(() => this.breakers.list(keys));
  }

  // ---- activity -------------------------------------------------------------------------
  listRunActivity(args: ListRunActivityArgs): Promise<RunActivityRecord[]> {
    return this.read(() => this.activity.list(args));
  }

  // ---- step cache ---------------------------------------------------------------------
  claimCacheEntry(args: ClaimCacheArgs): Promise<CacheClaim> {
    return this.batcher.write(SOFT, () => this.cache.claim(args));
  }

  settleCacheEntry(args: SettleCacheArgs): Promise<void> {
    return this.batcher.write(DURABLE, () => this.cache.settle(args));
  }

  listCacheEntries(filter: CacheFilter = {}): Promise<CacheEntryRecord[]> {
    return this.read(() => this.cache.entries(filter));
  }

  deleteCacheEntries(filter: CacheFilter = {}): Promise<number> {
    return this.batcher.write(DURABLE, () => this.cache.delete(filter));
  }

  // ---- retention ----------------------------------------------------------------------
  pruneRuns(args: PruneRunsArgs): Promise<PruneCounts> {
    if (args.dryRun === true) return this.read(() => this.retention.prune(args));
    return this.batcher.write(DURABLE, () => this.retention.prune(args));
  }

  // ---- schedules ------------------------------------------------------------------------
  upsertSchedules(args: { schedules: readonly ScheduleDefinition[]; now: number }): Promise<ScheduleRecord[]> {
    return this.batcher.write(DURABLE, () => this.schedules.upsertAll(args.schedules, args.now));
  }

  fireSchedule(args: FireScheduleArgs): Promise<FireScheduleResult> {
    return this.batcher.write(DURABLE, () => this.schedules.fire(args));
  }

  listSchedules(ids?: readonly string[]): Promise<ScheduleRecord[]> {
    return this.read(() => this.schedules.list(ids));
  }

  setSchedulePaused(args: { id: string; paused: boolean; now: number }): Promise<ScheduleRecord | null> {
    return this.batcher.write(DURABLE, () => this.schedules.setPaused(args.id, args.paused, args.now));
  }

  // ---- insight: SLO alert states, fix records ------------------------------------------------
  listRunTimes(filter: RunTimeFilter): Promise<RunTime[]> {
    return this.read(() => this.insight.runTimes(filter));
  }

  setSloState(args: SetSloStateArgs): Promise<SloStateChange> {
    return this.batcher.write(DURABLE, () => this.insight.setState(args));
  }

  listSloStates(): Promise<SloStateRecord[]> {
    return this.read(() => this.insight.states());
  }

  addFix(args: AddFixArgs): Promise<FixRecord | null> {
    return this.batcher.write(DURABLE, () => this.insight.addFix(args));
  }

  listFixes(filter?: FixFilter): Promise<FixRecord[]> {
    return this.read(() => this.insight.fixes(filter));
  }

  // ---- insight: attempt details and coverage --------------------------------------------
  listFailedAttempts(args: { afterId: number; limit: number }): Promise<FailedAttempt[]> {
    return this.read(() => this.attemptInsight.listFailed(args.afterId, args.limit));
  }

  setFingerprints(updates: readonly FingerprintUpdate[]): Promise<void> {
    return this.batcher.write(SOFT, () => this.attemptInsight.setFingerprints(updates));
  }

  stepCoverage(args: StepCoverageArgs): Promise<StepCoverageRow[]> {
    return this.read(() => this.attemptInsight.stepCoverage(args));
  }

  // ---- insight aggregates ---------------------------------------------------------------
  async attemptRollups(query: AttemptRollupQuery): Promise<AttemptRollup[]> {
    while (await this.batcher.write(SOFT, () => this.rollup.catchUpChunk(query.now)));
    return this.read(() => this.rollup.rollups(query));
  }

  failureGroups(query: FailureQuery): Promise<FailureGroups> {
    return this.read(() => this.rollup.failureGroups(query));
  }

  // ---- rewind ---------------------------------------------------------------------------
  rewindRun(args: RewindRunArgs): Promise<RewindResult | null> {
    return this.batcher.write(DURABLE, () => this.rewinds.rewind(args));
  }

  listStepGenerations(runId: string): Promise<StepGenerationRecord[]> {
    return this.read(() => this.rewinds.generations(runId));
  }

  // ---- workflow versions: live workers ---------------------------------------------------
  recordWorker(args: RecordWorkerArgs): Promise<void> {
    return this.batcher.write(SOFT, () => this.versions.record(args));
  }

  listWorkers(filter?: WorkerFilter): Promise<WorkerRecord[]> {
    return this.read(() => this.versions.workers(filter));
  }

  forgetWorker(id: string): Promise<boolean> {
    return this.batcher.write(SOFT, () => this.versions.forget(id));
  }

  // ---- mailbox ------------------------------------------------------------------------
  listSignals(filter: SignalFilter): Promise<SignalRecord[]> {
    return this.read(() => this.mailbox.signals(filter));
  }

  deleteSchedule(args: { id: string; source: ScheduleSource }): Promise<ScheduleRecord | null> {
    return this.batcher.write(DURABLE, () => this.schedules.delete(args.id, args.source));
  }

  // ---- compensation ----------------------------------------------------------------------
  requestCompensation(args: { runId: string; now: number }): Promise<RunRecord | null> {
    return this.batcher.write(DURABLE, () => this.compensations.request(args.runId, args.now));
  }

  setCompensation(args: SetCompensationArgs): Promise<void> {
    return this.batcher.write(DURABLE, () => this.compensations.set(args));
  }

  close(): Promise<void> {
    if (!this.db.open) return Promise.resolve();
    try {
      this.batcher.close();
      this.db.close();
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error);
    }
  }
}

/** Opens (creating and migrating if needed) a Lifeline SQLite database file. */
export async function openSqliteStore(path: string, options: SqliteOpenOptions = {}): Promise<Store & { path: string }> {
  const db = openDatabase(path, options, Date.now());
  try {
    return new SqliteStore(db, path, options.synchronous ?? 'FULL');
  } catch (error) {
    db.close();
    throw error;
  }
}
