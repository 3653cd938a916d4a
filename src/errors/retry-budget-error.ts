import { LifelineError } from './lifeline-error.js';

/**
 * A retry of a step was refused because a limit key's retry budget is spent (too many retries
 * for the successes of the minute, or too much Retry-After waiting): retrying would only add load
 * to a dependency that is failing. Class `dependency`, never retried: the step fails for good.
 */
export class RetryBudgetExhaustedError extends LifelineError {
  readonly nonRetryable = true;

  constructor(
    readonly key: string,
    reason: string,
  ) {
    super('RETRY_BUDGET_EXHAUSTED', 'dependency', `Not retried: ${reason}.`);
  }
}
