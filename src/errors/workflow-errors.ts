import type { ErrorClass } from './error-class.js';
import { LifelineError } from './lifeline-error.js';

export class DuplicateWorkflowError extends LifelineError {
  constructor(
    readonly workflow: string,
    readonly version: number | null = null,
  ) {
    super(
      'DUPLICATE_WORKFLOW',
      'configuration',
      version === null
        ? `A workflow named "${workflow}" without a version is already registered; a name and version must be unique (give one of them a version to load both).`
        : `Version ${version} of workflow "${workflow}" is already registered; a name and version must be unique.`,
    );
  }
}

export class WorkflowNotFoundError extends LifelineError {
  constructor(
    readonly workflow: string,
    known: string[],
    readonly runId?: string,
  ) {
    super(
      'WORKFLOW_NOT_FOUND',
      'configuration',
      `${runId ? `Run ${runId} belongs to workflow "${workflow}", which` : `Workflow "${workflow}"`} is not defined in this code` +
        ` (defined: ${known.length ? known.map((k) => `"${k}"`).join(', ') : 'none'}).`,
    );
  }
}

/** The code now calls steps in another order than the run's recorded history. */
export class NonDeterminismError extends LifelineError {
  constructor(
    readonly runId: string,
    readonly expectedStepId: string,
    readonly actualStepId: string,
    /** The workflow, the version the run is pinned to and the version of the code that replayed it. */
    readonly versions?: { workflow: string; run: number | null; worker: number | null },
  ) {
    super(
      'NON_DETERMINISM',
      'logic',
      `Run ${runId} replayed out of order: history has step "${expectedStepId}" at this position, but the code called ` +
        `"${actualStepId}". Usually the workflow body decides with a value that differs on replay: Date.now(), ` +
        `new Date() or Math.random() instead of ctx.now() / ctx.random() / ctx.uuid(), or data read outside a step. ` +
        `Otherwise the workflow code changed in a way that is incompatible with this run` +
        (versions === undefined ? '.' : versionAdvice(versions)),
    );
  }
}

function versionAdvice(v: { workflow: string; run: number | null; worker: number | null }): string {
  const name = (version: number | null) => (version === null ? 'no version' : `version ${version}`);
  return (
    `: the run was started with ${name(v.run)} of workflow "${v.workflow}" and replayed by code with ${name(v.worker)}. ` +
    'Guard the change with ctx.patched(), or give the new code a new version and keep the old one loaded until its runs end ' +
    '(docs/time-travel.md#workflow-versions).'
  );
}

/** result() of a run that nothing can ever execute: a private (':memory:') database and no started worker. */
export class NoWorkerError extends LifelineError {
  constructor(readonly runId: string) {
    super(
      'NO_WORKER',
      'configuration',
      `Run ${runId} cannot make progress: the database ":memory:" is private to this client and the client has no started worker. ` +
        'Call lifeline.worker().start() before awaiting the result, or use a database file that a worker process (lifeline worker FILE) also opens.',
    );
  }
}

export class InputValidationError extends LifelineError {
  constructor(
    readonly workflow: string,
    readonly which: 'input' | 'output',
    detail: string,
  ) {
    super('VALIDATION', 'validation', `Workflow "${workflow}" ${which} is invalid: ${detail}`);
  }
}

export class StepAfterCompletionError extends LifelineError {
  constructor(
    readonly runId: string,
    readonly stepName: string,
  ) {
    super(
      'STEP_AFTER_COMPLETION',
      'logic',
      `Step "${stepName}" was called on run ${runId} after the workflow function returned; await every step before returning.`,
    );
  }
}

/** The run failed because a step failed for good. */
export class StepFailedError extends LifelineError {
  /** The last failure's kind within its class (e.g. 'quota_exhausted'), when one was recognised. */
  readonly kind: string | undefined;
  /** When the provider said the exhausted quota or limit resets (epoch ms), when it did. */
  readonly resetAt: number | undefined;

  constructor(
    readonly stepId: string,
    errorClass: ErrorClass,
    readonly attempts: number,
    readonly lastMessage: string,
    detail: { kind?: string; resetAt?: number } = {},
  ) {
    super('STEP_FAILED', errorClass, `Step "${stepId}" failed with ${errorClass} error after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${lastMessage}`);
    this.kind = detail.kind;
    this.resetAt = detail.resetAt;
  }
}

export class RunFailedError extends LifelineError {
  constructor(
    readonly runId: string,
    errorClass: ErrorClass,
    message: string,
  ) {
    super('RUN_FAILED', errorClass, `Run ${runId} failed: ${message}`);
  }
}

export class RunCancelledError extends LifelineError {
  constructor(readonly runId: string) {
    super('CANCELLED', 'cancelled', `Run ${runId} was cancelled.`);
  }
}

export class SignalTimeoutError extends LifelineError {
  constructor(
    readonly signalName: string,
    readonly timeoutMs: number,
  ) {
    super('SIGNAL_TIMEOUT', 'timeout', `No signal "${signalName}" arrived within ${timeoutMs} ms.`);
  }
}
