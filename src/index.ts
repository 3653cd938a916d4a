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
// Model calls with fallback (docs/llm.md): SDK-agnostic, with adapters for the openai SDK and the AI SDK (optional peers).
export { llmStep, DEFAULT_RESERVED_OUTPUT_TOKENS } from './llm/llm-step.js';
export type { LlmAnswer, LlmCall, LlmCallInfo, LlmModel, LlmParseInfo, LlmResult, LlmStepOptions, LlmUsage } from './llm/llm-types.js';
// The SDK adapters (openaiChat, aiSdkText) are in lifeline-workflows/openai and lifeline-workflows/ai-sdk.
// Insight (docs/insight.md): failure patterns and health computed from the store.
export { insight, type Insight, type InsightSource, type PatternsOptions, type HealthQueryOptions } from './insight/insight.js';
export { TREND_RULES } from './insight/patterns.js';
export { DEFAULT_HEALTH_THRESHOLDS, type HealthThresholds, type HealthOptions } from './insight/health.js';
export type { InsightWindow, Pattern, Trend, HealthRow, HealthSubject, HealthVerdict } from './insight/types.js';
export type { InsightWindowOptions } from './insight/window.js';
