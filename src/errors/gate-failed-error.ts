import { LifelineError } from './lifeline-error.js';

/** A failing check of a gate, as the error names it. */
interface FailedCheck {
  name: string;
  detail?: string;
}

/**
 * A quality gate in `strict` mode had failing checks: the run stops before any later step.
 * Class `validation`: the same data would fail the same checks again, so it is never retried.
 */
export class GateFailedError extends LifelineError {
  constructor(
    readonly gate: string,
    readonly failed: readonly FailedCheck[],
  ) {
    const list = failed.map((c) => (c.detail ? `${c.name} (${c.detail})` : c.name)).join(', ');
    super('GATE_FAILED', 'validation', `Quality gate "${gate}" failed: ${failed.length} check(s) did not pass: ${list}.`);
  }
}
