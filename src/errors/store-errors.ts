import { LifelineError } from './lifeline-error.js';

/** The run was claimed by another worker since this one got its lease (fencing). */
export class LeaseLostError extends LifelineError {
  constructor(readonly runId: string) {
    super('LEASE_LOST', 'interrupted', `Lease on run ${runId} was lost: another worker took the run over, so this worker's write was refused.`);
  }
}

export class StepAlreadyCommittedError extends LifelineError {
  constructor(
    readonly runId: string,
    readonly stepId: string,
  ) {
    super('STEP_ALREADY_COMMITTED', 'logic', `Step ${stepId} of run ${runId} is already committed; a committed step is never written twice.`);
  }
}

export class RunNotFoundError extends LifelineError {
  constructor(readonly runId: string) {
    super('RUN_NOT_FOUND', 'validation', `No run with id "${runId}" in this database.`);
  }
}

/** An action the run lifecycle (store/lifecycle.ts) refuses for the run's status; `reason` is the spec's. */
export class InvalidRunStateError extends LifelineError {
  constructor(
    readonly runId: string,
    readonly status: string,
    action: string,
    reason?: string,
  ) {
    super('INVALID_RUN_STATE', 'validation', `Cannot ${action} run ${runId}: it is ${status}.${reason === undefined ? '' : ` ${reason}.`}`);
  }
}

/** The database was written by a newer Lifeline; it is left untouched. */
export class SchemaTooNewError extends LifelineError {
  constructor(
    readonly location: string,
    readonly found: number,
    readonly known: number,
  ) {
    super(
      'SCHEMA_TOO_NEW',
      'configuration',
      `Database ${location} has schema version ${found}, but this Lifeline knows versions up to ${known}. ` +
        `Upgrade Lifeline to open it; the database was not modified.`,
    );
  }
}

/**
 * The database (a SQLite file, a PostgreSQL schema) belongs to another application: it holds
 * tables but no Lifeline schema table. It is refused before anything is written to it.
 */
export class ForeignDatabaseError extends LifelineError {
  constructor(
    readonly location: string,
    readonly tables: readonly string[],
  ) {
    const shown =
      tables
        .slice(0, 5)
        .map((t) => `"${t}"`)
        .join(', ') + (tables.length > 5 ? `, and ${tables.length - 5} more` : '');
    super(
      'FOREIGN_DATABASE',
      'configuration',
      `Database ${location} is not a Lifeline database: it holds ${tables.length === 1 ? 'the table' : 'the tables'} ${shown} ` +
        `and no lifeline_schema table. It was left untouched; point --db (or LIFELINE_DB) at a new file or an empty schema.`,
    );
  }
}

/** The file is not a database Lifeline can open (not SQLite, corrupted, or unreadable). */
export class StoreOpenError extends LifelineError {
  constructor(
    readonly location: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
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

/**
 * The database refused a write of a run for good (a constraint, a value it cannot hold): the same
 * write would fail the same way again, so the run fails with the store's message instead.
 */
export class StoreRefusedError extends LifelineError {
  constructor(
    readonly runId: string,
    storeMessage: string,
    options?: { cause?: unknown },
  ) {
    super(
      'STORE_REFUSED',
      'validation',
      `The database refused to record run ${runId}'s progress: ${storeMessage}. The same write would fail again, so the run fails instead of retrying it.`,
      options,
    );
  }
}
