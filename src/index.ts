// Public API of Lifeline, root entry: authoring workflows, the client, errors and events.
// Re-exports only. The Store contract and the open functions are in `lifeline/store`, the
// manual clock in `lifeline/testing`; everything else is internal.
export { defineWorkflow, type WorkflowDefinition, type WorkflowOptions } from './workflow/define.js';
export type { WorkflowContext, StepInfo, StepOptions } from './workflow/context.js';
export type { Duration } from './workflow/duration.js';
export type { Jsonify } from './workflow/jsonify.js';
export { Lifeline, type LifelineOptions, type RunHandle, type RunInfo, type EngineEvent, type StartOptions, type StartArgs } from './engine/lifeline.js';
export type { Worker } from './engine/worker-api.js';
export type { WorkerOptions } from './options/public-options.js';
export type { Clock, TimerHandle } from './time/clock.js';
export type { RunStatus, StoredError } from './store/types.js';
export type { EventMap, EventType, LifelineEvent, RunEvent, WorkerErrorEvent } from './store/events.js';
export { ERROR_CLASSES, isRetryableClass, type ErrorClass } from './errors/error-class.js';
export { ClassifiedError, type ClassifiedErrorOptions } from './policy/classified-error.js';
export { classifyError, type Classification, type ClassifierRule } from './policy/classify.js';
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
// Policies as values (docs/policies.md): usable on any async function, inside or outside a step.
export type { Policy, PolicyContext, PolicyFn } from './policy/values/policy.js';
export type { BreakerState, PolicyEvent, PolicyEventListener, PolicyEventMap, PolicyEventType } from './policy/values/events.js';
export { retry, RetryPolicyValue, type RetryPolicyOptions } from './policy/values/retry.js';
export { timeout, TimeoutPolicyValue, type TimeoutPolicyOptions } from './policy/values/timeout.js';
export { fallback, FallbackPolicyValue, type FallbackPolicyOptions } from './policy/values/fallback.js';
export { circuitBreaker, CircuitBreakerValue, type CircuitBreakerOptions } from './policy/values/circuit-breaker.js';
export { bulkhead, BulkheadValue, type BulkheadOptions } from './policy/values/bulkhead.js';
export { wrap, WrappedPolicy } from './policy/values/wrap.js';
// Circuit breakers shared by every worker on the store (docs/resilience.md).
export type { SharedBreakerOptions, BreakersOption } from './breakers/shared-options.js';
export type { BreakerOptions } from './breakers/config.js';
export { isBreakerOpen } from './breakers/open-check.js';
