/**
 * What a failure is within its class, for fallbacks, circuit breakers and insight to match on
 * (a class says how to retry; a kind says what went wrong). The built-in rules set these; a
 * user rule or a ClassifiedError may set any other string, so the type stays open.
 */
export type KnownErrorKind =
  /** Credentials missing, wrong or not allowed (HTTP 401/403, missing API key). */
  | 'auth'
  /** Billing or quota used up (HTTP 402, `insufficient_quota`): not retried; `resetAt` when the provider says. */
  | 'quota_exhausted'
  /** The prompt does not fit the model's context window: a larger-context model may take it. */
  | 'context_overflow'
  /** The provider refused the input or stopped the output for its content policy. */
  | 'content_policy'
  /** The answer was cut at the output token limit (finish reason `length`). */
  | 'output_truncated'
  /** The provider is overloaded (HTTP 529, `overloaded_error`). */
  | 'overloaded'
  /** The request body was too large for the server (HTTP 413). */
  | 'payload_too_large'
  /** The model name is unknown to the provider. */
  | 'model_not_found'
  /** A cost cap would be exceeded by the call (BudgetExceededError): a cheaper model may fit. */
  | 'budget_exceeded';

// `string & {}` keeps editor completion for the known kinds while allowing any other.
export type ErrorKind = KnownErrorKind | (string & {});

export const KNOWN_ERROR_KINDS: readonly KnownErrorKind[] = Object.freeze([
  'auth',
  'quota_exhausted',
  'context_overflow',
  'content_policy',
  'output_truncated',
  'overloaded',
  'payload_too_large',
  'model_not_found',
  'budget_exceeded',
] as const);
