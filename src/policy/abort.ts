import type { Classification } from './classification.js';
import { isLifelineError } from '../errors/lifeline-error.js';
import { errorCause, errorMessage, errorNames, ownCodes, prop } from './error-shape.js';

/** What the classifier may know besides the error: the signal the failed call was given. */
export interface ClassifyContext {
  /**
   * The AbortSignal passed to the call that failed. SDKs throw an abort error that does not say
   * why (openai's and Anthropic's `APIUserAbortError`); the signal's reason does.
   */
  signal?: AbortSignal;
}

const ABORT_NAMES = ['AbortError', 'APIUserAbortError'];
const TIMED_OUT = /timed? ?out/i;

export function isTimeoutValue(value: unknown): boolean {
  if (value == null) return false;
  return (
    (isLifelineError(value) && value.errorClass === 'timeout') ||
    errorNames(value).includes('TimeoutError') ||
    ownCodes(value).includes('ETIMEDOUT') ||
    TIMED_OUT.test(errorMessage(value))
  );
}

function isAbortError(error: unknown): boolean {
  return errorNames(error).some((n) => ABORT_NAMES.includes(n)) || ownCodes(error).includes('ABORT_ERR');
}

/**
 * An abort error (`AbortError`, a DOMException with that name, `APIUserAbortError`) is a timeout
 * when what aborted it was a timeout, and cancelled when it was anything else (a deliberate
 * `abort()`, a cancelled run). The reason is read from the error's `cause` or `reason`, else from
 * the signal in the context. With no reason known, the error is left to later rules.
 */
export function classifyAbort(error: unknown, context: ClassifyContext): Classification | undefined {
  if (!isAbortError(error)) return undefined;
  const signal = context.signal;
  const own = [errorCause(error), prop(error, 'reason')].filter((r) => r != null && r !== error);
  // A signal aborted without a reason rejects with its default AbortError: a deliberate abort.
  const reasons = signal?.aborted ? [...own, signal.reason as unknown] : own;
  if (reasons.length === 0) return undefined;
  const name = errorNames(error).find((n) => ABORT_NAMES.includes(n)) ?? 'AbortError';
  if (reasons.some(isTimeoutValue)) return { errorClass: 'timeout', retryable: true, reason: `name ${name} (timeout reason)` };
  return { errorClass: 'cancelled', retryable: false, reason: `name ${name} (aborted)` };
}
