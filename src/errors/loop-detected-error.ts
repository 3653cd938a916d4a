import { LifelineError } from './lifeline-error.js';

/** A loop guard's detection escalated to `fail`. Class `logic`: retrying would loop again. */
export class LoopDetectedError extends LifelineError {
  constructor(
    readonly guard: string,
    readonly kind: string,
    readonly detail: string,
    readonly detections: number,
  ) {
    super('LOOP_DETECTED', 'logic', `Loop guard "${guard}" detected a loop (${kind}: ${detail}); detection ${detections} escalates to fail.`);
  }
}
