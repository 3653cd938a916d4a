// Compensation (store/compensation.ts) on PostgreSQL: rollback requests, the fenced compensation
// state, and the cancel of a run no worker holds that has steps to compensate. Each runs in one
// transaction with the run's row locked first, as the other status changes (transitions.ts).
import { InvalidRunStateError, LeaseLostError } from '../../errors/store-errors.js';
import { ROLLBACK_REFUSALS, sqlHasStepsToCompensate, type SetCompensationArgs } from '../compensation.js';
import { decide, LEASED, sqlList, statusesMovedTo, statusesOf } from '../lifecycle.js';
import { errorToText, toRunRecord, type RunRow } from '../rows.js';
import type { RunRecord } from '../types.js';
import type { PgExec, Query } from './exec.js';
import { eventArrays, insertEvents } from './step-ops.js';
import { CLEAR_LEASE, sqlLockRun } from './transitions.js';

export class CompensationOps {
  private readonly sql: Record<'lockRun' | 'hasSteps' | 'request' | 'cancelToCompensate' | 'set' | 'events', string>;

  constructor(
    private readonly db: PgExec,
    s: string,
    private readonly notify: () => void,
  ) {
    this.sql = {
      lockRun: sqlLockRun(s),
      hasSteps: `SELECT ${sqlHasStepsToCompensate(`${s}.`, '$1')} AS yes`,
      request: `UPDATE ${s}.runs SET status = 'pending', compensation = 'requested', wake_at = NULL, claims_without_progress = 0, updated_at = $2,
          ${CLEAR_LEASE}
        WHERE id = $1 AND status IN (${sqlList(statusesMovedTo('rollback', 'pending'))})`,
      cancelToCompensate: `UPDATE ${s}.runs SET status = 'pending', cancel_requested = 1, compensation = 'requested', wake_at = NULL,
          claims_without_progress = 0, updated_at = $2, ${CLEAR_LEASE}
        WHERE id = $1 AND status IN (${sqlList(statusesOf('cancel_compensating'))})`,
      set: `UPDATE ${s}.runs SET compensation = $3, error = COALESCE($4, error), updated_at = $5
        WHERE id = $1 AND lease_token = $2 AND status = '${LEASED}' RETURNING id`,
      events: insertEvents(s, 1),
    };
  }

  async request(runId: string, now: number): Promise<RunRecord | null> {
    const run = await this.db.tx([runId], async (q) => {
      const run = await this.lockRun(q, runId);
      if (run === null) return null;
      decide('rollback', runId, run.status);
      if (run.compensation !== undefined) throw new InvalidRunStateError(runId, run.status, 'rollback', ROLLBACK_REFUSALS.again(run.compensation));
      if (!(await this.hasSteps(q, runId))) throw new InvalidRunStateError(runId, run.status, 'rollback', ROLLBACK_REFUSALS.nothing);
      await q('ll_comp_request', this.sql.request, [runId, now]);
      await q('ll_comp_events', this.sql.events, eventArrays([{ runId, type: 'run.rollback_requested', data: { from: run.status }, at: now }]));
      return this.lockRun(q, runId);
    });
    if (run !== null) this.notify();
    return run;
  }

  /**
   * Part of requestCancel, inside its transaction (the run's row locked): a run the cancel would
   * end at once goes to a worker instead when it has steps to compensate. True when it did.
   */
  async cancelToCompensate(q: Query, run: RunRecord, now: number): Promise<boolean> {
    if (decide('cancel_compensating', run.id, run.status) === null || !(await this.hasSteps(q, run.id))) return false;
    await q('ll_comp_cancel', this.sql.cancelToCompensate, [run.id, now]);
    await q('ll_comp_events', this.sql.events, eventArrays([{ runId: run.id, type: 'run.cancel_requested', at: now }]));
    this.notify();
    return true;
  }

  async set(args: SetCompensationArgs): Promise<void> {
    await this.db.tx([args.runId], async (q) => {
      const res = await q('ll_comp_set', this.sql.set, [args.runId, args.token, args.state, errorToText(args.error), args.now]);
      if (res.rowCount === 0) throw new LeaseLostError(args.runId);
      if ((args.events?.length ?? 0) > 0) await q('ll_comp_events', this.sql.events, eventArrays(args.events));
    });
  }

  private async hasSteps(q: Query, runId: string): Promise<boolean> {
    return (await q<{ yes: boolean }>('ll_comp_has', this.sql.hasSteps, [runId])).rows[0]?.yes === true;
  }

  private async lockRun(q: Query, runId: string): Promise<RunRecord | null> {
    const row = (await q<RunRow>('ll_comp_lock', this.sql.lockRun, [runId])).rows[0];
    return row === undefined ? null : toRunRecord(row);
  }
}
