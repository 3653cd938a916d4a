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
