import { LifelineError } from './lifeline-error.js';

/** A call wrapped in a `timeout` policy ran past its deadline. Class `timeout`: retried by default. */
export class PolicyTimeoutError extends LifelineError {
  constructor(readonly timeoutMs: number) {
    super('POLICY_TIMEOUT', 'timeout', `Call timed out after ${timeoutMs} ms (timeout policy).`);
  }
}
