import type { RetryOptions, ClassifierRule } from '../policy/index.js';
import type { WorkflowDefinition } from './define.js';
import type { Duration } from './duration.js';
import type { Jsonify } from './jsonify.js';
/** What a step function receives: everything it needs to be safe to run again. */
export interface StepInfo {
  /** Fires on timeout, cancellation of the run, or worker shutdown. */
  signal: AbortSignal;
  /** 1 on the first attempt; counts across crashes and restarts. */
  attempt: number;
  /** Stable across attempts and restarts of this step: use it to make side effects idempotent. */
  idempotencyKey: string;
  runId: string;
  stepId: string;
}

export interface StepOptions {
  retry?: RetryOptions;
  timeout?: Duration;
  classifiers?: readonly ClassifierRule[];
  /**
   * The shared circuit breaker this step's calls go through (a key of Lifeline.open's
   * `breakers`, or any key when `breakers['*']` is set), e.g. 'openai:gpt-4o'. While it is open
   * the step is deferred: the run sleeps until the breaker may let a probe through.
   */
  breaker?: string;
}

/** The handle a workflow function gets. Everything nondeterministic goes through it. */
export interface WorkflowContext {
  readonly runId: string;
  readonly workflowName: string;
  /**
   * Runs `fn` once per run (at least once if the process dies mid-step); commits its result.
   * Resolves with the result as stored (JSON), on the first execution and on replay alike: a Date
   * comes back as its ISO string, hence the `Jsonify<T>` type; class instances are refused.
   */
  step<T>(name: string, fn: (info: StepInfo) => Promise<T> | T, options?: StepOptions): Promise<Jsonify<T>>;
  /** Durable sleep: the run gives up its lease and memory and is woken after `duration`. */
  sleep(duration: Duration): Promise<void>;
  /** Recorded wall-clock time (epoch ms): the same value on replay. */
  now(): Promise<number>;
  /** Recorded Math.random(). */
  random(): Promise<number>;
  /** Recorded random UUID. */
  uuid(): Promise<string>;
  /**
   * Waits durably for a signal sent to this run (API `signal()` or CLI `lifeline signal`).
   * Returns its payload; throws SignalTimeoutError when `timeout` passes first.
   */
  waitForSignal<T = unknown>(name: string, options?: { timeout?: Duration }): Promise<T>;
  /** Starts a child workflow run durably and returns its output (throws if it fails). */
  child<I, O>(workflow: WorkflowDefinition<I, O>, input: I): Promise<Jsonify<O>>;
}
