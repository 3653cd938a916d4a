import type { ClassifierRule, RetryPolicy } from '../policy/index.js';
import type { NewEvent } from '../store/store.js';
import type { EventData, RunEvent, RunEventType } from '../store/events.js';
import type { StepOptions } from '../workflow/context.js';
import type { ResolvedBudget } from '../costs/budget.js';
import type { ExecutionState } from './execution-state.js';
import type { PriorAttempts } from './run-history.js';
import type { ExecutionDeps } from './run-execution.js';
import type { RunTrace } from '../observe/run-trace.js';

/**
 * What the attempt loop of a step (step-attempts.ts) and its fenced start (fenced-start.ts) need
 * from the run execution they belong to, and nothing more.
 */
export interface AttemptHost {
  readonly runId: string;
  /** The lease token every write of this run is fenced with. */
  readonly token: string;
  readonly deps: Pick<
    ExecutionDeps,
    'store' | 'clock' | 'leaseMs' | 'workerId' | 'host' | 'fingerprintRules' | 'maxPayloadBytes' | 'emit' | 'prices' | 'gates'
  >;
  /** Aborted when the run is cancelled, interrupted or lost. */
  readonly signal: AbortSignal;
  readonly stateKind: ExecutionState['kind'];
  readonly workflow: {
    readonly name: string;
    readonly budget: ResolvedBudget;
    readonly options: { readonly classifiers?: readonly ClassifierRule[] | undefined };
  };
  /** The run's spans; null when no OpenTelemetry SDK is registered (see observe/run-trace.ts). */
  readonly trace: RunTrace | null;
  /** Per step: attempts recorded before this claim, and how many of them were failures. */
  readonly priorAttempts: ReadonlyMap<string, PriorAttempts>;
  retryPolicy(options: StepOptions, name: string): RetryPolicy;
  stepTimeoutMs(options: StepOptions, name: string): number | undefined;
  /** Runs a commit; false when this worker must stop driving the run. */
  guardCommit(write: () => Promise<unknown>): Promise<boolean>;
  storeCall<T>(call: () => Promise<T>, options: { abortable: boolean; commit?: boolean }): Promise<T>;
  publish<T>(events: NewEvent[], write: (events: NewEvent[]) => Promise<T>): Promise<T>;
  event<K extends RunEventType>(type: K, ...[data]: EventData<K>): RunEvent<K>;
  endRefusedAttempt(stepId: string, attempt: number): Promise<void>;
  leaseLost(): void;
  /** A store failure with an unknown outcome: stop driving the run and let recovery take it. */
  abandon(error: unknown): void;
  /** A step gate said "not now": the run gives up its lease and sleeps until `wakeAt` (no attempt used). */
  defer(wakeAt: number): void;
}

/** What a fenced attempt start uses of it. */
export type FencedStartHost = Pick<AttemptHost, 'runId' | 'token' | 'deps' | 'guardCommit' | 'storeCall' | 'abandon'>;
