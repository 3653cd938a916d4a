import { LifelineError } from './lifeline-error.js';

/**
 * A circuit breaker is open (or its half-open probes are all taken): the call was not made.
 * Class `dependency`; `retryAfterMs` says when the breaker may let a probe through.
 */
export class BrokenCircuitError extends LifelineError {
  /** Set while the breaker is open (the rest of its cool-down); unset when the half-open probes are all taken. */
  readonly retryAfterMs: number | undefined;

  constructor(retryAfterMs?: number) {
    super(
      'BROKEN_CIRCUIT',
      'dependency',
      retryAfterMs === undefined
        ? 'Circuit breaker is half-open and its probe calls are taken: call not attempted.'
        : `Circuit breaker is open: call not attempted (may probe again in ${retryAfterMs} ms).`,
    );
    this.retryAfterMs = retryAfterMs;
  }
}
