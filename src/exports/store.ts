// `lifeline-workflows/store`: the Store contract a backend implements, every record and argument type it
// exchanges, the event rows it stores, and the functions that open the built-in backends.
export type {
  Store,
  CreateRunArgs,
  SendSignalArgs,
  RunFilter,
  ClaimArgs,
  LeaseArgs,
  ReleaseArgs,
  FinishArgs,
  StartAttemptArgs,
  EndAttemptArgs,
  CommitStepArgs,
  NewEvent,
  RecoverArgs,
} from '../store/store.js';
// Recovery decisions (Store.recoverRun and friends): the records, and what every backend writes the same way.
export {
  escalatedError,
  outcomeOnFinish,
  NOT_ESCALATED,
  NOTHING_TO_SKIP,
  type RecoveryRecord,
  type RecoveryFilter,
  type RecoveryStrategy,
  type RecoveryOutcome,
  type EscalationAction,
} from '../store/recoveries.js';
export type {
  LedgerEntry,
  LedgerState,
  LedgerCall,
  LedgerFilter,
  ReserveCostArgs,
  ReserveCostResult,
  CapRefusal,
  CostUsage,
  CommitCostArgs,
  RecordCostArgs,
} from '../store/ledger.js';
export type {
  RunStatus,
  Json,
  StoredError,
  Lease,
  RunRecord,
  StepStatus,
  StepRecord,
  StepKind,
  AttemptOutcome,
  AttemptRecord,
  SignalRecord,
  EventRecord,
} from '../store/types.js';
export { TERMINAL_STATUSES } from '../store/types.js';
// Rewind: Store.rewindRun / listStepGenerations, and the target rule every backend applies.
export type { RewindRunArgs, RewindResult, StepGenerationRecord, StepGenerationRow, StepKey } from '../store/rewind.js';
export { rewindTarget, rewound, toStepGenerationRecord } from '../store/rewind.js';
// Compensation: a run's compensation state and its fenced write (Store.setCompensation).
export type { CompensationState } from '../store/types.js';
export type { SetCompensationArgs } from '../store/compensation.js';
// Shared limits per key: the records of acquireLimits / releaseLimits / listLimits, and the one
// decision a backend applies to the rows it locked (so a third-party backend need not re-derive it).
export type {
  LimitSpec,
  RetryBudgetSpec,
  AcquireLimitsArgs,
  LimitGrant,
  LimitKind,
  ReleaseLimitsArgs,
  LimitKeyStatus,
  LimitKeyRow,
  LimitKeyState,
  LimitWrites,
} from '../store/limits.js';
export { decideAcquire, decideRelease, emptyLimitRow, bucketLevel, toLimitStatus, sortedKeys } from '../store/limits.js';
// What many runs are doing, read at once (Store.listRunActivity).
export type { ListRunActivityArgs, RunActivityRecord } from '../store/activity.js';
// Shared circuit breakers: what a backend stores per key and the one update it applies atomically.
export type { BreakerRecord, BreakerUpdate, UpdateBreakerArgs, BreakerSummary } from '../breakers/stored.js';
export { applyBreakerUpdate, summarizeBreaker } from '../breakers/stored.js';
export type { CatchUp, FireScheduleArgs, FireScheduleResult, ScheduleDefinition, ScheduleRecord, ScheduleSource } from '../store/schedules.js';
export type { SignalFilter } from '../store/mailbox.js';
export { scheduleRunId } from '../store/schedules.js';
// Workflow versions (issue 12 §4): the pairs claims filter by, and the workers table.
export { versionKey, parseVersionKey } from '../store/versions.js';
export type { WorkflowVersion, WorkerRecord, RecordWorkerArgs, WorkerFilter } from '../store/versions.js';
export type {
  BreakerData,
  BreakerStateName,
  CallOutcome,
  ProbeLease,
  Transition as BreakerTransition,
  Acquired as BreakerAcquired,
} from '../breakers/machine.js';
export type { BreakerConfig } from '../breakers/config.js';
// The step cache across runs: what a backend stores per key and the one claim decision it applies atomically.
export type { CacheClaim, CacheEntryRecord, CacheFilter, CacheRowState, ClaimCacheArgs, SettleCacheArgs } from '../store/cache.js';
export { decideCacheClaim, settleStoresValue } from '../store/cache.js';
// Retention: one batch of a prune.
export type { PruneRunsArgs } from '../store/retention.js';
// The run lifecycle as one executable spec: which statuses each action applies to and where it
// moves them, the claimable predicate, the refusal reasons. A backend of your own decides with
// it (the built-in ones also generate their SQL predicates from it).
export {
  LIFECYCLE,
  CLAIMABLE,
  decide,
  releaseStatus,
  recoveryStatus,
  isClaimable,
  isPoison,
  isTerminal,
  statusesOf,
  type LifecycleAction,
  type ActionSpec,
} from '../store/lifecycle.js';
export type { EventMap, EventType, RunEvent, RunEventType } from '../store/events.js';
export { openStore, openSqliteStore, openPostgresStore, type OpenStoreOptions } from '../store/open-store.js';
export type { SqliteOpenOptions } from '../store/sqlite/options.js';
export type { PostgresOpenOptions } from '../store/postgres/options.js';
// Insight records (Store.listRunTimes, setSloState, listSloStates, addFix, listFixes).
export type {
  AddFixArgs,
  FixFilter,
  FixRecord,
  RunTime,
  RunTimeFilter,
  SetSloStateArgs,
  SloAlertLevel,
  SloStateChange,
  SloStateRecord,
} from '../store/insight-records.js';
export type { FailedAttempt, FingerprintUpdate, StepCoverageArgs, StepCoverageRow } from '../store/attempt-insight.js';
export type {
  AttemptRollup,
  AttemptRollupQuery,
  DurationHistogram,
  FailureFingerprint,
  FailureGroup,
  FailureGroups,
  FailureQuery,
} from '../store/insight-rollup.js';
