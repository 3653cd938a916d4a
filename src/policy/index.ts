// Public surface of the policy module: error classes, classification, retries, timeouts, redaction.
export { ERROR_CLASSES, isRetryableClass, type ErrorClass } from '../errors/error-class.js';
export { ClassifiedError, type ClassifiedErrorOptions } from './classified-error.js';
export { StepTimeoutError } from '../errors/timeout-errors.js';
export { classifyError, type Classification, type ClassifierRule, type ClassifyContext } from './classify.js';
export { KNOWN_ERROR_KINDS, type ErrorKind, type KnownErrorKind } from './error-kind.js';
export { DEFAULT_RETRY_POLICY, resolveRetryPolicy, type ClassRetryOverride, type RetryOptions, type RetryPolicy } from './retry-policy.js';
export { decideRetry, type RetryDecision } from './backoff.js';
export { runWithTimeout, type RunWithTimeoutOptions } from './timeout.js';
