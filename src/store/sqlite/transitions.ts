// Status changes of a run after its claim: release, finish, cancel, retry, wake, signal, each as
// the lifecycle spec (../lifecycle.ts) decides; its status sets guard every UPDATE.
// Each method is one unit of work inside the caller's (batched) transaction; events are
// appended in the same transaction so the log never disagrees with the state.
import type Database from 'better-sqlite3';
import { InvalidRunStateError, RunNotFoundError } from '../../errors/store-errors.js';
import { retryRefusal } from '../compensation.js';
import type { FinishArgs, ReleaseArgs, SendSignalArgs } from '../store.js';
import type { RunRecord, SignalRecord } from '../types.js';
import { decide, releaseStatus, SQL_TERMINAL, sqlList, sqlStatusIn, statusesKept, statusesMovedTo } from '../lifecycle.js';
import { errorToText, RUN_MOVED_ON_MESSAGE } from '../rows.js';
import type { RunStatements } from './run-ops.js';
import type { EventStatements, SignalStatements } from './signal-ops.js';
import type { RecoveryStatements } from './recovery-ops.js';
import type { CompensationStatements } from './compensation-ops.js';

export const CLEAR_LEASE = 'lease_owner = NULL, lease_host = NULL, lease_pid = NULL, lease_token = NULL, lease_expires_at = NULL';

export class RunTransitions {
  private readonly setReleased: Database.Statement;
  private readonly setFinished: Database.Statement;
  private readonly wakeWaitingParent: Database.Statement;
  private readonly anyChildTerminal: Database.Statement;
  private readonly setCancelRequested: Database.Statement;
  private readonly setCancelled: Database.Statement;
  private readonly deleteFailedSteps: Database.Statement;
  private readonly setRetried: Database.Statement;
  private readonly setWakeNow: Database.Statement;
  private readonly setUnparked: Database.Statement;
  private readonly setPending: Database.Statement;

  constructor(
    db: Database.Database,
    private readonly runs: RunStatements,
    private readonly signals: SignalStatements,
    private readonly events: EventStatements,
    private readonly recoveries: RecoveryStatements,
    private readonly compensations?: CompensationStatements,
  ) {
    // A give-back to pending (shutdown), a deferral or a wait that holds (status waiting: woken by a
    // signal of another name, the run waits again) does not count the claim against the poison-run limit.
    this.setReleased = db.prepare(
      `UPDATE runs SET status = @status, wake_at = @wakeAt, updated_at = @now, ${CLEAR_LEASE},
         claims_without_progress = CASE WHEN @givenBack = 1 THEN MAX(0, claims_without_progress - 1) ELSE claims_without_progress END
       WHERE id = @runId`,
    );
    this.setFinished = db.prepare(
      `UPDATE runs SET status = @status, output = @output, error = @error, wake_at = NULL, updated_at = @now,
         ${CLEAR_LEASE} WHERE id = @runId`,
    );
    this.wakeWaitingParent = db.prepare(
      `UPDATE runs SET status = 'pending', wake_at = NULL, updated_at = @now WHERE id = @runId AND ${sqlStatusIn('child_finished')}`,
    );
    this.anyChildTerminal = db.prepare(
      `SELECT 1 FROM runs WHERE id IN (SELECT value FROM json_each(?))
         AND status IN ${SQL_TERMINAL} LIMIT 1`,
    );
    this.setCancelRequested = db.prepare(
      `UPDATE runs SET cancel_requested = 1, updated_at = ? WHERE id = ? AND status IN (${sqlList(statusesKept('cancel'))})`,
    );
    this.setCancelled = db.prepare(
      `UPDATE runs SET status = 'cancelled', cancel_requested = 1, wake_at = NULL, updated_at = ?, ${CLEAR_LEASE}
       WHERE id = ? AND status IN (${sqlList(statusesMovedTo('cancel', 'cancelled'))})`,
    );
    this.deleteFailedSteps = db.prepare(`DELETE FROM step_results WHERE run_id = ? AND status = 'failed'`);
    this.setRetried = db.prepare(
      `UPDATE runs SET status = 'pending', error = NULL, output = NULL, wake_at = NULL, cancel_requested = 0,
         updated_at = ?, ${CLEAR_LEASE} WHERE id = ? AND ${sqlStatusIn('retry')}`,
    );
    this.setWakeNow = db.prepare(`UPDATE runs SET wake_at = @now, updated_at = @now WHERE id = @runId AND status IN (${sqlList(statusesKept('wake'))})`);
    this.setUnparked = db.prepare(
      `UPDATE runs SET status = 'pending', error = NULL, claims_without_progress = 0, updated_at = @now
       WHERE id = @runId AND status IN (${sqlList(statusesMovedTo('wake', 'pending'))})`,
    );
    this.setPending = db.prepare(
      `UPDATE runs SET status = 'pending', wake_at = NULL, updated_at = ? WHERE id = ? AND status IN (${sqlList(statusesMovedTo('signal', 'pending'))})`,
    );
  }

  release(args: ReleaseArgs): void {
    this.runs.fence(args);
    // Lost-wakeup checks: a cancel requested, or the signal or child arrived, while the run was
    // running, when nothing could act on it. Suspending would then wait forever (or until a
    // timeout); the spec makes it runnable now (the next claim ends a cancelled run at once).
    const cancelRequested = this.runs.get(args.runId)?.cancelRequested === true;
    const due = cancelRequested || (args.status === 'waiting' && args.wakeOn !== undefined && this.wakeAlreadyDue(args.runId, args.wakeOn));
    const status = releaseStatus(args.status, due);
    const wakeAt = status === 'pending' ? null : args.wakeAt;
    this.setReleased.run({
      runId: args.runId,
      status,
      wakeAt,
      now: args.now,
      givenBack: args.status === 'pending' || args.deferred === true || status === 'waiting' ? 1 : 0,
    });
    this.runs.interruptRunning(args.runId, args.now, RUN_MOVED_ON_MESSAGE);
    this.events.append(args.events);
  }

  finish(args: FinishArgs): void {
    const { parentRunId } = this.runs.fence(args);
    this.setFinished.run({
      runId: args.runId,
      status: args.status,
      output: args.output ?? null,
      error: errorToText(args.error),
      now: args.now,
    });
    this.runs.interruptRunning(args.runId, args.now, RUN_MOVED_ON_MESSAGE);
    this.recoveries.end(args.runId, args.status, args.now);
    if (parentRunId !== null) this.wakeWaitingParent.run({ runId: parentRunId, now: args.now });
    this.events.append(args.events);
  }

  requestCancel(runId: string, now: number): RunRecord | null {
    const run = this.runs.get(runId);
    const to = run === null ? null : decide('cancel', runId, run.status);
    if (run === null || to === null) return run;
    if (to === run.status) {
      // The worker owns the run; it sees the flag on its next heartbeat and ends the run itself.
      if (!run.cancelRequested) {
        this.setCancelRequested.run(now, runId);
        this.events.append([{ runId, type: 'run.cancel_requested', at: now }]);
      }
    } else if (this.compensations?.cancelToCompensate(run, now) !== true) {
      this.setCancelled.run(now, runId);
      this.recoveries.end(runId, 'cancelled', now);
      if (run.parentRunId !== null) this.wakeWaitingParent.run({ runId: run.parentRunId, now });
      this.events.append([{ runId, type: 'run.cancelled', data: { from: run.status }, at: now }]);
    }
    return this.runs.require(runId);
  }

  retry(runId: string, now: number): RunRecord | null {
    const run = this.runs.get(runId);
    if (run === null) return null;
    decide('retry', runId, run.status);
    const compensated = retryRefusal(run);
    if (compensated !== null) throw new InvalidRunStateError(runId, run.status, 'retry', compensated);
    const removed = this.deleteFailedSteps.run(runId).changes;
    this.setRetried.run(now, runId);
    this.events.append([{ runId, type: 'run.retried', data: { removedFailedSteps: removed }, at: now }]);
    return this.runs.require(runId);
  }

  wake(runId: string, now: number): RunRecord | null {
    const run = this.runs.get(runId);
    const to = run === null ? null : decide('wake', runId, run.status);
    if (run === null || to === null) return run;
    if (to !== run.status) {
      this.setUnparked.run({ runId, now });
      this.events.append([{ runId, type: 'run.resumed', data: { from: run.status }, at: now }]);
      return this.runs.require(runId);
    }
    this.setWakeNow.run({ runId, now });
    this.events.append([{ runId, type: 'run.woken', data: { from: run.status }, at: now }]);
    return this.runs.require(runId);
  }

  sendSignal(args: SendSignalArgs): SignalRecord {
    // A message already sent (a replay, a resumed sender) is found by its id, whatever the run's status now.
    const sent = args.message === undefined ? null : this.signals.message(args.message.id);
    if (sent !== null) return sent;
    const run = this.runs.get(args.runId);
    if (run === null) throw new RunNotFoundError(args.runId);
    const to = decide('signal', args.runId, run.status);
    const signal = this.signals.add(args.runId, args.name, args.payload, args.now, args.message);
    if (to !== run.status) this.setPending.run(args.now, args.runId);
    const data = { name: args.name, signalId: signal.id, ...(args.message ? { from: args.message.senderRunId } : {}) };
    this.events.append([{ runId: args.runId, type: 'run.signalled', data, at: args.now }]);
    return signal;
  }

  private wakeAlreadyDue(runId: string, wakeOn: NonNullable<ReleaseArgs['wakeOn']>): boolean {
    if (this.signals.hasUnconsumed(runId, wakeOn.anySignal === true ? null : (wakeOn.signalNames ?? []))) return true;
    const children = wakeOn.childRunIds ?? [];
    return children.length > 0 && this.anyChildTerminal.get(JSON.stringify(children)) !== undefined;
  }
}
