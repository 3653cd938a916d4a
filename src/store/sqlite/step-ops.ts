// Step results and attempts. Prepared once; methods run inside the caller's transaction.
import type Database from 'better-sqlite3';
import { LeaseLostError, StepAlreadyCommittedError } from '../../errors/store-errors.js';
import type { CommitStepArgs, EndAttemptArgs, StartAttemptArgs } from '../store.js';
import type { AttemptRecord, StepRecord } from '../types.js';
import { errorToText, toAttemptRecord, toStepRecord, type AttemptRow, type StepRow } from '../rows.js';
import type { RunStatements } from './run-ops.js';
import type { EventStatements, SignalStatements } from './signal-ops.js';
import { LEASED } from '../lifecycle.js';

export class StepStatements {
  private readonly upsertStep: Database.Statement;
  private readonly stepsOfRun: Database.Statement;
  private readonly insertAttempt: Database.Statement;
  private readonly updateAttemptEnd: Database.Statement;
  private readonly attemptsOfRun: Database.Statement;
  private readonly progressed: Database.Statement;

  constructor(
    db: Database.Database,
    private readonly runs: RunStatements,
    private readonly signals: SignalStatements,
    private readonly events: EventStatements,
  ) {
    // Positional parameters on the per-step statements: measurably cheaper to bind than named.
    // The fence is part of the insert (WHERE EXISTS), so the happy path is a single statement.
    // A waiting record (sleep, signal or child wait) is completed later by replacing it, keeping
    // the seq and start it was first recorded with. A completed/failed record matches no row,
    // so changes = 0 means "lease lost or already committed"; commitStep then tells which.
    this.upsertStep = db.prepare(
      `INSERT INTO step_results (run_id, step_id, name, seq, kind, status, output, error, attempts, started_at, completed_at, ran_with)
       SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
       WHERE EXISTS (SELECT 1 FROM runs WHERE id = ? AND lease_token = ? AND status = '${LEASED}')
       ON CONFLICT (run_id, step_id) DO UPDATE SET name = excluded.name, kind = excluded.kind,
         status = excluded.status, output = excluded.output, error = excluded.error,
         attempts = excluded.attempts, completed_at = excluded.completed_at, ran_with = excluded.ran_with
       WHERE step_results.status = 'waiting'`,
    );
    this.stepsOfRun = db.prepare('SELECT * FROM step_results WHERE run_id = ? ORDER BY seq, step_id');
    // Restarting an attempt number that already has a row keeps the first record (DO NOTHING):
    // the row may already tell how that attempt ended.
    this.insertAttempt = db.prepare(
      `INSERT INTO attempts (run_id, step_id, step_name, attempt, started_at, ended_at, outcome,
         error_class, error_message, duration_ms, worker_id, alternative, moved_on,
         host, tags, error_name, error_kind, fingerprint, fingerprint_version, cost_micros)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (run_id, step_id, attempt) DO NOTHING`,
    );
    // The insight details (migration 9) given at the end win; those not given keep the start's.
    // Tags merge, the end's over the start's (json_patch: string values, no nulls to delete).
    this.updateAttemptEnd = db.prepare(
      `UPDATE attempts SET ended_at = ?, outcome = ?, error_class = ?, error_message = ?,
         duration_ms = MAX(0, ? - started_at), alternative = COALESCE(?, alternative), moved_on = COALESCE(?, moved_on),
         error_name = COALESCE(?, error_name), error_kind = COALESCE(?, error_kind), fingerprint = COALESCE(?, fingerprint),
         fingerprint_version = COALESCE(?, fingerprint_version), cost_micros = COALESCE(?, cost_micros),
         tags = CASE WHEN ? IS NULL THEN tags WHEN tags IS NULL THEN ? ELSE json_patch(tags, ?) END
       WHERE run_id = ? AND step_id = ? AND attempt = ?`,
    );
    this.attemptsOfRun = db.prepare('SELECT * FROM attempts WHERE run_id = ? ORDER BY id');
    // A committed step is progress: the poison-run counter restarts. Only the first commit after
    // a claim changes the row (and costs a page write); later ones match nothing.
    this.progressed = db.prepare('UPDATE runs SET claims_without_progress = 0 WHERE id = ? AND claims_without_progress <> 0');
  }

  getSteps(runId: string): StepRecord[] {
    return (this.stepsOfRun.all(runId) as StepRow[]).map(toStepRecord);
  }

  listAttempts(runId: string): AttemptRecord[] {
    return (this.attemptsOfRun.all(runId) as AttemptRow[]).map(toAttemptRecord);
  }

  startAttempt(a: StartAttemptArgs): void {
    if (a.token !== undefined && a.leaseMs !== undefined) {
      // Fence and lease extension in one statement: the start doubles as a heartbeat.
      if (!this.runs.heartbeat({ runId: a.runId, token: a.token, now: a.startedAt, leaseMs: a.leaseMs }).ok) throw new LeaseLostError(a.runId);
    } else if (a.token !== undefined) this.runs.fence({ runId: a.runId, token: a.token });
    const tags = a.tags == null ? null : JSON.stringify(a.tags);
    this.insertAttempt.run(
      a.runId,
      a.stepId,
      a.stepName,
      a.attempt,
      a.startedAt,
      null,
      'running',
      null,
      null,
      null,
      a.workerId,
      a.alternative ?? null,
      null,
      a.host ?? null,
      tags,
      ...NO_DETAILS,
    );
  }

  endAttempt(args: EndAttemptArgs): void {
    if (args.token !== undefined) this.runs.fence({ runId: args.runId, token: args.token });
    // Without a started row (startAttempt lost, or never sent) record what is known rather than
    // drop the outcome: the step name is the stepId's prefix ("fetch#0" -> "fetch").
    this.endAttemptRow(args, () => ({
      stepName: args.stepId.replace(/#\d+$/, ''),
      startedAt: args.endedAt,
      ...this.leaseHolder(args.runId),
    }));
    this.events.append(args.events);
  }

  commitStep(args: CommitStepArgs): void {
    const { step } = args;
    const changed = this.upsertStep.run(
      args.runId,
      step.stepId,
      step.name,
      step.seq,
      step.kind,
      step.status,
      step.output,
      errorToText(step.error),
      step.attempts,
      step.startedAt,
      step.completedAt,
      step.ranWith ?? null,
      args.runId,
      args.token,
    ).changes;
    if (changed === 0) {
      this.runs.fence(args); // throws LeaseLostError when that is the reason
      throw new StepAlreadyCommittedError(args.runId, step.stepId);
    }
    if (args.attempt !== undefined) {
      this.endAttemptRow({ ...args.attempt, runId: args.runId, stepId: step.stepId }, () => ({
        stepName: step.name,
        startedAt: step.startedAt,
        ...this.leaseHolder(args.runId),
      }));
    }
    if (args.consumeSignalId !== undefined) this.signals.consume(args.runId, args.consumeSignalId, step.stepId);
    this.progressed.run(args.runId);
    this.events.append(args.events);
  }

  /** The worker and host holding the run's lease, for an attempt row written without its start. */
  private leaseHolder(runId: string): { workerId: string; host: string | null } {
    const lease = this.runs.get(runId)?.lease;
    return { workerId: lease?.workerId ?? '', host: lease?.host ?? null };
  }

  /** Ends the attempt row; inserts it (already ended) when it was never started. */
  private endAttemptRow(
    end: Omit<EndAttemptArgs, 'events'>,
    missing: () => { stepName: string; startedAt: number; workerId: string; host: string | null },
  ): void {
    const errorClass = end.errorClass ?? null;
    const errorMessage = end.errorMessage ?? null;
    const { runId, stepId, attempt, endedAt, outcome } = end;
    const alternative = end.alternative ?? null;
    const movedOn = end.movedOn ?? null;
    const details = attemptDetails(end);
    const tags = end.tags == null ? null : JSON.stringify(end.tags);
    const updated = this.updateAttemptEnd.run(
      endedAt,
      outcome,
      errorClass,
      errorMessage,
      endedAt,
      alternative,
      movedOn,
      ...details,
      tags,
      tags,
      tags,
      runId,
      stepId,
      attempt,
    );
    if (updated.changes > 0) return;
    const m = missing();
    const durationMs = Math.max(0, endedAt - m.startedAt);
    const ended = [endedAt, outcome, errorClass, errorMessage, durationMs];
    this.insertAttempt.run(runId, stepId, m.stepName, attempt, m.startedAt, ...ended, m.workerId, alternative, movedOn, m.host, tags, ...details);
  }
}

const NO_DETAILS = [null, null, null, null, null] as const;

/** error_name, error_kind, fingerprint, fingerprint_version, cost_micros of an end, in that order. */
function attemptDetails(end: Omit<EndAttemptArgs, 'events'>): readonly unknown[] {
  if (end.errorName == null && end.errorKind == null && end.fingerprint == null && end.costMicros == null) return NO_DETAILS;
  return [end.errorName ?? null, end.errorKind ?? null, end.fingerprint ?? null, end.fingerprintVersion ?? null, end.costMicros ?? null];
}
