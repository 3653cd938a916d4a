import { LifelineError } from './lifeline-error.js';

/**
 * A run's compensations (issue 12 §3) did not all undo their steps: some still failed after their
 * retries, or the workflow's code no longer reached a step that declared one (so its compensation
 * is unknown). The other compensations ran. Stored as the run's error; class `logic`: running the
 * run again cannot fix it, a person has to undo what those steps did.
 */
export class CompensationFailedError extends LifelineError {
  constructor(
    readonly runId: string,
    /** Steps whose compensation failed for good. */
    readonly failedSteps: readonly string[],
    /** Steps with a compensation the replay did not reach (the code changed). */
    readonly unreachedSteps: readonly string[],
    /** What ended the run before it was compensated (its final error's message), when it failed. */
    readonly reason?: string,
  ) {
    const parts: string[] = [];
    if (failedSteps.length > 0) parts.push(`the compensation of ${quoted(failedSteps)} failed after its retries`);
    if (unreachedSteps.length > 0) parts.push(`${quoted(unreachedSteps)} declared a compensation the workflow's code no longer reaches`);
    const before = reason === undefined ? '' : ` after it failed (${reason})`;
    super(
      'COMPENSATION_FAILED',
      'logic',
      `Run ${runId} was not fully compensated${before}: ${parts.join('; ')}. Undo what those steps did by hand; \`lifeline show ${runId}\` lists their attempts and errors.`,
    );
  }
}

function quoted(steps: readonly string[]): string {
  return steps.map((s) => `"${s}"`).join(', ');
}
