import { LifelineError } from './lifeline-error.js';

/**
 * A rewind named a step the run does not have (neither a step id such as `fetch#0` nor the name
 * of one of its steps). Names the steps it has, so the operator can pick one.
 */
export class RewindTargetNotFoundError extends LifelineError {
  constructor(
    readonly runId: string,
    readonly to: string,
    readonly stepIds: readonly string[],
  ) {
    const has = stepIds.length === 0 ? 'it has no step results yet' : `its steps are ${stepIds.join(', ')}`;
    super('REWIND_TARGET_NOT_FOUND', 'validation', `Cannot rewind run ${runId} to "${to}": the run has no such step id or step name; ${has}.`);
  }
}
