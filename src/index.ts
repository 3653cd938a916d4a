// Public API of Lifeline. Re-exports only.
export { defineWorkflow, registeredWorkflows, type WorkflowDefinition, type WorkflowOptions } from './workflow/define.js';
export { WorkflowContext, type StepInfo, type StepOptions } from './workflow/context.js';
export type { Duration } from './workflow/duration.js';
export { Lifeline, type LifelineOptions, type RunHandle, type RunInfo, type EngineEvent } from './engine/lifeline.js';
export { Worker } from './engine/worker.js';
export type { WorkerOptions } from './engine/worker-options.js';
export { systemClock, ManualClock, type Clock } from './time/clock.js';
export type { Store } from './store/store.js';
export type { EventMap, EventType, LifelineEvent, RunEvent, WorkerErrorEvent } from './store/events.js';
export type { RunRecord, RunStatus, StepRecord, AttemptRecord, EventRecord, SignalRecord, StoredError } from './store/types.js';
export { openStore } from './store/open-store.js';
export * from './policy/index.js';
export { LifelineError, type LifelineErrorCode } from './errors/lifeline-error.js';
export * from './errors/store-errors.js';
export * from './errors/workflow-errors.js';
export * from './errors/payload-errors.js';
export { InvalidOptionsError } from './errors/options-error.js';
export { InterruptedError } from './errors/interrupted-error.js';
