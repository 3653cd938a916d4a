// Compensation (store/compensation.ts) on SQLite: rollback requests, the fenced compensation
// state, and the cancel of a run no worker holds that has steps to compensate. Each method is one
// unit of work inside the caller's (batched) transaction, its events appended in it.
import type Database from 'better-sqlite3';
import { InvalidRunStateError } from '../../errors/store-errors.js';
import { ROLLBACK_REFUSALS, sqlHasStepsToCompensate, type SetCompensationArgs } from '../compensation.js';
import { decide, sqlList, statusesMovedTo, statusesOf } from '../lifecycle.js';
import { errorToText } from '../rows.js';
import type { RunRecord } from '../types.js';
import type { RunStatements } from './run-ops.js';
import type { EventStatements } from './signal-ops.js';
import { CLEAR_LEASE } from './transitions.js';

export class CompensationStatements {
  private readonly hasSteps: Database.Statement;
  private readonly setRequested: Database.Statement;
  private readonly setCancelToCompensate: Database.Statement;
  private readonly setState: Database.Statement;

  constructor(
    db: Database.Database,
    private readonly runs: RunStatements,
    private readonly events: EventStatements,
  ) {
    this.hasSteps = db.prepare(`SELECT ${sqlHasStepsToCompensate('', '?')} AS yes`).pluck();
    this.setRequested = db.prepare(
      `UPDATE runs SET status = 'pending', compensation = 'requested', wake_at = NULL, claims_without_progress = 0, updated_at = ?, ${CLEAR_LEASE}
       WHERE id = ? AND status IN (${sqlList(statusesMovedTo('rollback', 'pending'))})`,
    );
    this.setCancelToCompensate = db.prepare(
      `UPDATE runs SET status = 'pending', cancel_requested = 1, compensation = 'requested', wake_at = NULL, claims_without_progress = 0,
         updated_at = ?, ${CLEAR_LEASE}
       WHERE id = ? AND status IN (${sqlList(statusesOf('cancel_compensating'))})`,
    );
    this.setState = db.prepare(`UPDATE runs SET compensation = @state, error = COALESCE(@error, error), updated_at = @now WHERE id = @runId`);
  }

  request(runId: string, now: number): RunRecord | null {
    const run = this.runs.get(runId);
    if (run === null) return null;
    decide('rollback', runId, run.status);
    if (run.compensation !== undefined) throw new InvalidRunStateError(runId, run.status, 'rollback', ROLLBACK_REFUSALS.again(run.compensation));
    if (this.hasSteps.get(runId) !== 1) throw new InvalidRunStateError(runId, run.status, 'rollback', ROLLBACK_REFUSALS.nothing);
    this.setRequested.run(now, runId);
    this.events.append([{ runId, type: 'run.rollback_requested', data: { from: run.status }, at: now }]);
    return this.runs.require(runId);
  }

  /**
   * Part of requestCancel: a run the cancel would end at once goes to a worker instead when it
   * has steps to compensate. True when it did (the run is then pending with cancelRequested).
   */
  cancelToCompensate(run: RunRecord, now: number): boolean {
    if (decide('cancel_compensating', run.id, run.status) === null || this.hasSteps.get(run.id) !== 1) return false;
    this.setCancelToCompensate.run(now, run.id);
    this.events.append([{ runId: run.id, type: 'run.cancel_requested', at: now }]);
    return true;
  }

  set(args: SetCompensationArgs): void {
    this.runs.fence(args);
    this.setState.run({ runId: args.runId, state: args.state, error: errorToText(args.error), now: args.now });
    this.events.append(args.events);
  }
}
