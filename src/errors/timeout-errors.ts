import { LifelineError } from './lifeline-error.js';

/** A step ran past its `timeoutMs`. Classified as a `timeout` error, so it is retried by default. */
export class StepTimeoutError extends LifelineError {
  constructor(
    readonly stepId: string,
    readonly timeoutMs: number,
  ) {
    super('STEP_TIMEOUT', 'timeout', `Step "${stepId}" timed out after ${timeoutMs} ms.`);
  }
}
