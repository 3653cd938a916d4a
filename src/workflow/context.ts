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
  /**
   * Reports what the call really used (e.g. the model's total tokens); adds up when called more
   * than once. The tokens reserved from `estimatedTokens` on the step's rate limits are
   * reconciled with it when the attempt ends (see Lifeline.open `limits`).
   */
  reportUsage(usage: StepUsage): void;
}

/** What one attempt of a step used, reported by its body (StepInfo.reportUsage). */
export interface StepUsage {
  tokens: number;
}

export interface StepOptions {
  retry?: RetryOptions;
  timeout?: Duration;
  classifiers?: readonly ClassifierRule[];
  /**
   * Shared limit keys the step's calls count against, all at once (e.g. `['openai', \`customer-${id}\`]`):
   * each must match a key or pattern of Lifeline.open `limits`. A step that must wait sleeps (no
   * worker slot held, no attempt used) until a slot or tokens are expected.
   */
  limits?: readonly string[];
  /** Tokens reserved per attempt from every tokens-per-minute limit of `limits`; reconciled with reportUsage. Default 0. */
  estimatedTokens?: number;
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
