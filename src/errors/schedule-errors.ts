import { LifelineError } from './lifeline-error.js';

/** A schedule id (`<workflow>:<name>`) that no worker has stored (pause, resume). */
export class ScheduleNotFoundError extends LifelineError {
  constructor(readonly scheduleId: string) {
    super(
      'SCHEDULE_NOT_FOUND',
      'validation',
      `No schedule with id "${scheduleId}" in this database (ids are "<workflow>:<name>"; see \`lifeline schedules\`).`,
    );
  }
}

/**
 * A schedule created at runtime cannot take the id of a schedule declared in a workflow's
 * `schedules`, and unschedule cannot delete one (the next worker to load the workflow would store
 * it again).
 */
export class ScheduleSourceError extends LifelineError {
  constructor(
    readonly scheduleId: string,
    readonly action: 'schedule' | 'unschedule',
  ) {
    super(
      'SCHEDULE_IN_CODE',
      'validation',
      action === 'schedule'
        ? `Cannot create schedule "${scheduleId}": a workflow declares a schedule with that id in code. Choose another id.`
        : `Cannot remove schedule "${scheduleId}": it is declared in its workflow's \`schedules\` and workers store it again. Remove it from the code, or pause it (\`lifeline schedules pause ${scheduleId}\`).`,
    );
  }
}
