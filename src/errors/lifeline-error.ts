import type { ErrorClass } from './error-class.js';

/** Every code a Lifeline error can carry. Stable: safe to switch on and to store. */
export type LifelineErrorCode =
  | 'CLASSIFIED'
  | 'INTERRUPTED'
  | 'INVALID_OPTIONS'
  | 'NOT_SERIALIZABLE'
  | 'PAYLOAD_TOO_LARGE'
  | 'LEASE_LOST'
  | 'STEP_ALREADY_COMMITTED'
  | 'RUN_NOT_FOUND'
  | 'INVALID_RUN_STATE'
  | 'SCHEMA_TOO_NEW'
  | 'STORE_OPEN_FAILED'
  | 'STORE_UNAVAILABLE'
  | 'STORE_CLOSED'
  | 'INVALID_STORE_URL'
  | 'INVALID_SCHEMA_NAME'
  | 'SIGNAL_ALREADY_CONSUMED'
  | 'STEP_TIMEOUT'
  | 'DUPLICATE_WORKFLOW'
  | 'WORKFLOW_NOT_FOUND'
  | 'WORKFLOW_VERSION_NOT_LOADED'
  | 'NON_DETERMINISM'
  | 'VALIDATION'
  | 'STEP_AFTER_COMPLETION'
  | 'STEP_FAILED'
  | 'RUN_FAILED'
  | 'CANCELLED'
  | 'SIGNAL_TIMEOUT'
  | 'FOREIGN_DATABASE'
  | 'STORE_REFUSED'
  | 'STORE_DRIVER_MISSING'
  | 'NO_WORKER'
  | 'POLICY_TIMEOUT'
  | 'BROKEN_CIRCUIT'
  | 'BULKHEAD_REJECTED'
  | 'BUDGET_EXCEEDED'
  | 'UNPRICED_MODEL'
  | 'LEDGER_ENTRY_REFUSED'
  | 'AGENT_PROCESS_FAILED'
  | 'LOOP_DETECTED'
  | 'GATE_FAILED'
  | 'RETRY_BUDGET_EXHAUSTED'
  | 'STRUCTURED_OUTPUT'
  | 'MESSAGE_UNDELIVERABLE'
  | 'SCHEDULE_IN_CODE'
  | 'SCHEDULE_NOT_FOUND'
  | 'REWIND_TARGET_NOT_FOUND'
  | 'COMPENSATION_FAILED';

/**
 * Marks Lifeline errors across copies of the package: `Symbol.for` is shared by every module
 * instance in the process, so an error thrown by one copy (a duplicated node_modules, the
 * CLI's copy vs the app's) is still recognised by another.
 */
const BRAND: unique symbol = Symbol.for('lifeline.error') as never;

/** True for an error thrown by any copy of Lifeline. */
export function isLifelineError(value: unknown): value is LifelineError {
  if (value === null || typeof value !== 'object') return false;
  try {
    return (value as { [BRAND]?: unknown })[BRAND] === true;
  } catch {
    return false;
  }
}

/**
 * Base of every error Lifeline throws itself. `code` is stable and safe to switch on;
 * `errorClass` says how the failure is treated (retried or not), so the classifier reads
 * it from the error instead of keeping its own table of Lifeline errors.
 */
export class LifelineError extends Error {
  readonly code: LifelineErrorCode;
  readonly errorClass: ErrorClass;
  declare readonly [BRAND]: true;

  constructor(code: LifelineErrorCode, errorClass: ErrorClass, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.errorClass = errorClass;
    this.name = new.target.name;
  }

  /**
   * `instanceof` that also holds for errors from another copy of the package: the value is
   * branded and its prototype chain has a class of the same name (e.g. `StepFailedError`).
   */
  static override [Symbol.hasInstance]<T>(this: abstract new (...args: never[]) => T, value: unknown): value is T {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    if (!isLifelineError(value)) return false;
    for (let proto: unknown = Object.getPrototypeOf(value); proto !== null && proto !== undefined; proto = Object.getPrototypeOf(proto)) {
      const ctor = (proto as { constructor?: unknown }).constructor;
      if (typeof ctor === 'function' && ctor.name === this.name) return true;
    }
    return false;
  }
}

Object.defineProperty(LifelineError.prototype, BRAND, { value: true, enumerable: false, writable: false });
