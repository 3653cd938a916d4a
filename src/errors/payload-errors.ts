import { LifelineError } from './lifeline-error.js';

/** A value that cannot be stored as JSON without changing meaning. `path` says where. */
export class SerializationError extends LifelineError {
  constructor(
    readonly what: string,
    readonly path: string,
    reason: string,
  ) {
    super('NOT_SERIALIZABLE', 'validation', `${what} is not JSON-serializable at ${path}: ${reason}`);
  }
}

export class PayloadTooLargeError extends LifelineError {
  constructor(
    readonly what: string,
    readonly bytes: number,
    readonly limitBytes: number,
  ) {
    super('PAYLOAD_TOO_LARGE', 'validation', `${what} is ${bytes} bytes as JSON, over the limit of ${limitBytes} bytes (option maxPayloadBytes).`);
  }
}
