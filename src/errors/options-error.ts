import { LifelineError } from './lifeline-error.js';

/** An option failed validation. The message names the option path and the bound. */
export class InvalidOptionsError extends LifelineError {
  constructor(message: string) {
    super('INVALID_OPTIONS', 'configuration', message);
  }
}
