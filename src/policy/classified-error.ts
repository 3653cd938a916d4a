import { LifelineError } from '../errors/lifeline-error.js';
import { isRetryableClass, type ErrorClass } from '../errors/error-class.js';
import type { ErrorKind } from './error-kind.js';

export interface ClassifiedErrorOptions {
  errorClass: ErrorClass;
  /** Defaults to "the class is not retryable". Set true to stop retries of a retryable class. */
  nonRetryable?: boolean;
  /** Wait at least this long before the next attempt (like an HTTP Retry-After). */
  retryAfterMs?: number;
  /** What went wrong within the class, for fallbacks and insight to match on (see ErrorKind). */
  kind?: ErrorKind;
  cause?: unknown;
}

/**
 * Thrown by user code to say how a failure should be treated, overriding the built-in
 * classification (compare Temporal's ApplicationFailure `nonRetryable` / `nextRetryDelay`).
 */
export class ClassifiedError extends LifelineError {
  readonly nonRetryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly kind: ErrorKind | undefined;

  constructor(message: string, options: ClassifiedErrorOptions) {
    super('CLASSIFIED', options.errorClass, message, options.cause === undefined ? undefined : { cause: options.cause });
    this.nonRetryable = options.nonRetryable ?? !isRetryableClass(options.errorClass);
    // Thrown from inside a failing step, so a bad hint is dropped rather than turned into a
    // second, confusing error that hides the first.
    const after = options.retryAfterMs;
    this.retryAfterMs = typeof after === 'number' && Number.isFinite(after) && after >= 0 ? after : undefined;
    this.kind = typeof options.kind === 'string' && options.kind !== '' ? options.kind : undefined;
  }
}
