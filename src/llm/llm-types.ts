// The shapes of an LLM step (llmStep): the models it may call, what each call receives and
// answers, and what the step resolves to. SDK-agnostic: an adapter (openai-chat.ts, ai-sdk.ts)
// or the user's own function makes the call.
import type { ClassifierRule, ErrorClass, RetryOptions } from '../policy/index.js';
import type { AlternativeInfo } from '../workflow/context.js';
import type { Duration } from '../workflow/duration.js';

/** Tokens a call used, as the provider reports them. */
export interface LlmUsage {
  /** Every input token, the cached ones included (OpenAI's prompt_tokens). */
  inputTokens: number;
  /** Input tokens read from the prompt cache (priced at the cached rate). */
  cachedInputTokens?: number;
  outputTokens: number;
}

/** What a model call answers. */
export interface LlmAnswer {
  text: string;
  /** Absent when the provider did not say: the reserved worst case is then committed as the cost. */
  usage?: LlmUsage;
  /** The model that answered, as the provider names it (may differ from the requested name). */
  model?: string;
  /** Why the output stopped: "stop", "length", "content_filter"... as the provider says. */
  finishReason?: string;
}

/** What a model's call function receives besides the request. */
export interface LlmCallInfo {
  /** The model to call (the entry's `model`). */
  model: string;
  provider: string;
  /** The entry's output token limit: pass it to the provider, the cost reservation assumes it. */
  maxOutputTokens: number | undefined;
  /** Aborted on the attempt's timeout, the run's cancellation or the worker's shutdown: pass it to the SDK. */
  signal: AbortSignal;
  /** The step's attempt (its number, idempotency key, ledger...). */
  step: AlternativeInfo;
}

/** Makes one call to a model: throw the SDK's error as it is (Lifeline classifies it). */
export type LlmCall<Req> = (request: Req, info: LlmCallInfo) => Promise<LlmAnswer>;

/** One model of the list, tried in order. */
export interface LlmModel<Req> {
  /** The model's name: passed to the call, used for pricing, recorded on each attempt. Unique in the list. */
  model: string;
  /** For pricing and the ledger, e.g. "openai". */
  provider: string;
  call: LlmCall<Req>;
  /** This model's own retries (over the workflow's policy) before the step moves on to the next model. */
  retry?: RetryOptions;
  /** Each attempt's timeout (default: the workflow's stepTimeout). */
  timeout?: Duration;
  /** The output token limit: handed to the call and reserved as the worst case. */
  maxOutputTokens?: number;
  /** Tokens the model takes in all: after a context overflow, models not larger than the one that overflowed are passed over. */
  contextWindow?: number;
  /** A shared breaker key (Lifeline.open `breakers`): the model is skipped while it is open. */
  breaker?: string;
}

/** What `parse` receives besides the answer. */
export interface LlmParseInfo {
  model: string;
  step: AlternativeInfo;
}

export interface LlmStepOptions<Req, T = string> {
  models: readonly LlmModel<Req>[];
  /** The same request for every model (the call adds the model name and the output limit). */
  request: Req;
  /**
   * Input tokens the request is expected to use, for the cost reservation. Default: the length of
   * the request as JSON divided by 4, rounded up (a rough estimate: set it when you know better).
   */
  estimatedInputTokens?: number;
  /**
   * Error classes that move on to the next model. Default: timeout, rate_limit, dependency (at
   * once) and transient (after the model's retries). A context overflow (to a larger-context
   * model) and a cost cap refusal (to a cheaper model) always move on.
   */
  on?: readonly ErrorClass[];
  classifiers?: readonly ClassifierRule[];
  /**
   * Turns a model's answer into the step's output (default: its text). The seam for structured
   * output: a throw fails the attempt with that error (classified: a validation error is not
   * retried), after the call's usage is in the ledger. Its result must be JSON.
   */
  parse?: (answer: LlmAnswer, info: LlmParseInfo) => T | Promise<T>;
}

/** What an LLM step resolves to (as committed: replay returns the same). */
export interface LlmResult<T = string> {
  output: T;
  /** The entry of `models` that answered. */
  model: string;
  /** The model the provider says answered, when it said. */
  responseModel: string | null;
  finishReason: string | null;
  usage: LlmUsage | null;
}
