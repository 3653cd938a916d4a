import type { RetryOptions, ClassifierRule, ErrorClass, ErrorKind } from '../policy/index.js';
import type { Policy } from '../policy/values/policy.js';
import type { CompensationReason, EventMap, WorkflowEventType } from '../store/events.js';
import type { WorkflowDefinition } from './define.js';
import type { Duration } from './duration.js';
import type { Jsonify } from './jsonify.js';
import type { StepCosts } from '../costs/step-costs.js';
import type { StepCacheOptions } from '../options/cache-options.js';

/** Events a step body may add to its run's history; the engine fills in `stepId` and `attempt`. */
export type StepEventType = 'step.agent_event' | 'llm.structured';
export type StepEventData<K extends StepEventType> = Omit<EventMap[K], 'stepId' | 'attempt'>;
import type { RoutedInput, StepRoute } from './routes.js';
/** What a step function receives: everything it needs to be safe to run again. */
/** What ctx.send returns (and its replay returns): the message id and the run it went to. */
export interface SentMessage {
  messageId: string;
  to: string;
}

/** A message read from the run's mailbox by ctx.receive / ctx.tryReceive (and returned again on replay). */
export interface ReceivedMessage<T = unknown> {
  /** The stored signal's id: unique, and increasing in arrival order. */
  id: number;
  name: string;
  payload: T;
  /** The sending run (ctx.send), or null for a signal from outside (API `signal()`, `lifeline signal`). */
  from: string | null;
  /** When it was stored (epoch ms). */
  sentAt: number;
}

export interface ReceiveOptions {
  /** Only messages with one of these names (any name when left out). */
  names?: readonly string[];
  /** Throw ReceiveTimeoutError when no message arrived within this long (default: wait forever). */
  timeout?: Duration;
}

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
   * This attempt's cost ledger: reserve a model call's worst case against the workflow's
   * `budget` caps before the call and commit its real usage after, or record a call's usage
   * (docs/llm.md, "Costs and caps"). Reservations left open are released when the attempt ends.
   */
  cost: StepCosts;
  /**
   * Appends an event about this attempt to the run's history (stored, best effort, not fenced:
   * for observation only). Set by the engine; absent when a step function is called by hand.
   */
  emit?<K extends StepEventType>(type: K, data: StepEventData<K>): void;
  /** Set when this step is tried again after a failure route: the helper's output (see StepOptions.routes). */
  routed?: RoutedInput;
  /**
   * This step's earlier failed attempts that count against its retry budget, oldest first, as
   * recorded (the message redacted and bounded like the attempt row's): the same list after a
   * crash or takeover as in the process that saw them fail. Set by the engine (empty on a first
   * attempt); absent when a step function is called by hand. A re-ask loop reads its feedback here.
   */
  previousFailures?: readonly PreviousFailure[];
  /**
   * Reports what the call really used (e.g. the model's total tokens); adds up when called more
   * than once. The tokens reserved from `estimatedTokens` on the step's rate limits are
   * reconciled with it when the attempt ends (see Lifeline.open `limits`).
   */
  reportUsage(usage: StepUsage): void;
}

/** One failed attempt of a step, as its attempt row records it (StepInfo.previousFailures). */
export interface PreviousFailure {
  attempt: number;
  errorClass: ErrorClass;
  /** The error's message, redacted and bounded (docs/errors-and-retries.md). */
  message: string;
  /** The fallback alternative the attempt ran; null for a plain step. */
  alternative: string | null;
}

/** What one attempt of a step used, reported by its body (StepInfo.reportUsage). */
export interface StepUsage {
  tokens: number;
}

export interface StepOptions<T = unknown> {
  retry?: RetryOptions;
  timeout?: Duration;
  classifiers?: readonly ClassifierRule[];
  /**
   * Failure routing: when the step fails for good with a matching class or message, run the
   * route's helper step and try the step again (a step of its own) with the helper's output in
   * `info.routed`. docs/resilience.md, "Failure routing".
   */
  routes?: readonly StepRoute[];
  /**
   * Shared limit keys the step's calls count against, all at once (e.g. `['openai', \`customer-${id}\`]`):
   * each must match a key or pattern of Lifeline.open `limits`. A step that must wait sleeps (no
   * worker slot held, no attempt used) until a slot or tokens are expected.
   */
  limits?: readonly string[];
  /** Tokens reserved per attempt from every tokens-per-minute limit of `limits`; reconciled with reportUsage. Default 0. */
  estimatedTokens?: number;
  /**
   * The shared circuit breaker this step's calls go through (a key of Lifeline.open's
   * `breakers`, or any key when `breakers['*']` is set), e.g. 'openai:gpt-4o'. While it is open
   * the step is deferred: the run sleeps until the breaker may let a probe through.
   */
  breaker?: string;
  /**
   * Runs each attempt's body through this in-process policy value (retry, timeout, circuitBreaker,
   * bulkhead, wrap...). Its retries happen inside one durable attempt; the engine's `retry` then
   * retries what the policy finally throws (docs/resilience.md, "Policies on steps").
   */
  policy?: Policy;
  /**
   * Best effort: when the step fails for good, its failure is recorded (attempts, a
   * `step.defaulted` event, the step record failed with its error) and the step returns `default`
   * instead of failing the run; replay returns the recorded default. Cancellation and worker
   * shutdown still stop the run.
   */
  optional?: { default: T };
  /**
   * Step cache across runs: a completed result is stored under a hash of the workflow, the step's
   * name, `version` and `key`, and every run (any worker, any process) calling the step with the
   * same key within `ttl` gets it without running the body (recorded as a `cached` attempt and a
   * `step.cached` event naming the run that computed it). One run computes a key at a time; the
   * others wait. Failures are not cached. docs/time-travel.md, "Step cache".
   */
  cache?: StepCacheOptions;
  /**
   * Tags recorded on each of the step's attempts (e.g. `{ team: 'search', customer: 'acme' }`):
   * insight groups and filters failures by them. At most 20, keys up to 64 and values up to 200
   * characters. The LLM helpers add `provider` and `model`, agent processes `agent`.
   */
  tags?: Readonly<Record<string, string>>;
  /**
   * The step has a side effect outside Lifeline (a payment, an email, a write to another system):
   * it should pass `info.idempotencyKey` on, so a retry or a re-run after a crash does not do it
   * twice. Recorded with the step; `lifeline insight coverage` lists side effects that ran without
   * reading their key.
   */
  sideEffect?: boolean;
  /**
   * Undoes the step (a saga's compensation, issue 12 §3): when the run fails for good (no
   * recovery rule took it over), is cancelled, or is rolled back (`lifeline rollback`), the
   * compensations of its completed steps run in reverse order of completion, each a durable step
   * of its own (`compensate:<step id>`, committed once, retried by `compensateRetry`, else the
   * step's `retry`), given the step's output as stored (JSON: a Date arrives as its ISO string).
   * docs/time-travel.md, "Compensation".
   */
  compensate?: Compensation<T>;
  /** The compensation's retry policy (default: the step's `retry`, else the workflow's). */
  compensateRetry?: RetryOptions;
}

/**
 * A step's compensation (StepOptions.compensate). Declared through a method so its parameter is
 * checked bivariantly: options of a step returning T stay assignable where any output is expected.
 */
export type Compensation<T = unknown> = { compensate(output: T, info: CompensationInfo): unknown }['compensate'];

/** What a compensation receives besides the step's output: a step's info, and why it runs. */
export interface CompensationInfo extends StepInfo {
  /** What asked for the compensation: the run's final failure, a cancel, or a rollback. */
  reason: CompensationReason;
  /** The step being undone (its own idempotency key is `info.idempotencyKey`'s step). */
  compensatedStepId: string;
}

/** One alternative of a fallback chain (`ctx.fallback`). */
export interface FallbackAlternative<T> {
  /** Unique within the chain: recorded on each of its attempts and returned with the value. */
  name: string;
  run: (info: AlternativeInfo) => Promise<T> | T;
  /** This alternative's own retries (over the workflow's policy), before the chain moves on for `transient`. */
  retry?: RetryOptions;
  /** Each attempt's timeout (default: the workflow's stepTimeout). */
  timeout?: Duration;
  /** In-process policy around each attempt's body, as a step's `policy`. */
  policy?: Policy;
  /**
   * The shared circuit breaker this alternative's calls go through (a key of Lifeline.open's
   * `breakers`, e.g. 'openai:gpt-4o'): its attempts count in it, and while it is open the chain
   * skips the alternative without an attempt (the last alternative is not skipped: the step is
   * deferred until the breaker lets a probe through, as a step's `breaker`).
   */
  breaker?: string;
}

/** What an alternative's function receives: a step's info and the alternative's name. */
export interface AlternativeInfo extends StepInfo {
  alternative: string;
}

export interface FallbackOptions {
  /**
   * Error classes that move the chain to the next alternative. Default: timeout, rate_limit,
   * dependency (at once) and transient (once the alternative's own retries are spent). Any other
   * class fails the step after the alternative's own retries.
   */
  on?: readonly ErrorClass[];
  /**
   * Error kinds that move the chain on at once, whatever their class (e.g. 'context_overflow' to
   * a larger-context model, 'budget_exceeded' to a cheaper one). Default: none.
   */
  onKinds?: readonly ErrorKind[];
  classifiers?: readonly ClassifierRule[];
  /** Undoes the chain's step, given `{ value, alternative }` as stored: as StepOptions.compensate. */
  compensate?: Compensation<{ value: unknown; alternative: string }>;
  /** The compensation's retry policy (default: the workflow's). */
  compensateRetry?: RetryOptions;
}

/** What a fallback chain resolves to: the value and which alternative gave it. */
export interface FallbackResult<T> {
  value: Jsonify<T>;
  alternative: string;
}

/** The handle a workflow function gets. Everything nondeterministic goes through it. */
export interface WorkflowContext {
  readonly runId: string;
  readonly workflowName: string;
  /**
   * Runs `fn` once per run (at least once if the process dies mid-step); commits its result.
   * Resolves with the result as stored (JSON), on the first execution and on replay alike: a Date
   * comes back as its ISO string, hence the `Jsonify<T>` type; class instances are refused. With
   * `optional: { default }`, the default's type `D` is a possible result too.
   */
  step<T, D = T>(name: string, fn: (info: StepInfo) => Promise<T> | T, options?: StepOptions<D>): Promise<Jsonify<T> | Jsonify<D>>;
  /**
   * One durable step with alternatives tried in order (model A, then B...): moves on for the
   * classes in `options.on`, fails for the others. Each attempt records the alternative it ran;
   * replay returns the recorded value and alternative without running anything.
   */
  fallback<T>(name: string, alternatives: readonly FallbackAlternative<T>[], options?: FallbackOptions): Promise<FallbackResult<T>>;
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
  /**
   * Sends a durable message to another run (issue 12 §6): it arrives there as a signal named
   * `name`, read with `waitForSignal(name)`. Exactly once, also on replay and after a crash: the
   * send is a recorded step and the message id (`<this run>/<step id>`) is unique in the store.
   * A run that does not exist or has finished fails the step with MessageUndeliverableError.
   * docs/time-travel.md, "Messages between runs".
   */
  send(runId: string, name: string, payload?: unknown): Promise<SentMessage>;
  /**
   * A patch marker (docs/time-travel.md, "Workflow versions"): true on a run that reaches this
   * point under this code (the marker is recorded, durably, before it resolves), so the run takes
   * the new path from here on; false on a run whose history shows it passed this point under the
   * old code (another step is recorded here), which then keeps replaying the old path. The answer
   * for one `patchId` is the same for every call in a run.
   */
  patched(patchId: string): Promise<boolean>;
  /**
   * The cleanup of ctx.patched(patchId), once every run that could take the old path has ended:
   * the old branch is deleted and this call stands where the `if` was. A run that recorded the
   * marker replays it here; a new run records nothing. Remove the call when those runs ended too.
   */
  deprecatePatch(patchId: string): void;
  /**
   * Reads the next unread message of this run's mailbox, in arrival order, whatever its name (or
   * one of `options.names`): messages from runs (ctx.send) and signals from outside alike. The run
   * waits (status `waiting`, no worker held) while the mailbox is empty; any new message wakes it.
   * Durable: the read is a recorded step that consumes the message, so a replay returns the same
   * message and no other read ever gets it. Throws ReceiveTimeoutError when `timeout` passes first.
   * docs/time-travel.md, "Messages between runs".
   */
  receive<T = unknown>(options?: ReceiveOptions): Promise<ReceivedMessage<T>>;
  /** Like receive, without waiting: the next unread message, or null when there is none now (recorded: a replay returns the same). */
  tryReceive<T = unknown>(options?: Pick<ReceiveOptions, 'names'>): Promise<ReceivedMessage<T> | null>;
  /**
   * Records a run event the workflow itself reports (`run.degraded`, `run.loop_detected`): written
   * once with its own history slot, so a replay neither writes it again nor misses it.
   */
  recordEvent<K extends WorkflowEventType>(type: K, data: EventMap[K]): Promise<void>;
  /** Starts a child workflow run durably and returns its output (throws if it fails). */
  child<I, O>(workflow: WorkflowDefinition<I, O>, input: I): Promise<Jsonify<O>>;
}
