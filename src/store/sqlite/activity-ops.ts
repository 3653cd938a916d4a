// Store.listRunActivity: three reads over the asked runs (ids passed as one JSON array), each
// served by an index on run_id: the attempts' UNIQUE (run_id, step_id, attempt), events_run and
// step_results' primary key. No query per run.
import type Database from 'better-sqlite3';
import { assembleActivity, type ListRunActivityArgs, type RunActivityRecord } from '../activity.js';
import { toAttemptRecord, toEventRecord, type AttemptRow, type EventRow } from '../rows.js';

interface StepCountRow {
  run_id: string;
  completed: number;
  last_completed_at: number | null;
}

export class ActivityStatements {
  private readonly attempts: Database.Statement;
  private readonly events: Database.Statement;
  private readonly steps: Database.Statement;

  constructor(db: Database.Database) {
    this.attempts = db.prepare(
      `SELECT * FROM attempts WHERE id IN (
         SELECT (SELECT MAX(id) FROM attempts WHERE run_id = r.value) FROM json_each(?) r)`,
    );
    this.events = db.prepare(
      `SELECT * FROM events WHERE id IN (
         SELECT MAX(id) FROM events
         WHERE run_id IN (SELECT value FROM json_each(?)) AND type IN (SELECT value FROM json_each(?))
         GROUP BY run_id, type)`,
    );
    this.steps = db.prepare(
      `SELECT run_id, COUNT(*) AS completed, MAX(completed_at) AS last_completed_at FROM step_results
       WHERE run_id IN (SELECT value FROM json_each(?)) AND status = 'completed' GROUP BY run_id`,
    );
  }

  list(args: ListRunActivityArgs): RunActivityRecord[] {
    const ids = JSON.stringify([...new Set(args.runIds)]);
    const attempts = (this.attempts.all(ids) as AttemptRow[]).map(toAttemptRecord);
    const events = args.eventTypes.length === 0 ? [] : (this.events.all(ids, JSON.stringify(args.eventTypes)) as EventRow[]).map(toEventRecord);
    const steps = (this.steps.all(ids) as StepCountRow[]).map((r) => ({ runId: r.run_id, completed: r.completed, lastCompletedAt: r.last_completed_at }));
    return assembleActivity(args.runIds, attempts, events, steps);
  }
}
