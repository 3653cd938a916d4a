import type { ErrorClass } from '../errors/error-class.js';
import type { ErrorKind } from './error-kind.js';

/** The verdict on one failure: what kind it is and whether another attempt can help. */
export interface Classification {
  errorClass: ErrorClass;
  retryable: boolean;
  /** The failure asked for a minimum wait (Retry-After header, ClassifiedError). */
  retryAfterMs?: number;
  /** What went wrong within the class (e.g. 'quota_exhausted', 'overloaded'); see error-kind.ts. */
  kind?: ErrorKind;
  /** When the provider says the exhausted limit or quota resets (epoch ms). */
  resetAt?: number;
  /** Which rule matched, short, for logs and the run history (e.g. "HTTP 429"). */
  reason: string;
}

/**
 * A user rule: return a class (or a partial classification) to decide, or null/undefined to
 * pass the error on to the next rule.
 */
export type ClassifierRule = (error: unknown) => ErrorClass | (Partial<Classification> & { errorClass: ErrorClass }) | undefined | null;
