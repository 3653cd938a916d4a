import { LifelineError } from './lifeline-error.js';

/**
 * A message between runs (ctx.send) that cannot be delivered: no run has that id, or the run has
 * finished (completed, failed or cancelled: it reads no more messages). Decided when the message
 * is first stored and recorded as the send step's failure, so a replay fails the same way.
 */
export class MessageUndeliverableError extends LifelineError {
  constructor(
    readonly targetRunId: string,
    readonly messageName: string,
    readonly reason: string,
  ) {
    super('MESSAGE_UNDELIVERABLE', 'logic', `Message "${messageName}" cannot be delivered to run "${targetRunId}": ${reason}.`);
  }
}
