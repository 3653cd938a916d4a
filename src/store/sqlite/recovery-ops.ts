// Recovery decisions (store/recoveries.ts): the fenced decision write, the resolution of an
// escalation, the list, and the ending of open decisions when their run finishes. Each method is
// one unit of work inside the caller's (batched) transaction, events appended in it.
import type Database from 'better-sqlite3';
import { InvalidRunStateError } from '../../errors/store-errors.js';
import { decide, recoveryStatus, sqlList, statusesMovedTo } from '../lifecycle.js';
import {
  escalatedError,
  NOT_ESCALATED,
  NOTHING_TO_SKIP,
  outcomeOnFinish,
  recoveryWhere,
  toRecoveryRecord,
  type EscalationAction,
  type RecoveryFilter,
  type RecoveryRecord,
  type RecoveryRow,
} from '../recoveries.js';
import { errorToText, RUN_MOVED_ON_MESSAGE } from '../rows.js';
import type { RecoverArgs } from '../store.js';
import type { RunRecord, RunStatus } from '../types.js';
import type { RunStatements } from './run-ops.js';
import type { EventStatements } from './signal-ops.js';
import { CLEAR_LEASE, type RunTransitions } from './transitions.js';

/** The rows of the recoveries table; `end` is what finishing a run calls. */
export class RecoveryStatements {
  private readonly insert: Database.Statement;
  private readonly byId: Database.Statement;
  private readonly maxGeneration: Database.Statement;
  private readonly supersede: Database.Statement;
  private readonly endOpen: Database.Statement;
  private readonly openEscalation: Database.Statement;
  private readonly setResolution: Database.Statement;
  private readonly listCache = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {
    this.insert = db.prepare(
      `INSERT INTO recoveries (run_id, workflow, strategy, reason, error_class, step_id, generation, taken_over_by, wake_at, decided_at, outcome)
       VALUES (@runId, @workflow, @strategy, @reason, @errorClass, @stepId, @generation, @takenOverBy, @wakeAt, @now, 'open') RETURNING id`,
    );
    this.byId = db.prepare('SELECT * FROM recoveries WHERE id = ?');
    this.maxGeneration = db.prepare('SELECT COALESCE(MAX(generation), 1) AS g FROM recoveries WHERE run_id = ?').pluck();
    this.supersede = db.prepare(`UPDATE recoveries SET outcome = 'superseded', ended_at = @now WHERE run_id = @runId AND outcome = 'open'`);
    // A run ends its own open decisions and those of the runs it took over from.
    this.endOpen = db.prepare(
      `UPDATE recoveries SET outcome = @outcome, ended_at = @now WHERE (run_id = @runId OR taken_over_by = @runId) AND outcome = 'open'`,
    );
    this.openEscalation = db.prepare(
      `SELECT * FROM recoveries WHERE run_id = ? AND strategy = 'escalate' AND outcome = 'open' AND resolution IS NULL ORDER BY id DESC LIMIT 1`,
    );
    this.setResolution = db.prepare('UPDATE recoveries SET resolution = ?, resolved_at = ? WHERE id = ?');
  }

  generation(runId: string): number {
    return this.maxGeneration.get(runId) as number;
  }

  add(row: {
    runId: string;
    workflow: string;
    strategy: string;
    reason: string;
    errorClass: string;
    stepId: string | null;
    generation: number;
    takenOverBy: string | null;
    wakeAt: number | null;
    now: number;
  }): RecoveryRecord {
    this.supersede.run({ runId: row.runId, now: row.now });
    const { id } = this.insert.get(row) as { id: number };
    return toRecoveryRecord(this.byId.get(id) as RecoveryRow);
  }

  /** The run ended in `status`: its open decisions (and those it took over) get their outcome. */
  end(runId: string, status: RunStatus, now: number): void {
    this.endOpen.run({ runId, outcome: outcomeOnFinish(status), now });
  }

  escalation(runId: string): RecoveryRecord | null {
    const row = this.openEscalation.get(runId) as RecoveryRow | undefined;
    return row === undefined ? null : toRecoveryRecord(row);
  }

  resolve(id: number, action: EscalationAction, now: number): void {
    this.setResolution.run(action, now, id);
  }

  list(filter: RecoveryFilter = {}): RecoveryRecord[] {
    const { where, values } = recoveryWhere(filter, () => '?');
    const sql = `SELECT * FROM recoveries ${where} ORDER BY id LIMIT ?`;
    let stmt = this.listCache.get(sql);
    if (stmt === undefined) this.listCache.set(sql, (stmt = this.db.prepare(sql)));
    return (stmt.all(...values, filter.limit ?? 1000) as RecoveryRow[]).map(toRecoveryRecord);
  }
}

/** The status changes a recovery decision and an escalation's resolution make (lifecycle.ts). */
export class RecoveryTransitions {
  private readonly setRecovering: Database.Statement;
  private readonly deleteFailedSteps: Database.Statement;
  private readonly deleteAllSteps: Database.Statement;
  private readonly skipStep: Database.Statement;
  private readonly setResolved: Database.Statement;

  constructor(
    db: Database.Database,
    private readonly runs: RunStatements,
    private readonly events: EventStatements,
    private readonly transitions: RunTransitions,
    private readonly recoveries: RecoveryStatements,
  ) {
    this.setRecovering = db.prepare(
      `UPDATE runs SET status = @status, wake_at = @wakeAt, error = @error, output = NULL, updated_at = @now, ${CLEAR_LEASE} WHERE id = @runId`,
    );
    this.deleteFailedSteps = db.prepare(`DELETE FROM step_results WHERE run_id = ? AND status = 'failed'`);
    this.deleteAllSteps = db.prepare('DELETE FROM step_results WHERE run_id = ?');
    this.skipStep = db.prepare(
      `UPDATE step_results SET status = 'completed', output = 'null', error = NULL, completed_at = @now
       WHERE run_id = @runId AND step_id = @stepId AND status = 'failed'`,
    );
    this.setResolved = db.prepare(
      `UPDATE runs SET status = 'pending', error = NULL, wake_at = NULL, claims_without_progress = 0, updated_at = @now
       WHERE id = @runId AND status IN (${sqlList(statusesMovedTo('resolve', 'pending'))})`,
    );
  }

  recover(args: RecoverArgs): RecoveryRecord {
    this.runs.fence(args);
    const run = this.runs.require(args.runId);
    const generation = this.recoveries.generation(args.runId) + (args.strategy === 'restart' ? 1 : 0);
    let wakeAt: number | null = null;
    if (args.strategy === 'reassign') {
      const takeOver = args.takeOver;
      if (takeOver === undefined) throw new TypeError('recoverRun: reassign needs takeOver');
      this.transitions.finish({ runId: args.runId, token: args.token, now: args.now, status: 'failed', error: args.error });
      this.runs.create({ id: takeOver.runId, workflow: takeOver.workflow, input: run.input, now: args.now, version: takeOver.version ?? null });
    } else {
      const action = args.strategy === 'resume' ? 'recover_resume' : args.strategy === 'restart' ? 'recover_restart' : 'escalate';
      const status = recoveryStatus(action, run.cancelRequested);
      if (args.strategy === 'resume') this.deleteFailedSteps.run(args.runId);
      if (args.strategy === 'restart') this.deleteAllSteps.run(args.runId);
      wakeAt = status === 'sleeping' ? (args.wakeAt ?? args.now) : null;
      const error = args.strategy === 'escalate' ? escalatedError(args.error, args.reason) : args.error;
      this.setRecovering.run({ runId: args.runId, status, wakeAt, error: errorToText(error), now: args.now });
      this.runs.interruptRunning(args.runId, args.now, RUN_MOVED_ON_MESSAGE);
    }
    const record = this.recoveries.add({
      runId: args.runId,
      workflow: run.workflow,
      strategy: args.strategy,
      reason: args.reason,
      errorClass: args.error.errorClass,
      stepId: args.error.stepId ?? null,
      generation,
      takenOverBy: args.takeOver?.runId ?? null,
      wakeAt: args.strategy === 'resume' ? (args.wakeAt ?? null) : wakeAt,
      now: args.now,
    });
    this.events.append(args.events);
    return record;
  }

  resolve(args: { runId: string; action: EscalationAction; now: number }): RunRecord | null {
    const run = this.runs.get(args.runId);
    if (run === null) return null;
    decide('resolve', args.runId, run.status);
    const escalation = this.recoveries.escalation(args.runId);
    if (escalation === null) throw new InvalidRunStateError(args.runId, run.status, 'resolve', NOT_ESCALATED);
    if (args.action === 'skip' && escalation.stepId === null)
      throw new InvalidRunStateError(args.runId, run.status, 'skip the failed step of', NOTHING_TO_SKIP);
    this.recoveries.resolve(escalation.id, args.action, args.now);
    const event = { runId: args.runId, type: 'run.resolved' as const, data: { action: args.action, stepId: escalation.stepId }, at: args.now };
    if (args.action === 'cancel') {
      this.events.append([event]);
      return this.transitions.requestCancel(args.runId, args.now);
    }
    if (args.action === 'retry') this.deleteFailedSteps.run(args.runId);
    else this.skipStep.run({ runId: args.runId, stepId: escalation.stepId, now: args.now });
    this.setResolved.run({ runId: args.runId, now: args.now });
    this.events.append([event]);
    return this.runs.require(args.runId);
  }
}
