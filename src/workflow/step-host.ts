import type { ErrorClass } from '../errors/error-class.js';
import type { RetryPolicy } from '../policy/index.js';
import type { EventMap, WorkflowEventType } from '../store/events.js';
import type { RunRecord, SignalRecord, StepKind, StepRecord } from '../store/types.js';
import type { Clock } from '../time/clock.js';
import type { FallbackAlternative, FallbackOptions, StepInfo, StepOptions } from './context.js';

/** A checked fallback chain: its alternatives and the classes that move it on. */
export interface FallbackChain {
  alternatives: readonly FallbackAlternative<unknown>[];
  on: ReadonlySet<ErrorClass>;
  /** Kinds that move the chain on at once, whatever their class. */
  onKinds: ReadonlySet<string>;
}
import type { WorkflowDefinition } from './define.js';

/** A step's identity in its run: name#occurrence, its call index, and its record if committed. */
export interface Slot {
  stepId: string;
  name: string;
  seq: number;
  record: StepRecord | undefined;
}

/** Why a run gives up its lease: a durable sleep, or a wait for a signal or a child run. */
export type Suspension =
  | {
      type: 'sleep';
      wakeAt: number;
      /** A step gate deferred a step (see engine/step-gates.ts): not counted as a claim without progress. */ deferred?: boolean;
    }
  | {
      type: 'wait';
      wakeAt: number | null;
      signalName?: string;
      /** A mailbox read (ctx.receive): woken by a signal of one of these names, or of any name with `anySignal`. */
      signalNames?: readonly string[];
      anySignal?: boolean;
      childRunId?: string;
    };

/**
 * What a workflow context needs from the run it belongs to, and nothing more: the engine's run
 * execution implements it. workflow/ sees the engine only through this interface.
 */
export interface StepHost {
  readonly runId: string;
  readonly workflow: WorkflowDefinition;
  /** The version the run is pinned to (RunRecord.version). */
  readonly runVersion: number | null;
  readonly clock: Clock;
  /** The workflow function returned: a step called now fails. */
  readonly finished: boolean;
  /** The committed steps replayed from, by call index and by step id. */
  readonly history: { readonly bySeq: ReadonlyMap<number, StepRecord>; readonly byId: ReadonlyMap<string, StepRecord> };
  retryPolicy(options: StepOptions, name: string): RetryPolicy;
  /** Runs a new step's attempts; never settles once the run stopped being this worker's to drive. */
  runStep<T>(stepId: string, name: string, seq: number, fn: (info: StepInfo) => Promise<T> | T, options?: StepOptions<T>): Promise<T>;
  /** Runs a new fallback chain's attempts (alternatives in order); resolves with `{ value, alternative }` as committed. */
  runFallback(stepId: string, name: string, seq: number, chain: FallbackChain, options: FallbackOptions): Promise<unknown>;
  commitValue(slot: Slot, kind: StepKind, value: unknown, consumeSignalId?: number): Promise<void>;
  commitWaiting(slot: Slot, kind: StepKind, marker: unknown): Promise<void>;
  /** Commits the slot (kind `event`) and the run event together: written once, never on replay. */
  commitEvent<K extends WorkflowEventType>(slot: Slot, type: K, data: EventMap[K]): Promise<void>;
  commitFailure(slot: Slot, kind: StepKind, error: unknown, errorClass: ErrorClass): Promise<void>;
  startChild(childRunId: string, workflow: WorkflowDefinition, input: unknown): Promise<void>;
  /** Gives the run up until it is woken; never settles. */
  suspend(suspension: Suspension): Promise<never>;
  /** Whether the run was woken at or after `since`. */
  wokenSince(since: number): Promise<boolean>;
  /**
   * Stores a message from this run to `toRunId` (a signal with a sender), idempotent on its id;
   * throws MessageUndeliverableError for an unknown or finished run.
   */
  sendMessage(messageId: string, toRunId: string, name: string, payload: unknown): Promise<SignalRecord>;
  /** The oldest unconsumed signal of that name sent to this run. */
  peekSignal(name: string): Promise<SignalRecord | null>;
  /** The oldest unconsumed signal sent to this run, of any name or one of `names` (the mailbox). */
  nextSignal(names: readonly string[] | undefined): Promise<SignalRecord | null>;
  getRun(runId: string): Promise<RunRecord | null>;
  /** Records the first non-determinism of the run (it fails with it) and returns the error. */
  nonDeterminism(error: Error): Error;
  /** A replayed completed step declared a compensation: the run learns it (engine/compensation.ts). */
  compensable(record: StepRecord, options: StepOptions): void;
  /** A committed step was replayed instead of run (published as an event). */
  stepReplayed(record: StepRecord): void;
  /** A failure route was taken (workflow/routes.ts): recorded (soft) and published as `step.routed`. */
  stepRouted(data: EventMap['step.routed']): void;
}
