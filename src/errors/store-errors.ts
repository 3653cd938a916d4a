import { LifelineError } from './lifeline-error.js';

/** The run was claimed by another worker since this one got its lease (fencing). */
export class LeaseLostError extends LifelineError {
  constructor(readonly runId: string) {
    super('LEASE_LOST', 'interrupted', `Lease on run ${runId} was lost: another worker took the run over, so this worker's write was refused.`);
  }
}

export class StepAlreadyCommittedError extends LifelineError {
  constructor(readonly runId: string, readonly stepId: string) {
    super('STEP_ALREADY_COMMITTED', 'logic', `Step ${stepId} of run ${runId} is already committed; a committed step is never written twice.`);
  }
}

export class RunNotFoundError extends LifelineError {
  constructor(readonly runId: string) {
    super('RUN_NOT_FOUND', 'validation', `No run with id "${runId}" in this database.`);
  }
}

export class InvalidRunStateError extends LifelineError {
  constructor(readonly runId: string, readonly status: string, action: string) {
    super('INVALID_RUN_STATE', 'validation', `Cannot ${action} run ${runId}: it is ${status}.`);
  }
}

/** The database was written by a newer Lifeline; it is left untouched. */
export class SchemaTooNewError extends LifelineError {
  constructor(readonly location: string, readonly found: number, readonly known: number) {
    super(
      'SCHEMA_TOO_NEW', 'configuration',
      `Database ${location} has schema version ${found}, but this Lifeline knows versions up to ${known}. ` +
        `Upgrade Lifeline to open it; the database was not modified.`,
    );
  }
}

/** The file is not a database Lifeline can open (not SQLite, corrupted, or unreadable). */
export class StoreOpenError extends LifelineError {
  constructor(readonly location: string, reason: string, options?: { cause?: unknown }) {
    super('STORE_OPEN_FAILED', 'configuration', `Cannot open Lifeline database ${location}: ${reason}`, options);
  }
}

/**
 * The database could not be reached or dropped the connection; whether the write landed is
 * unknown. The engine retries the write with backoff (fencing makes that safe); stores throw it
 * for connection-level faults only, never for a refused write.
 */
export class StoreUnavailableError extends LifelineError {
  constructor(reason: string, options?: { cause?: unknown }) {
    super('STORE_UNAVAILABLE', 'transient', `The database is unavailable: ${reason}`, options);
  }
}
