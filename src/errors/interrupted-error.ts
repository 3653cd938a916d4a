import { LifelineError } from './lifeline-error.js';

/** A step was stopped by a worker shutdown or crash; the run resumes it later. */
export class InterruptedError extends LifelineError {
  constructor(reason: string) {
    super('INTERRUPTED', 'interrupted', `Interrupted: ${reason}`);
  }
}
