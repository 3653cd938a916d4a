/** Base of every error Lifeline throws itself. `code` is stable and safe to switch on. */
export class LifelineError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}
