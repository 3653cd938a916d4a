// Status changes after a claim: release, finish, cancel, retry, wake, signal, each as the lifecycle
// spec (../lifecycle.ts) decides; its status sets guard every UPDATE. Events are written in the
// same transaction so the log never disagrees with the state.
//
// Lost wake-ups: releasing to `waiting` checks for an already-sent signal or finished child, and
// sending a signal or finishing a child wakes a waiting run. Under READ COMMITTED one statement
// cannot both wait for a row lock and see what the lock holder committed (its snapshot is older),
// so the checks that decide run after a separate locking statement: releaseRun and sendSignal
// lock the run row first, then read with a fresh snapshot. A finishing child updates its parent
// row unconditionally (CASE keeps a non-waiting parent as it is), which takes the parent's lock:
// a concurrent release of the parent either waits for that commit or is waited for.
import { InvalidRunStateError, LeaseLostError, RunNotFoundError } from '../../errors/store-errors.js';
import { retryRefusal } from '../compensation.js';
import type { FinishArgs, ReleaseArgs, SendSignalArgs } from '../store.js';
import type { RunRecord, SignalRecord } from '../types.js';
import { decide, LEASED, RELEASE_ALREADY_DUE, SQL_TERMINAL, sqlList, sqlStatusIn, statusesKept, statusesMovedTo } from '../lifecycle.js';
import { errorToText, RUN_MOVED_ON_MESSAGE, toRunRecord, toSignalRecord, type RunRow, type SignalRow } from '../rows.js';
import { BATCHING, StatementBatcher } from './batcher.js';
import { eventJson, insertBatchedEvents, type EventJson } from './commit-batch.js';
import type { PgExec, Query } from './exec.js';
import { eventArrays, insertEvents, runIdsOf } from './step-ops.js';
import { sqlOutcomeOnFinish } from '../recoveries.js';
import type { CompensationOps } from './compensation-ops.js';

export const CLEAR_LEASE = 'lease_owner = NULL, lease_host = NULL, lease_pid = NULL, lease_token = NULL, lease_expires_at = NULL';

/** Releases that go elsewhere when their wake-up already happened (see RELEASE_ALREADY_DUE). */
const RELEASED_EARLY = sqlList(RELEASE_ALREADY_DUE.requested);

/** Wakes the parent `$parentExpr` if it is waiting; updates it regardless, to take its row lock. */
const WAKES_PARENT = sqlStatusIn('child_finished', 'p.status');
export const wakeParent = (s: string, from: string, parentExpr: string, now: string) => `
  UPDATE ${s}.runs AS p SET
    status = CASE WHEN ${WAKES_PARENT} THEN 'pending' ELSE p.status END,
    wake_at = CASE WHEN ${WAKES_PARENT} THEN NULL ELSE p.wake_at END,
    updated_at = CASE WHEN ${WAKES_PARENT} THEN ${now} ELSE p.updated_at END
  FROM ${from} WHERE p.id = ${parentExpr}
  RETURNING p.status`;

/** Ends the open recovery decisions of the runs `from` ended (and of the runs they took over from). */
export const endRecoveries = (s: string, from: string, runIdExpr: string, statusExpr: string, now: string) => `
  UPDATE ${s}.recoveries AS rc SET outcome = ${sqlOutcomeOnFinish(statusExpr)}, ended_at = ${now}
  FROM ${from} WHERE (rc.run_id = ${runIdExpr} OR rc.taken_over_by = ${runIdExpr}) AND rc.outcome = 'open'`;

/** Ends the attempts still marked running of the runs `from` changed (finished or released). */
export const interruptRunningAttempts = (s: string, from: string, runIdExpr: string, now: string, message: string) => `
  UPDATE ${s}.attempts AS a SET outcome = 'interrupted', ended_at = ${now}, duration_ms = GREATEST(0, ${now} - a.started_at),
    error_class = 'interrupted', error_message = ${message}::text
  FROM ${from} WHERE a.run_id = ${runIdExpr} AND a.outcome = 'running'`;

export class Transitions {
  private readonly sql;
  private readonly finishes: StatementBatcher<FinishArgs, boolean>;

  constructor(
    private readonly db: PgExec,
    s: string,
    private readonly notify: () => void,
    private readonly compensations?: CompensationOps,
  ) {
    this.finishes = new StatementBatcher((calls) => this.finishMany(calls), { ...BATCHING, keyOf: (c) => c.runId });
    this.sql = {
      lockFenced: `SELECT id FROM ${s}.runs WHERE id = $1 AND lease_token = $2 AND status = '${LEASED}' FOR UPDATE`,
      lockRun: sqlLockRun(s),
      release: `
        WITH due AS (
          SELECT ($2 = 'waiting' AND (
            EXISTS (SELECT 1 FROM ${s}.signals WHERE run_id = $1 AND consumed_by_step IS NULL AND (name = ANY($5::text[]) OR $13::boolean))
            OR EXISTS (SELECT 1 FROM ${s}.runs WHERE id = ANY($6::text[]) AND status IN ${SQL_TERMINAL})
          )) OR ($2 IN (${RELEASED_EARLY}) AND EXISTS (SELECT 1 FROM ${s}.runs WHERE id = $1 AND cancel_requested = 1)) AS now_due
        ), upd AS (
          UPDATE ${s}.runs SET status = CASE WHEN due.now_due THEN '${RELEASE_ALREADY_DUE.to}' ELSE $2 END,
            wake_at = CASE WHEN due.now_due OR $2 = 'pending' THEN NULL ELSE $3::bigint END, updated_at = $4, ${CLEAR_LEASE},
            -- A give-back to pending (shutdown), a deferral or a wait that holds (woken by a signal of
            -- another name, the run waits again) does not count the claim against the poison-run limit.
            claims_without_progress = CASE WHEN $2 = 'pending' OR $12::boolean OR ($2 = 'waiting' AND NOT due.now_due) THEN GREATEST(0, claims_without_progress - 1)
              ELSE claims_without_progress END
          FROM due WHERE id = $1 RETURNING status
        ), att AS (${interruptRunningAttempts(s, 'upd', '$1', '$4::bigint', '$11')}
        ), ev AS (${insertEvents(s, 7)})
        SELECT status FROM upd`,
      // Batched (see batcher.ts). A parent finished by this same statement is not woken: it
      // was running, and one statement must not change a row twice.
      finish: `
        WITH i AS (
          SELECT * FROM json_to_recordset($1::json)
            AS u (op int, run_id text, token text, status text, output text, error text, now bigint)
        ), fin AS (
          UPDATE ${s}.runs AS r SET status = i.status, output = i.output, error = i.error, wake_at = NULL, updated_at = i.now,
            ${CLEAR_LEASE}
          FROM i WHERE r.id = i.run_id AND r.lease_token = i.token AND r.status = '${LEASED}'
          RETURNING i.op, r.id AS run_id, r.parent_run_id, i.now, r.status
        ), att AS (${interruptRunningAttempts(s, 'fin', 'fin.run_id', 'fin.now', '$3')}
        ), rec AS (${endRecoveries(s, 'fin', 'fin.run_id', 'fin.status', 'fin.now')}
        ), parent AS (${wakeParent(s, 'fin', 'fin.parent_run_id AND p.id NOT IN (SELECT run_id FROM fin)', 'fin.now')}
        ), ev AS (${insertBatchedEvents(s, 'fin')})
        SELECT i.op, EXISTS (SELECT 1 FROM fin WHERE fin.op = i.op) AS finished,
          COALESCE((SELECT bool_or(status = 'pending') FROM parent), false) AS woke
        FROM i ORDER BY i.op`,
      setCancelRequested: `UPDATE ${s}.runs SET cancel_requested = 1, updated_at = $2 WHERE id = $1 AND status IN (${sqlList(statusesKept('cancel'))})`,
      cancel: `
        WITH c AS (
          UPDATE ${s}.runs SET status = 'cancelled', cancel_requested = 1, wake_at = NULL, updated_at = $2, ${CLEAR_LEASE}
          WHERE id = $1 AND status IN (${sqlList(statusesMovedTo('cancel', 'cancelled'))}) RETURNING id, parent_run_id
        ), rec AS (${endRecoveries(s, 'c', 'c.id', `'cancelled'`, '$2::bigint')}
        ), parent AS (${wakeParent(s, 'c', 'c.parent_run_id', '$2')})
        SELECT (SELECT status FROM parent) AS parent_status`,
      retry: `
        WITH del AS (DELETE FROM ${s}.step_results WHERE run_id = $1 AND status = 'failed' RETURNING 1)
        UPDATE ${s}.runs SET status = 'pending', error = NULL, output = NULL, wake_at = NULL, cancel_requested = 0,
          updated_at = $2, ${CLEAR_LEASE}
        WHERE id = $1 AND ${sqlStatusIn('retry')} RETURNING (SELECT count(*) FROM del) AS removed`,
      wake: `UPDATE ${s}.runs SET wake_at = $2, updated_at = $2 WHERE id = $1 AND status IN (${sqlList(statusesKept('wake'))})`,
      unpark: `UPDATE ${s}.runs SET status = 'pending', error = NULL, claims_without_progress = 0, updated_at = $2
        WHERE id = $1 AND status IN (${sqlList(statusesMovedTo('wake', 'pending'))})`,
      addSignal: `INSERT INTO ${s}.signals (run_id, name, payload, created_at, sender_run_id, message_id) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
      messageById: `SELECT * FROM ${s}.signals WHERE message_id = $1`,
      setPending: `UPDATE ${s}.runs SET status = 'pending', wake_at = NULL, updated_at = $2
        WHERE id = $1 AND status IN (${sqlList(statusesMovedTo('signal', 'pending'))})`,
      events: insertEvents(s, 1),
    };
  }

  async release(args: ReleaseArgs): Promise<void> {
    const status = await this.db.tx([args.runId], async (q) => {
      if ((await q('ll_lock_fenced', this.sql.lockFenced, [args.runId, args.token])).rowCount === 0) {
        throw new LeaseLostError(args.runId);
      }
      const wakeOn = args.status === 'waiting' ? args.wakeOn : undefined;
      const values = [
        args.runId,
        args.status,
        args.wakeAt,
        args.now,
        wakeOn?.signalNames ?? [],
        wakeOn?.childRunIds ?? [],
        ...eventArrays(args.events),
        RUN_MOVED_ON_MESSAGE,
        args.deferred === true,
        wakeOn?.anySignal === true,
      ];
      return (await q<{ status: string }>('ll_release', this.sql.release, values)).rows[0]?.status;
    });
    if (status === 'pending') this.notify();
  }

  private async finishMany(calls: FinishArgs[]): Promise<boolean[]> {
    const events: EventJson[] = [];
    const rows = calls.map((c, op) => {
      for (const e of c.events ?? []) events.push(eventJson(events.length, op, e));
      return { op, run_id: c.runId, token: c.token, status: c.status, output: c.output ?? null, error: errorToText(c.error), now: c.now };
    });
    const values = [JSON.stringify(rows), JSON.stringify(events), RUN_MOVED_ON_MESSAGE];
    const res = await this.db.query<{ finished: boolean; woke: boolean }>('durable', 'll_runs_finish', this.sql.finish, values);
    if (res.rows.some((r) => r.woke)) this.notify();
    return res.rows.map((r) => r.finished);
  }

  async finish(args: FinishArgs): Promise<void> {
    const finished = await this.db.track(runIdsOf(args.runId, args.events), this.finishes.add(args));
    if (!finished) throw new LeaseLostError(args.runId);
  }

  async requestCancel(runId: string, now: number): Promise<RunRecord | null> {
    let woke = false;
    const run = await this.db.tx([runId], async (q) => {
      const run = await this.lockRun(q, runId);
      const to = run === null ? null : decide('cancel', runId, run.status);
      if (run === null || to === null) return run;
      if (to === run.status) {
        // The worker owns the run; it sees the flag on its next heartbeat and ends the run itself.
        if (!run.cancelRequested) {
          await q('ll_cancel_flag', this.sql.setCancelRequested, [runId, now]);
          await this.events(q, [{ runId, type: 'run.cancel_requested', at: now }]);
        }
      } else if (!(await this.compensations?.cancelToCompensate(q, run, now))) {
        const res = await q<{ parent_status: string | null }>('ll_cancel', this.sql.cancel, [runId, now]);
        woke = res.rows[0]?.parent_status === 'pending';
        await this.events(q, [{ runId, type: 'run.cancelled', data: { from: run.status }, at: now }]);
      }
      return this.lockRun(q, runId);
    });
    if (woke) this.notify();
    return run;
  }

  async retry(runId: string, now: number): Promise<RunRecord | null> {
    const run = await this.db.tx([runId], async (q) => {
      const run = await this.lockRun(q, runId);
      if (run === null) return null;
      decide('retry', runId, run.status);
      const compensated = retryRefusal(run);
      if (compensated !== null) throw new InvalidRunStateError(runId, run.status, 'retry', compensated);
      const removed = (await q<{ removed: number }>('ll_retry', this.sql.retry, [runId, now])).rows[0]?.removed ?? 0;
      await this.events(q, [{ runId, type: 'run.retried', data: { removedFailedSteps: removed }, at: now }]);
      return this.lockRun(q, runId);
    });
    if (run !== null) this.notify();
    return run;
  }

  async wake(runId: string, now: number): Promise<RunRecord | null> {
    let woken = false;
    const run = await this.db.tx([runId], async (q) => {
      const run = await this.lockRun(q, runId);
      const to = run === null ? null : decide('wake', runId, run.status);
      if (run === null || to === null) return run;
      const parked = to !== run.status; // resumed: pending again
      await q(parked ? 'll_unpark' : 'll_wake', parked ? this.sql.unpark : this.sql.wake, [runId, now]);
      await this.events(q, [{ runId, type: parked ? 'run.resumed' : 'run.woken', data: { from: run.status }, at: now }]);
      woken = true;
      return this.lockRun(q, runId);
    });
    if (woken) this.notify();
    return run;
  }

  async sendSignal(args: SendSignalArgs): Promise<SignalRecord> {
    let woke = false;
    const signal = await this.db.tx([args.runId], async (q) => {
      const run = await this.lockRun(q, args.runId);
      if (run === null) throw new RunNotFoundError(args.runId);
      // A message already sent (a replay, a resumed sender) is returned as it is, whatever the run's
      // status now. Read after the run's lock: a concurrent send of the same message committed first.
      if (args.message !== undefined) {
        const sent = (await q<SignalRow>('ll_signal_message', this.sql.messageById, [args.message.id])).rows[0];
        if (sent !== undefined) return toSignalRecord(sent);
      }
      const to = decide('signal', args.runId, run.status);
      const values = [args.runId, args.name, args.payload, args.now, args.message?.senderRunId ?? null, args.message?.id ?? null];
      const row = (await q<SignalRow>('ll_signal_add', this.sql.addSignal, values)).rows[0];
      if (row === undefined) throw new Error('signal insert returned no row');
      const signal = toSignalRecord(row);
      if (to !== run.status) {
        await q('ll_set_pending', this.sql.setPending, [args.runId, args.now]);
        woke = true;
      }
      const data = { name: args.name, signalId: signal.id, ...(args.message ? { from: args.message.senderRunId } : {}) };
      await this.events(q, [{ runId: args.runId, type: 'run.signalled', data, at: args.now }]);
      return signal;
    });
    if (woke) this.notify();
    return signal;
  }

  /** Reads the run and locks its row until the transaction ends (the newest committed version). */
  private async lockRun(q: Query, runId: string): Promise<RunRecord | null> {
    const row = (await q<RunRow>('ll_lock_run', this.sql.lockRun, [runId])).rows[0];
    return row === undefined ? null : toRunRecord(row);
  }

  private async events(q: Query, events: Parameters<typeof eventArrays>[0]): Promise<void> {
    await q('ll_events_tx', this.sql.events, eventArrays(events));
  }
}

/** Locks run $1's row for the rest of the transaction (every action that reads the run, decides, then writes it). */
export function sqlLockRun(s: string): string {
  return `SELECT * FROM ${s}.runs WHERE id = $1 FOR UPDATE`;
}
