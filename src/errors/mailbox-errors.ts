import { SignalTimeoutError } from './workflow-errors.js';

/**
 * ctx.receive({ timeout }) found the run's mailbox empty (of messages named in `names`, when
 * given) until the timeout passed. A SignalTimeoutError (class `timeout`, code SIGNAL_TIMEOUT),
 * so one catch handles both kinds of wait; recorded as the receive step's failure, so a replay
 * throws it again.
 */
export class ReceiveTimeoutError extends SignalTimeoutError {
  constructor(
    readonly names: readonly string[] | null,
    timeoutMs: number,
  ) {
    super(names === null ? '*' : names.join('|'), timeoutMs);
    const which = names === null ? 'No message' : `No message named ${names.map((n) => JSON.stringify(n)).join(' or ')}`;
    this.message = `${which} arrived in the run's mailbox within ${timeoutMs} ms. Catch ReceiveTimeoutError to go on without one, or use ctx.tryReceive() to read without waiting.`;
  }
}
