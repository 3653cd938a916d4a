// Recovery decisions (store/recoveries.ts) on PostgreSQL: the fenced decision write and the
// resolution of an escalation, each one transaction that locks the run row first; the list.
// Finishing a run ends its open decisions inside the finish and cancel statements (transitions.ts).
import { InvalidRunStateError, LeaseLostError } from '../../errors/store-errors.js';
import { decide, LEASED, recoveryStatus, sqlList, statusesMovedTo } from '../lifecycle.js';
import {
  escalatedError,
  NOT_ESCALATED,
  NOTHING_TO_SKIP,
  recoveryWhere,
  toRecoveryRecord,
  type EscalationAction,
  type RecoveryFilter,
  type RecoveryRecord,
  type RecoveryRow,
} from '../recoveries.js';
import { errorToText, RUN_MOVED_ON_MESSAGE, toRunRecord, type RunRow } from '../rows.js';
import type { RecoverArgs } from '../store.js';
import type { RunRecord } from '../types.js';
import type { PgExec, Query } from './exec.js';
import { eventArrays, insertEvents } from './step-ops.js';
import { CLEAR_LEASE, endRecoveries, interruptRunningAttempts, wakeParent, type Transitions, sqlLockRun } from './transitions.js';

export class RecoveryOps {
  private readonly sql;

  constructor(
    private readonly db: PgExec,
    s: string,
    private readonly transitions: Transitions,
    private readonly notify: () => void,
  ) {
    const one = `(SELECT $1::text AS run_id) AS one`;
    this.sql = {
      lockFenced: `SELECT * FROM ${s}.runs WHERE id = $1 AND lease_token = $2 AND status = '${LEASED}' FOR UPDATE`,
      lockRun: sqlLockRun(s),
      generation: `SELECT COALESCE(MAX(generation), 1)::int AS g FROM ${s}.recoveries WHERE run_id = $1`,
      deleteFailed: `DELETE FROM ${s}.step_results WHERE run_id = $1 AND status = 'failed'`,
      deleteAll: `DELETE FROM ${s}.step_results WHERE run_id = $1`,
      setRecovering: `UPDATE ${s}.runs SET status = $2, wake_at = $3, error = $4, output = NULL, updated_at = $5, ${CLEAR_LEASE} WHERE id = $1`,
      interrupt: interruptRunningAttempts(s, one, '$1', '$2::bigint', '$3'),
      // reassign: finish_failed, as finishRun does it (attempts, parent, decisions), in this transaction.
      fail: `
        WITH fin AS (
          UPDATE ${s}.runs SET status = 'failed', output = NULL, error = $2, wake_at = NULL, updated_at = $3, ${CLEAR_LEASE}
          WHERE id = $1 RETURNING id AS run_id, parent_run_id, status, $3::bigint AS now
        ), rec AS (${endRecoveries(s, 'fin', 'fin.run_id', 'fin.status', 'fin.now')}
        ), parent AS (${wakeParent(s, 'fin', 'fin.parent_run_id', 'fin.now')})
        SELECT COALESCE((SELECT bool_or(status = 'pending') FROM parent), false) AS woke`,
      takeOver: `INSERT INTO ${s}.runs (id, workflow, status, input, parent_run_id, created_at, updated_at, version)
        VALUES ($1, $2, 'pending', $3, NULL, $4, $4, $5) ON CONFLICT (id) DO NOTHING`,
      supersede: `UPDATE ${s}.recoveries SET outcome = 'superseded', ended_at = $2 WHERE run_id = $1 AND outcome = 'open'`,
      insert: `INSERT INTO ${s}.recoveries (run_id, workflow, strategy, reason, error_class, step_id, generation, taken_over_by, wake_at, decided_at, outcome)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'open') RETURNING *`,
      escalation: `SELECT * FROM ${s}.recoveries WHERE run_id = $1 AND strategy = 'escalate' AND outcome = 'open' AND resolution IS NULL
        ORDER BY id DESC LIMIT 1`,
      setResolution: `UPDATE ${s}.recoveries SET resolution = $2, resolved_at = $3 WHERE id = $1`,
      skipStep: `UPDATE ${s}.step_results SET status = 'completed', output = 'null', error = NULL, completed_at = $3
        WHERE run_id = $1 AND step_id = $2 AND status = 'failed'`,
      setResolved: `UPDATE ${s}.runs SET status = 'pending', error = NULL, wake_at = NULL, claims_without_progress = 0, updated_at = $2
        WHERE id = $1 AND status IN (${sqlList(statusesMovedTo('resolve', 'pending'))})`,
      events: insertEvents(s, 1),
      list: (where: string) => `SELECT * FROM ${s}.recoveries ${where} ORDER BY id LIMIT `,
    };
  }

  async recover(args: RecoverArgs): Promise<RecoveryRecord> {
    let runnable = false;
    const record = await this.db.tx([args.runId], async (q) => {
      const row = (await q<RunRow>('ll_rec_lock_fenced', this.sql.lockFenced, [args.runId, args.token])).rows[0];
      if (row === undefined) throw new LeaseLostError(args.runId);
      const run = toRunRecord(row);
      const prior = (await q<{ g: number }>('ll_rec_generation', this.sql.generation, [args.runId])).rows[0]?.g ?? 1;
      const generation = prior + (args.strategy === 'restart' ? 1 : 0);
      let wakeAt: number | null = null;
      if (args.strategy === 'reassign') {
        const takeOver = args.takeOver;
        if (takeOver === undefined) throw new TypeError('recoverRun: reassign needs takeOver');
        await q('ll_rec_interrupt', this.sql.interrupt, [args.runId, args.now, RUN_MOVED_ON_MESSAGE]);
        await q('ll_rec_fail', this.sql.fail, [args.runId, errorToText(args.error), args.now]);
        await q('ll_rec_take_over', this.sql.takeOver, [takeOver.runId, takeOver.workflow, run.input, args.now, takeOver.version ?? null]);
        runnable = true;
      } else {
        const action = args.strategy === 'resume' ? 'recover_resume' : args.strategy === 'restart' ? 'recover_restart' : 'escalate';
        const status = recoveryStatus(action, run.cancelRequested);
        if (args.strategy === 'resume') await q('ll_rec_delete_failed', this.sql.deleteFailed, [args.runId]);
        if (args.strategy === 'restart') await q('ll_rec_delete_all', this.sql.deleteAll, [args.runId]);
        wakeAt = status === 'sleeping' ? (args.wakeAt ?? args.now) : null;
        const error = args.strategy === 'escalate' ? escalatedError(args.error, args.reason) : args.error;
        await q('ll_rec_set', this.sql.setRecovering, [args.runId, status, wakeAt, errorToText(error), args.now]);
        await q('ll_rec_interrupt', this.sql.interrupt, [args.runId, args.now, RUN_MOVED_ON_MESSAGE]);
        runnable = status === 'pending';
      }
      await q('ll_rec_supersede', this.sql.supersede, [args.runId, args.now]);
      const values = [
        args.runId,
        run.workflow,
        args.strategy,
        args.reason,
        args.error.errorClass,
        args.error.stepId ?? null,
        generation,
        args.takeOver?.runId ?? null,
        args.strategy === 'resume' ? (args.wakeAt ?? null) : wakeAt,
        args.now,
      ];
      const inserted = (await q<RecoveryRow>('ll_rec_insert', this.sql.insert, values)).rows[0];
      if (inserted === undefined) throw new Error('recovery insert returned no row');
      await this.events(q, args.events);
      return toRecoveryRecord(inserted);
    });
    if (runnable) this.notify();
    return record;
  }

  async resolve(args: { runId: string; action: EscalationAction; now: number }): Promise<RunRecord | null> {
    if (args.action === 'cancel') {
      // The decision's resolution, then the cancel (its own transaction, as requestCancel).
      await this.db.tx([args.runId], async (q) => {
        const escalation = await this.openEscalation(q, args);
        if (escalation === null) return;
        await q('ll_rec_resolution', this.sql.setResolution, [escalation.id, args.action, args.now]);
        await this.events(q, [{ runId: args.runId, type: 'run.resolved', data: { action: args.action, stepId: escalation.stepId }, at: args.now }]);
      });
      return this.transitions.requestCancel(args.runId, args.now);
    }
    const run = await this.db.tx([args.runId], async (q) => {
      const escalation = await this.openEscalation(q, args);
      if (escalation === null) return null;
      await q('ll_rec_resolution', this.sql.setResolution, [escalation.id, args.action, args.now]);
      if (args.action === 'retry') await q('ll_rec_delete_failed', this.sql.deleteFailed, [args.runId]);
      else await q('ll_rec_skip', this.sql.skipStep, [args.runId, escalation.stepId, args.now]);
      await q('ll_rec_resolved', this.sql.setResolved, [args.runId, args.now]);
      await this.events(q, [{ runId: args.runId, type: 'run.resolved', data: { action: args.action, stepId: escalation.stepId }, at: args.now }]);
      const row = (await q<RunRow>('ll_rec_lock_run', this.sql.lockRun, [args.runId])).rows[0];
      return row === undefined ? null : toRunRecord(row);
    });
    if (run !== null) this.notify();
    return run;
  }

  async list(filter: RecoveryFilter = {}): Promise<RecoveryRecord[]> {
    const { where, values } = recoveryWhere(filter, (i) => `$${i}`);
    const text = `${this.sql.list(where)}$${values.length + 1}`;
    const name = `ll_rec_list_${['runId', 'workflow', 'since', 'strategy', 'outcome'].map((k) => ((filter as Record<string, unknown>)[k] === undefined ? '' : `_${k}`)).join('')}`;
    const res = await this.db.read<RecoveryRow>(filter.runId, name, text, [...values, filter.limit ?? 1000]);
    return res.rows.map(toRecoveryRecord);
  }

  /** Locks the run; null when it is unknown; refuses a run that is not escalated (lifecycle `resolve`, then an open escalation). */
  private async openEscalation(q: Query, args: { runId: string; action: EscalationAction }): Promise<RecoveryRecord | null> {
    const row = (await q<RunRow>('ll_rec_lock_run', this.sql.lockRun, [args.runId])).rows[0];
    if (row === undefined) return null;
    const run = toRunRecord(row);
    decide('resolve', args.runId, run.status);
    const found = (await q<RecoveryRow>('ll_rec_escalation', this.sql.escalation, [args.runId])).rows[0];
    if (found === undefined) throw new InvalidRunStateError(args.runId, run.status, 'resolve', NOT_ESCALATED);
    const escalation = toRecoveryRecord(found);
    if (args.action === 'skip' && escalation.stepId === null)
      throw new InvalidRunStateError(args.runId, run.status, 'skip the failed step of', NOTHING_TO_SKIP);
    return escalation;
  }

  private async events(q: Query, events: Parameters<typeof eventArrays>[0]): Promise<void> {
    await q('ll_rec_events', this.sql.events, eventArrays(events));
  }
}
