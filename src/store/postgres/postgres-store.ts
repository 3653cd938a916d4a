// The PostgreSQL Store on node-postgres. Durable writes are single autocommit statements (or short
// transactions) on a pool, so PostgreSQL's group commit shares WAL flushes between connections;
// the hot ones (createRun, commitStep, finishRun, getRun) are also gathered per event-loop turn
// into multi-row statements (batcher.ts). Soft writes use a second pool whose sessions run with
// synchronous_commit=off. See docs/decisions/2026-11-22-postgres-backend.md.
//
// This folder, by role (sqlite/ uses the same file names for the same roles; the mapping and
// the files without a twin are in docs/decisions/2026-11-29-layers.md):
//   postgres-store.ts  the Store: wires the parts below, reads, open function
//   connection.ts      URL and options, the two pools, connection faults as StoreUnavailableError
//   options.ts         PostgresOpenOptions (no driver types)
//   migrations.ts      numbered, append-only schema migrations under an advisory lock
//   batcher.ts         group commit: concurrent calls of one kind as one multi-row statement
//   run-ops.ts         runs: create, get, list, claim, leases
//   transitions.ts     status changes after a claim: release, finish, cancel, retry, wake, signal
//   recovery-ops.ts    recovery decisions on final failure, escalations and their resolution
//   step-ops.ts        step results, attempts, signals read by steps, events
//   ledger-ops.ts      the cost ledger: reservations against caps (row locks), real costs
//   limits-ops.ts      concurrency slots, rate buckets and retry budgets per key
//   schedule-ops.ts    cron schedules: definitions and their shared firing state
//   compensation-ops.ts  rollback requests, a run's compensation state, cancel of a run to compensate
//   insight-ops.ts     SLO alert levels (row lock per SLO), fix records, run times for SLOs
//   rollup-ops.ts      insight aggregates: the lazy hourly attempt rollup, failure groups
//   rewind-ops.ts      rewind: step results set aside as an earlier generation, the run pending again
//   version-ops.ts     workflow versions: the workers table (what live workers loaded)
// PostgreSQL only: exec.ts (the two pools, transactions, error mapping), commit-batch.ts and
// commit-one.ts (commitStep statements), attempt-starts.ts (merged attempt starts),
// lease-clock.ts (whose clock decides lease expiry), notify.ts (LISTEN/NOTIFY wake-ups).
import pg from 'pg';
import { LifelineError } from '../../errors/lifeline-error.js';
import { StoreOpenError } from '../../errors/store-errors.js';
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
  Store,
  RecoverArgs,
  SendSignalArgs,
} from '../store.js';
import type { FireScheduleArgs, FireScheduleResult, ScheduleDefinition, ScheduleRecord, ScheduleSource } from '../schedules.js';
import { ScheduleOps } from './schedule-ops.js';
import { VersionOps } from './version-ops.js';
import type { RecordWorkerArgs, WorkerFilter, WorkerRecord } from '../versions.js';
import { CompensationOps } from './compensation-ops.js';
import type { SetCompensationArgs } from '../compensation.js';
import type { CommitCostArgs, LedgerEntry, LedgerFilter, RecordCostArgs, ReserveCostArgs, ReserveCostResult } from '../ledger.js';
import { LedgerOps } from './ledger-ops.js';
import type { EscalationAction, RecoveryFilter, RecoveryRecord } from '../recoveries.js';
import { RecoveryOps } from './recovery-ops.js';
import type { AttemptRecord, EventRecord, RunRecord, SignalRecord, StepRecord } from '../types.js';
import { createPool, parsePgUrl, quoteIdent, scrub, toStoreError, type PgTarget, type PostgresOpenOptions } from './connection.js';
import { PgExec } from './exec.js';
import { resolveLeaseClock, type LeaseClock } from './lease-clock.js';
import { assertCurrent, migrate } from './migrations.js';
import { BreakerOps } from './breaker-ops.js';
import { ActivityOps } from './activity-ops.js';
import type { ListRunActivityArgs, RunActivityRecord } from '../activity.js';
import { CacheOps } from './cache-ops.js';
import { RetentionOps } from './retention-ops.js';
import { RewindOps } from './rewind-ops.js';
import type { RewindResult, RewindRunArgs, StepGenerationRecord } from '../rewind.js';
import { MailboxOps } from './mailbox-ops.js';
import type { SignalFilter } from '../mailbox.js';
import type { CacheClaim, CacheEntryRecord, CacheFilter, ClaimCacheArgs, SettleCacheArgs } from '../cache.js';
import type { PruneCounts, PruneRunsArgs } from '../retention.js';
import { InsightOps } from './insight-ops.js';
import type { AddFixArgs, FixFilter, FixRecord, RunTime, RunTimeFilter, SetSloStateArgs, SloStateChange, SloStateRecord } from '../insight-records.js';
import { AttemptInsightOps } from './attempt-insight-ops.js';
import type { FailedAttempt, FingerprintUpdate, StepCoverageArgs, StepCoverageRow } from '../attempt-insight.js';
import { RollupOps } from './rollup-ops.js';
import type { AttemptRollup, AttemptRollupQuery, FailureGroups, FailureQuery } from '../insight-rollup.js';
import type { BreakerRecord, BreakerUpdate, UpdateBreakerArgs } from '../../breakers/stored.js';
import { Notifier, RunnableListener } from './notify.js';
import { RunOps } from './run-ops.js';
import { StepOps } from './step-ops.js';
import { Transitions } from './transitions.js';
import { LimitOps } from './limits-ops.js';
import type { AcquireLimitsArgs, LimitGrant, LimitKeyStatus, ReleaseLimitsArgs } from '../limits.js';

export type { PostgresOpenOptions } from './connection.js';

export class PostgresStore implements Store {
  readonly backend = 'postgres';
  readonly schema: string;
  private readonly exec: PgExec;
  private readonly runs: RunOps;
  private readonly steps: StepOps;
  private readonly transitions: Transitions;
  private readonly ledger: LedgerOps;
  private readonly recoveries: RecoveryOps;
  private readonly limits: LimitOps;
  private readonly breakers: BreakerOps;
  private readonly activity: ActivityOps;
  private readonly cache: CacheOps;
  private readonly retention: RetentionOps;
  private readonly rewinds: RewindOps;
  private readonly mailbox: MailboxOps;
  private readonly attemptInsight: AttemptInsightOps;
  private readonly rollup: RollupOps;
  private readonly schedules: ScheduleOps;
  private readonly versions: VersionOps;
  private readonly compensations: CompensationOps;
  private readonly insight: InsightOps;
  private readonly notifier: Notifier;
  private readonly listener: RunnableListener;
  private closing: Promise<void> | null = null;

  constructor(
    target: PgTarget,
    private readonly durablePool: pg.Pool,
    private readonly softPool: pg.Pool,
    readonly leaseClock: LeaseClock = 'database',
  ) {
    this.schema = target.schema;
    const s = quoteIdent(target.schema);
    const channel = `lifeline_${target.schema}`;
    this.exec = new PgExec(durablePool, softPool, target.secrets);
    this.notifier = new Notifier(softPool, channel);
    const notify = () => this.notifier.poke();
    this.runs = new RunOps(this.exec, s, notify, leaseClock);
    this.steps = new StepOps(this.exec, s, leaseClock);
    this.compensations = new CompensationOps(this.exec, s, notify);
    this.transitions = new Transitions(this.exec, s, notify, this.compensations);
    this.ledger = new LedgerOps(this.exec, s);
    this.recoveries = new RecoveryOps(this.exec, s, this.transitions, notify);
    this.limits = new LimitOps(this.exec, s);
    this.breakers = new BreakerOps(this.exec, s);
    this.activity = new ActivityOps(this.exec, s);
    this.cache = new CacheOps(this.exec, s);
    this.retention = new RetentionOps(this.exec, s);
    this.rewinds = new RewindOps(this.exec, s, notify);
    this.mailbox = new MailboxOps(this.exec, s);
    this.schedules = new ScheduleOps(this.exec, s, notify);
    this.rollup = new RollupOps(this.exec, s);
    this.attemptInsight = new AttemptInsightOps(this.exec, s);
    this.insight = new InsightOps(this.exec, s);
    this.versions = new VersionOps(this.exec, s);
    this.listener = new RunnableListener(
      () => ({
        connectionString: target.connectionString,
        keepAlive: true,
        keepAliveInitialDelayMillis: 10_000,
        connectionTimeoutMillis: 10_000,
        application_name: 'lifeline-listen',
      }),
      channel,
    );
  }

  // ---- runs ---------------------------------------------------------------------------
  createRun(args: CreateRunArgs): Promise<{ run: RunRecord; created: boolean }> {
    return this.runs.create(args);
  }

  getRun(runId: string): Promise<RunRecord | null> {
    return this.runs.get(runId);
  }

  listRuns(filter?: RunFilter): Promise<RunRecord[]> {
    return this.runs.list(filter);
  }

  claimRuns(args: ClaimArgs): Promise<RunRecord[]> {
    return this.runs.claim(args);
  }

  heartbeat(args: LeaseArgs & { leaseMs: number }): Promise<{ ok: boolean; cancelRequested: boolean }> {
    return this.runs.heartbeat(args);
  }

  listLeasesOnHost(host: string): Promise<Array<{ runId: string; pid: number; token: string }>> {
    return this.runs.leasesOnHost(host);
  }

  breakLease(runId: string, token: string, now: number): Promise<boolean> {
    return this.runs.breakLease(runId, token, now);
  }

  releaseRun(args: ReleaseArgs): Promise<void> {
    return this.transitions.release(args);
  }

  finishRun(args: FinishArgs): Promise<void> {
    return this.transitions.finish(args);
  }

  requestCancel(runId: string, now: number): Promise<RunRecord | null> {
    return this.transitions.requestCancel(runId, now);
  }

  retryRun(runId: string, now: number): Promise<RunRecord | null> {
    return this.transitions.retry(runId, now);
  }

  wakeRun(runId: string, now: number): Promise<RunRecord | null> {
    return this.transitions.wake(runId, now);
  }

  // ---- steps and attempts -------------------------------------------------------------
  getSteps(runId: string): Promise<StepRecord[]> {
    return this.steps.getSteps(runId);
  }

  startAttempt(args: StartAttemptArgs): Promise<void> {
    return this.steps.startAttempt(args);
  }

  endAttempt(args: EndAttemptArgs): Promise<void> {
    return this.steps.endAttempt(args);
  }

  commitStep(args: CommitStepArgs): Promise<void> {
    return this.steps.commitStep(args);
  }

  listAttempts(runId: string): Promise<AttemptRecord[]> {
    return this.steps.listAttempts(runId);
  }

  // ---- signals and events -------------------------------------------------------------
  sendSignal(args: SendSignalArgs): Promise<SignalRecord> {
    return this.transitions.sendSignal(args);
  }

  peekSignal(runId: string, name: string): Promise<SignalRecord | null> {
    return this.steps.peekSignal(runId, name);
  }

  appendEvents(events: NewEvent[]): Promise<void> {
    return this.steps.appendEvents(events);
  }

  listEvents(filter: { runId?: string; afterId?: number; limit?: number }): Promise<EventRecord[]> {
    return this.steps.listEvents(filter);
  }

  // ---- recoveries -----------------------------------------------------------------------
  recoverRun(args: RecoverArgs): Promise<RecoveryRecord> {
    return this.recoveries.recover(args);
  }

  resolveEscalation(args: { runId: string; action: EscalationAction; now: number }): Promise<RunRecord | null> {
    return this.recoveries.resolve(args);
  }

  listRecoveries(filter?: RecoveryFilter): Promise<RecoveryRecord[]> {
    return this.recoveries.list(filter);
  }

  onRunnable(listener: () => void): () => void {
    if (this.closing !== null) return () => {};
    return this.listener.subscribe(listener);
  }

  // ---- cost ledger ----------------------------------------------------------------------
  reserveCost(args: ReserveCostArgs): Promise<ReserveCostResult> {
    return this.ledger.reserve(args);
  }

  commitCost(args: CommitCostArgs): Promise<LedgerEntry> {
    return this.ledger.commit(args);
  }

  releaseCost(args: { id: number; runId: string; now: number }): Promise<boolean> {
    return this.ledger.release(args);
  }

  recordCost(args: RecordCostArgs): Promise<LedgerEntry> {
    return this.ledger.record(args);
  }

  listCosts(filter?: LedgerFilter): Promise<LedgerEntry[]> {
    return this.ledger.list(filter);
  }

  // ---- limits -------------------------------------------------------------------------
  acquireLimits(args: AcquireLimitsArgs): Promise<LimitGrant> {
    return this.limits.acquire(args);
  }

  renewLimitSlots(args: { holder: string; expiresAt: number }): Promise<number> {
    return this.limits.renewSlots(args.holder, args.expiresAt);
  }

  releaseLimits(args: ReleaseLimitsArgs): Promise<void> {
    return this.limits.release(args);
  }

  listLimits(now: number): Promise<LimitKeyStatus[]> {
    return this.limits.list(now);
  }

  // ---- shared circuit breakers ----------------------------------------------------------
  updateBreaker(args: UpdateBreakerArgs): Promise<BreakerUpdate> {
    return this.breakers.update(args);
  }

  listBreakers(keys?: readonly string[]): Promise<BreakerRecord[]> {
    return this.breakers.list(keys);
  }

  // ---- activity -------------------------------------------------------------------------
  listRunActivity(args: ListRunActivityArgs): Promise<RunActivityRecord[]> {
    return this.activity.list(args);
  }

  // ---- step cache ---------------------------------------------------------------------
  claimCacheEntry(args: ClaimCacheArgs): Promise<CacheClaim> {
    return this.cache.claim(args);
  }

  settleCacheEntry(args: SettleCacheArgs): Promise<void> {
    return this.cache.settle(args);
  }

  listCacheEntries(filter: CacheFilter = {}): Promise<CacheEntryRecord[]> {
    return this.cache.list(filter);
  }

  deleteCacheEntries(filter: CacheFilter = {}): Promise<number> {
    return this.cache.delete(filter);
  }

  // ---- retention ----------------------------------------------------------------------
  async pruneRuns(args: PruneRunsArgs): Promise<PruneCounts> {
    await this.exec.afterWrites(undefined); // this store's own writes of the runs land first
    return this.retention.prune(args);
  }

  // ---- schedules ------------------------------------------------------------------------
  upsertSchedules(args: { schedules: readonly ScheduleDefinition[]; now: number }): Promise<ScheduleRecord[]> {
    return this.schedules.upsertAll(args.schedules, args.now);
  }

  fireSchedule(args: FireScheduleArgs): Promise<FireScheduleResult> {
    return this.schedules.fire(args);
  }

  listSchedules(ids?: readonly string[]): Promise<ScheduleRecord[]> {
    return this.schedules.list(ids);
  }

  setSchedulePaused(args: { id: string; paused: boolean; now: number }): Promise<ScheduleRecord | null> {
    return this.schedules.setPaused(args.id, args.paused, args.now);
  }

  // ---- insight: SLO alert states, fix records ------------------------------------------------
  listRunTimes(filter: RunTimeFilter): Promise<RunTime[]> {
    return this.insight.runTimes(filter);
  }

  setSloState(args: SetSloStateArgs): Promise<SloStateChange> {
    return this.insight.setState(args);
  }

  listSloStates(): Promise<SloStateRecord[]> {
    return this.insight.states();
  }

  addFix(args: AddFixArgs): Promise<FixRecord | null> {
    return this.insight.addFix(args);
  }

  listFixes(filter?: FixFilter): Promise<FixRecord[]> {
    return this.insight.fixes(filter);
  }

  // ---- insight: attempt details and coverage --------------------------------------------
  listFailedAttempts(args: { afterId: number; limit: number }): Promise<FailedAttempt[]> {
    return this.attemptInsight.listFailed(args.afterId, args.limit);
  }

  setFingerprints(updates: readonly FingerprintUpdate[]): Promise<void> {
    return this.attemptInsight.setFingerprints(updates);
  }

  stepCoverage(args: StepCoverageArgs): Promise<StepCoverageRow[]> {
    return this.attemptInsight.stepCoverage(args);
  }

  // ---- insight aggregates ---------------------------------------------------------------
  attemptRollups(query: AttemptRollupQuery): Promise<AttemptRollup[]> {
    return this.rollup.rollups(query);
  }

  failureGroups(query: FailureQuery): Promise<FailureGroups> {
    return this.rollup.failureGroups(query);
  }

  // ---- rewind ---------------------------------------------------------------------------
  rewindRun(args: RewindRunArgs): Promise<RewindResult | null> {
    return this.rewinds.rewind(args);
  }

  listStepGenerations(runId: string): Promise<StepGenerationRecord[]> {
    return this.rewinds.generations(runId);
  }

  // ---- workflow versions: live workers ---------------------------------------------------
  recordWorker(args: RecordWorkerArgs): Promise<void> {
    return this.versions.record(args);
  }

  listWorkers(filter?: WorkerFilter): Promise<WorkerRecord[]> {
    return this.versions.workers(filter);
  }

  forgetWorker(id: string): Promise<boolean> {
    return this.versions.forget(id);
  }

  /** Lets writes in flight finish, then closes every connection. */
  // ---- mailbox ------------------------------------------------------------------------
  listSignals(filter: SignalFilter): Promise<SignalRecord[]> {
    return this.mailbox.signals(filter);
  }

  deleteSchedule(args: { id: string; source: ScheduleSource }): Promise<ScheduleRecord | null> {
    return this.schedules.delete(args.id, args.source);
  }

  // ---- compensation ----------------------------------------------------------------------
  requestCompensation(args: { runId: string; now: number }): Promise<RunRecord | null> {
    return this.compensations.request(args.runId, args.now);
  }

  setCompensation(args: SetCompensationArgs): Promise<void> {
    return this.compensations.set(args);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.listener.close();
      await this.steps.flushStarts();
      await this.exec.close();
      await this.notifier.drain();
      await Promise.all([this.durablePool.end(), this.softPool.end()]);
    })();
    return this.closing;
  }
}

/**
 * Opens a Lifeline store in a PostgreSQL database, creating the schema (default `lifeline`) and
 * migrating it if needed. Connection faults reject with StoreUnavailableError; a schema written
 * by a newer Lifeline with SchemaTooNewError. The URL (and its password) never appears in errors.
 */
export async function openPostgresStore(url: string, options: PostgresOpenOptions = {}): Promise<PostgresStore> {
  const target = parsePgUrl(url, options.schema);
  const leaseClock = resolveLeaseClock(options.leaseClock);
  const timeout = options.connectTimeoutMs ?? 10_000;
  const readOnly = options.readOnly === true ? '-c default_transaction_read_only=on' : '';
  const durable = createPool(target, options.poolSize ?? 16, readOnly, timeout);
  // Soft writes need not survive power loss: their sessions do not wait for the WAL flush.
  const soft = createPool(target, options.softPoolSize ?? 4, `-c synchronous_commit=off ${readOnly}`.trim(), timeout);
  try {
    const client = await durable.connect();
    try {
      const location = `${target.location} (schema "${target.schema}")`;
      if (options.readOnly === true) await assertCurrent(client, target.schema, quoteIdent(target.schema), location);
      else await migrate(client, target.schema, quoteIdent(target.schema), location, Date.now());
    } finally {
      client.release();
    }
  } catch (error) {
    await Promise.all([durable.end(), soft.end()]).catch(() => {});
    throw toOpenError(target, error);
  }
  return new PostgresStore(target, durable, soft, leaseClock);
}

function toOpenError(target: PgTarget, error: unknown): unknown {
  const mapped = toStoreError(error, target.secrets);
  if (mapped !== error || error instanceof LifelineError) return mapped;
  const message = scrub(error instanceof Error ? error.message : String(error), target.secrets);
  return new StoreOpenError(`${target.location} (schema "${target.schema}")`, message);
}
