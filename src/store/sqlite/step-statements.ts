// Step results and attempts. Prepared once; methods run inside the caller's transaction.
import type Database from 'better-sqlite3';
import { StepAlreadyCommittedError } from '../../errors/store-errors.js';
import type { CommitStepArgs, EndAttemptArgs, StartAttemptArgs } from '../store.js';
import type { AttemptRecord, StepRecord } from '../types.js';
import { errorToText, toAttemptRecord, toStepRecord, type AttemptRow, type StepRow } from './rows.js';
import type { RunStatements } from './run-statements.js';
import type { EventStatements, SignalStatements } from './signal-statements.js';

type AttemptEnd = Omit<EndAttemptArgs, 'events'>;

export class StepStatements {
  private readonly upsertStep: Database.Statement;
  private readonly stepsOfRun: Database.Statement;
  private readonly insertAttempt: Database.Statement;
  private readonly updateAttemptEnd: Database.Statement;
  private readonly attemptsOfRun: Database.Statement;

  constructor(
    db: Database.Database,
    private readonly runs: RunStatements,
    private readonly signals: SignalStatements,
    private readonly events: EventStatements,
  ) {
    // A waiting record (sleep, signal or child wait) is completed later by replacing it, keeping
    // the seq and start it was first recorded with. A completed/failed record matches no row
    // (changes = 0), which is how a second commit is detected without a separate read.
    this.upsertStep = db.prepare(
      `INSERT INTO step_results (run_id, step_id, name, seq, kind, status, output, error, attempts, started_at, completed_at)
       VALUES (@runId, @stepId, @name, @seq, @kind, @status, @output, @error, @attempts, @startedAt, @completedAt)
       ON CONFLICT (run_id, step_id) DO UPDATE SET name = excluded.name, kind = excluded.kind,
         status = excluded.status, output = excluded.output, error = excluded.error,
         attempts = excluded.attempts, completed_at = excluded.completed_at
       WHERE step_results.status = 'waiting'`,
    );
    this.stepsOfRun = db.prepare('SELECT * FROM step_results WHERE run_id = ? ORDER BY seq, step_id');
    // Restarting an attempt number that already has a row keeps the first record (DO NOTHING):
    // the row may already tell how that attempt ended.
    this.insertAttempt = db.prepare(
      `INSERT INTO attempts (run_id, step_id, step_name, attempt, started_at, ended_at, outcome,
         error_class, error_message, duration_ms, worker_id)
       VALUES (@runId, @stepId, @stepName, @attempt, @startedAt, @endedAt, @outcome,
         @errorClass, @errorMessage, @durationMs, @workerId)
       ON CONFLICT (run_id, step_id, attempt) DO NOTHING`,
    );
    this.updateAttemptEnd = db.prepare(
      `UPDATE attempts SET ended_at = @endedAt, outcome = @outcome, error_class = @errorClass,
         error_message = @errorMessage, duration_ms = MAX(0, @endedAt - started_at)
       WHERE run_id = @runId AND step_id = @stepId AND attempt = @attempt`,
    );
    this.attemptsOfRun = db.prepare('SELECT * FROM attempts WHERE run_id = ? ORDER BY id');
  }

  getSteps(runId: string): StepRecord[] {
    return (this.stepsOfRun.all(runId) as StepRow[]).map(toStepRecord);
  }

  listAttempts(runId: string): AttemptRecord[] {
    return (this.attemptsOfRun.all(runId) as AttemptRow[]).map(toAttemptRecord);
  }

  startAttempt(args: StartAttemptArgs): void {
    this.insertAttempt.run({
      ...args,
      endedAt: null,
      outcome: 'running',
      errorClass: null,
      errorMessage: null,
      durationMs: null,
    });
  }

  endAttempt(args: EndAttemptArgs): void {
    const { events, ...end } = args;
    // Without a started row (startAttempt lost, or never sent) record what is known rather than
    // drop the outcome: the step name is the stepId's prefix ("fetch#0" -> "fetch").
    const fallback = {
      stepName: args.stepId.replace(/#\d+$/, ''),
      startedAt: args.endedAt,
      workerId: this.runs.get(args.runId)?.lease?.workerId ?? '',
    };
    this.endAttemptRow(end, () => fallback);
    this.events.append(events);
  }

  commitStep(args: CommitStepArgs): void {
    const { workerId } = this.runs.fence(args);
    const { step } = args;
    const changed = this.upsertStep.run({
      runId: args.runId,
      stepId: step.stepId,
      name: step.name,
      seq: step.seq,
      kind: step.kind,
      status: step.status,
      output: step.output,
      error: errorToText(step.error),
      attempts: step.attempts,
      startedAt: step.startedAt,
      completedAt: step.completedAt,
    }).changes;
    if (changed === 0) throw new StepAlreadyCommittedError(args.runId, step.stepId);
    if (args.attempt !== undefined) {
      this.endAttemptRow({ ...args.attempt, runId: args.runId, stepId: step.stepId }, () => ({
        stepName: step.name,
        startedAt: step.startedAt,
        workerId,
      }));
    }
    if (args.consumeSignalId !== undefined) this.signals.consume(args.runId, args.consumeSignalId, step.stepId);
    this.events.append(args.events);
  }

  /** Ends the attempt row; inserts it (already ended) when it was never started. */
  private endAttemptRow(
    end: AttemptEnd,
    missing: () => { stepName: string; startedAt: number; workerId: string },
  ): void {
    const params = {
      runId: end.runId,
      stepId: end.stepId,
      attempt: end.attempt,
      endedAt: end.endedAt,
      outcome: end.outcome,
      errorClass: end.errorClass ?? null,
      errorMessage: end.errorMessage ?? null,
    };
    if (this.updateAttemptEnd.run(params).changes > 0) return;
    const m = missing();
    this.insertAttempt.run({ ...params, ...m, durationMs: Math.max(0, end.endedAt - m.startedAt) });
  }
}
