// Public API of Lifeline, root entry: authoring workflows, the client, errors and events.
// Re-exports only. The Store contract and the open functions are in `lifeline/store`, the
// manual clock in `lifeline/testing`; everything else is internal.
export { defineWorkflow, type WorkflowDefinition, type WorkflowOptions } from './workflow/define.js';
export type { WorkflowContext, StepInfo, StepOptions, StepUsage } from './workflow/context.js';
export type { AlternativeInfo, FallbackAlternative, FallbackOptions, FallbackResult } from './workflow/context.js';
export type { Duration } from './workflow/duration.js';
export type { Jsonify } from './workflow/jsonify.js';
export type { RecoveryRule } from './workflow/recovery-rules.js';
export type { StepRoute, RouteFailure, RoutedInput } from './workflow/routes.js';
export {
  RESOLVE_SIGNAL,
  type RecoveryRecord,
  type RecoveryFilter,
  type RecoveryStrategy,
  type RecoveryOutcome,
  type EscalationAction,
} from './store/recoveries.js';
export { Lifeline, type LifelineOptions, type RunHandle, type RunInfo, type EngineEvent, type StartOptions, type StartArgs } from './engine/lifeline.js';
export type { Worker } from './engine/worker-api.js';
export type { WorkerOptions } from './options/public-options.js';
export type { Clock, TimerHandle } from './time/clock.js';
export type { RunStatus, StoredError } from './store/types.js';
export type { EventMap, EventType, LifelineEvent, RunEvent, WorkerErrorEvent } from './store/events.js';
export { ERROR_CLASSES, isRetryableClass, type ErrorClass } from './errors/error-class.js';
export { ClassifiedError, type ClassifiedErrorOptions } from './policy/classified-error.js';
export { classifyError, type Classification, type ClassifierRule, type ClassifyContext } from './policy/classify.js';
export { KNOWN_ERROR_KINDS, type ErrorKind, type KnownErrorKind } from './policy/error-kind.js';
export { withoutSdkRetries } from './policy/sdk-retries.js';
export { registerSecret } from './errors/secrets.js';
export { DEFAULT_RETRY_POLICY, type ClassRetryOverride, type RetryOptions, type RetryPolicy } from './policy/retry-policy.js';
export { LifelineError, type LifelineErrorCode } from './errors/lifeline-error.js';
export * from './errors/store-errors.js';
export * from './errors/workflow-errors.js';
export * from './errors/payload-errors.js';
export { StepTimeoutError } from './errors/timeout-errors.js';
export { InvalidOptionsError } from './errors/options-error.js';
export { InterruptedError } from './errors/interrupted-error.js';
export { PolicyTimeoutError } from './errors/policy-timeout-error.js';
export { BrokenCircuitError } from './errors/broken-circuit-error.js';
export { BulkheadRejectedError } from './errors/bulkhead-rejected-error.js';
export { RetryBudgetExhaustedError } from './errors/retry-budget-error.js';
export type { LimitOptions, LimitsConfig, RetryBudgetOptions } from './options/limit-options.js';
// Schedules and messages between runs (docs/time-travel.md).
export type { RuntimeScheduleOptions, ScheduleOptions } from './options/schedule-options.js';
export type { ReceivedMessage, ReceiveOptions, SentMessage } from './workflow/context.js';
export type { CatchUp, ScheduleInfo } from './store/schedules.js';
export { MessageUndeliverableError } from './errors/message-errors.js';
export { ReceiveTimeoutError } from './errors/mailbox-errors.js';
export { ScheduleNotFoundError, ScheduleSourceError } from './errors/schedule-errors.js';
// Rewind (docs/time-travel.md, "Rewind").
export type { RewindOptions } from './options/rewind-options.js';
export type { RewindInfo } from './engine/lifeline.js';
export type { StepGenerationRecord } from './store/rewind.js';
export { RewindTargetNotFoundError } from './errors/rewind-errors.js';
// Compensation (sagas) and rollback on demand (docs/time-travel.md, "Compensation").
export type { Compensation, CompensationInfo } from './workflow/context.js';
export type { CompensationReason } from './store/events.js';
export type { CompensationState } from './store/types.js';
export { CompensationFailedError } from './errors/compensation-errors.js';
// Policies as values (docs/policies.md): usable on any async function, inside or outside a step.
export type { Policy, PolicyContext, PolicyFn } from './policy/values/policy.js';
export type { BreakerState, PolicyEvent, PolicyEventListener, PolicyEventMap, PolicyEventType } from './policy/values/events.js';
export { retry, RetryPolicyValue, type RetryPolicyOptions } from './policy/values/retry.js';
export { timeout, TimeoutPolicyValue, type TimeoutPolicyOptions } from './policy/values/timeout.js';
export { fallback, FallbackPolicyValue, type FallbackPolicyOptions } from './policy/values/fallback.js';
export { circuitBreaker, CircuitBreakerValue, type CircuitBreakerOptions } from './policy/values/circuit-breaker.js';
export { bulkhead, BulkheadValue, type BulkheadOptions } from './policy/values/bulkhead.js';
export { wrap, WrappedPolicy } from './policy/values/wrap.js';
// Cost ledger and caps (docs/llm.md, "Costs and caps").
export type { StepCosts, CostCall, CallUsage, CostReservation, ReserveAttempt } from './costs/step-costs.js';
export { PriceTable, type PriceEntry, type PricingOptions, type TokenUsage, type Price } from './costs/prices.js';
export { DEFAULT_PRICES, DEFAULT_PRICES_COMPILED } from './costs/default-prices.js';
export type { BudgetOptions } from './costs/budget.js';
export type { LedgerEntry, LedgerFilter, LedgerState } from './store/ledger.js';
export { BudgetExceededError, UnpricedModelError, LedgerEntryError } from './errors/budget-errors.js';
// External agent processes as steps (docs/agents.md).
export {
  agentStep,
  runAgentProcess,
  groupAlive,
  workspacePath,
  type AgentProcessOptions,
  type AgentProcessResult,
  type AgentLedgerEntry,
  type CleanupPolicy,
  type Continuation,
  type OutputFormat,
} from './agent-process/index.js';
export { AgentProcessError, type AgentProcessFailure } from './errors/agent-process-error.js';
export type { StepEventType, StepEventData, PreviousFailure } from './workflow/context.js';
// Structured output that repairs and re-asks (docs/llm.md, "Structured output").
export * from './llm/structured.js';
export type { AgentEventKind } from './store/events.js';
// The agent toolkit (docs/agent-toolkit.md): loop detection, graceful degradation, DAGs.
export type { WorkflowEventType } from './store/events.js';
export { LoopDetectedError } from './errors/loop-detected-error.js';
export { loopGuard, LoopGuard, type CheckContext } from './agent/loop-guard.js';
export { durableLoopGuard, DurableLoopGuard } from './agent/durable-loop-guard.js';
export type { LoopGuardOptions, EscalationLevel } from './agent/loop-options.js';
export type { LoopVerdict, LoopKind, LoopEntry } from './agent/loop-verdict.js';
export { canonicalText, fingerprint, type NormalizeOptions } from './agent/fingerprint.js';
export { missing, isMissing, settle, settleAll, type Missing } from './agent/missing.js';
export { degradation, Degradation, type DegradedOutput } from './agent/degradation.js';
export { FALLBACK_LEVEL, type DegradationOptions, type SectionSpec, type SectionReport } from './agent/degradation-options.js';
export { assembleInRun } from './agent/durable-degradation.js';
export { runDag, type DagResult } from './agent/dag.js';
export { planDag, type DagNode, type DagOptions, type DagPlan } from './agent/dag-plan.js';
// Quality gates (docs/llm.md#quality-gates): strict | warn | off, overridable by the environment.
export { qualityGate, type GateCheck, type GateCheckResult, type QualityGateOptions } from './gates/quality-gate.js';
export { gateVariable, type GateMode } from './gates/gate-mode.js';
export { GateFailedError } from './errors/gate-failed-error.js';
export type { GateOutcome, GateCheckReport } from './store/events.js';
// Circuit breakers shared by every worker on the store (docs/resilience.md).
export type { SharedBreakerOptions, BreakersOption } from './breakers/shared-options.js';
export type { BreakerOptions } from './breakers/config.js';
export { isBreakerOpen } from './breakers/open-check.js';
// Step cache across runs and retention (docs/time-travel.md).
export type { StepCacheOptions } from './options/cache-options.js';
export { pruneRuns, type PruneResult, type PruneTarget } from './retention/prune.js';
export type { PruneOptions, RetentionOptions } from './retention/retention-options.js';
export type { PrunableStatus, PruneCounts } from './store/retention.js';
// Model calls with fallback (docs/llm.md): SDK-agnostic, with adapters for the openai SDK and the AI SDK (optional peers).
export { llmStep, DEFAULT_RESERVED_OUTPUT_TOKENS } from './llm/llm-step.js';
export type { LlmAnswer, LlmCall, LlmCallInfo, LlmModel, LlmParseInfo, LlmResult, LlmStepOptions, LlmUsage } from './llm/llm-types.js';
// The SDK adapters (openaiChat, aiSdkText) are in lifeline-workflows/openai and lifeline-workflows/ai-sdk.
// Observability (docs/observability.md): structured logs through a pino-compatible logger, and
// the span attribute names of the OpenTelemetry traces (runs, steps, attempts, GenAI model calls).
export { eventLogger, type LifelineLogger } from './observe/event-log.js';
export { ATTR as TRACE_ATTRIBUTES } from './observe/run-trace.js';
export { GEN_AI as GEN_AI_ATTRIBUTES, COST_ATTR as COST_ATTRIBUTE } from './llm/llm-trace.js';
// What runs are doing and how far they got (docs/observability.md, "Progress and watch"): activity
// states with reasons (retrying and stuck are states of their own), progress and ETA from history.
export {
  listRunOverviews,
  runOverview,
  describeRuns,
  type RunOverview,
  type OverviewSource,
  type RunOverviewOptions,
  type ListRunOverviewsOptions,
} from './observe/run-overview.js';
export {
  classifyRun,
  liveVersionsOf,
  versionGap,
  ACTIVITY_STATES,
  ACTIVITY_EVENT_TYPES,
  type ActivityState,
  type RunActivity,
  type LiveVersions,
} from './observe/run-activity.js';
export { estimateProgress, etaRange, ProgressHistory, type RunProgress, type HistoryRun, type ProgressHistoryOptions } from './observe/progress.js';
export { DEFAULT_ACTIVITY_OPTIONS, resolveActivityOptions, type ActivityOptions } from './options/activity-options.js';
// Insight (docs/insight.md): SLOs and burn rates, recommendations and fixes, recovery metrics.
export { checkSlos, type CheckSlosOptions, type SloReport, type SloReportRow } from './insight/slo-check.js';
export { DEFAULT_SLO_PERIOD_MS, type SloSpec, type Slo } from './insight/slo-spec.js';
export { BURN_WINDOWS, PAGE_RULES, TICKET_RULES, type BurnWindow, type SloObjective, type SloStatus } from './insight/slo.js';
export type { SloAlert, SloEventType } from './store/events.js';
export type { SloAlertLevel, FixRecord } from './store/insight-records.js';
export { recordFix, listFixes, FIX_ACTIONS, type FixOptions } from './insight/fixes.js';
export { recommend, suggestionsFor, type Recommendation, type RecommendInput, type Suggestion, type FixStatus } from './insight/recommend.js';
export { recommendations, type RecommendationOptions } from './insight/recommend-report.js';
export {
  evidenceFromFixes,
  evidenceFromRecoveries,
  evidenceFromFallbacks,
  type ActionId,
  type Evidence,
  type FailureShape,
  type TrackRecord,
} from './insight/track-record.js';
export { recoveryReport } from './insight/recovery-report.js';
export {
  FAILURE_REASONS,
  type FailureReason,
  type Incident,
  type IncidentOutcome,
  type IncidentStrategy,
  type RecoveryGroup,
  type RecoveryMetrics,
} from './insight/recovery.js';
// Insight: attempt details, fingerprints and coverage (docs/insight.md).
export {
  computeFingerprint,
  describeFingerprint,
  FINGERPRINT_VERSION,
  type Fingerprint,
  type FingerprintInput,
  type FingerprintParts,
} from './insight/fingerprint.js';
export type { FingerprintRule, FingerprintMatch, FingerprintSplit } from './insight/fingerprint-rules.js';
export type { InsightOptions } from './options/insight-options.js';
export { refingerprint, type RefingerprintResult } from './insight/refingerprint.js';
export { coverage, type CoverageReport, type CoverageOptions, type ScorePart, type UncoveredStep } from './insight/coverage.js';
export type { RanWith } from './insight/ran-with.js';
// Insight (docs/insight.md): failure patterns and health computed from the store.
export { insight, type Insight, type InsightSource, type PatternsOptions, type HealthQueryOptions } from './insight/insight.js';
export { TREND_RULES } from './insight/patterns.js';
export { DEFAULT_HEALTH_THRESHOLDS, type HealthThresholds, type HealthOptions } from './insight/health.js';
export type { InsightWindow, Pattern, Trend, HealthRow, HealthSubject, HealthVerdict } from './insight/types.js';
export type { InsightWindowOptions } from './insight/window.js';
