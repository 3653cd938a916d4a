import { LifelineError } from './lifeline-error.js';

const label = (version: number | null) => (version === null ? 'no version' : `version ${version}`);

/**
 * A run is pinned to a workflow version this code does not load (issue 12 §4): no worker of this
 * code would ever claim it. Configuration: load that version next to the new one.
 */
export class WorkflowVersionNotLoadedError extends LifelineError {
  constructor(
    readonly runId: string,
    readonly workflow: string,
    readonly version: number | null,
    readonly loaded: ReadonlyArray<number | null>,
  ) {
    super(
      'WORKFLOW_VERSION_NOT_LOADED',
      'configuration',
      `Run ${runId} was started with ${label(version)} of workflow "${workflow}", which this code does not load ` +
        `(it loads ${loaded.map(label).join(', ')}): keep the definition that started it loaded next to the new one ` +
        '(docs/time-travel.md#workflow-versions).',
    );
  }
}
