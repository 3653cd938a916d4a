// Store.listRunActivity: three reads over the asked runs (ids passed as one text array), each
// served by an index on run_id (attempts' unique key, events_run, step_results' primary key).
// No query per run.
import { assembleActivity, type ListRunActivityArgs, type RunActivityRecord } from '../activity.js';
import { toAttemptRecord, toEventRecord, type AttemptRow, type EventRow } from '../rows.js';
import type { PgExec } from './exec.js';

interface StepCountRow {
  run_id: string;
  completed: string | number;
  last_completed_at: string | number | null;
}

export class ActivityOps {
  private readonly sql: Record<'attempts' | 'events' | 'steps', string>;

  constructor(
    private readonly db: PgExec,
    s: string,
  ) {
    this.sql = {
      attempts: `SELECT a.* FROM unnest($1::text[]) AS r(id)
                 JOIN LATERAL (SELECT * FROM ${s}.attempts WHERE run_id = r.id ORDER BY id DESC LIMIT 1) a ON true`,
      events: `SELECT DISTINCT ON (run_id, type) * FROM ${s}.events
               WHERE run_id = ANY($1::text[]) AND type = ANY($2::text[]) ORDER BY run_id, type, id DESC`,
      steps: `SELECT run_id, COUNT(*) AS completed, MAX(completed_at) AS last_completed_at FROM ${s}.step_results
              WHERE run_id = ANY($1::text[]) AND status = 'completed' GROUP BY run_id`,
    };
  }

  async list(args: ListRunActivityArgs): Promise<RunActivityRecord[]> {
    const ids = [...new Set(args.runIds)];
    const [attempts, events, steps] = await Promise.all([
      this.db.read<AttemptRow>(undefined, 'll_activity_attempts', this.sql.attempts, [ids]),
      args.eventTypes.length === 0 ? null : this.db.read<EventRow>(undefined, 'll_activity_events', this.sql.events, [ids, args.eventTypes]),
      this.db.read<StepCountRow>(undefined, 'll_activity_steps', this.sql.steps, [ids]),
    ]);
    return assembleActivity(
      args.runIds,
      attempts.rows.map(toAttemptRecord),
      events === null ? [] : events.rows.map(toEventRecord),
      steps.rows.map((r) => ({
        runId: r.run_id,
        completed: Number(r.completed),
        lastCompletedAt: r.last_completed_at === null ? null : Number(r.last_completed_at),
      })),
    );
  }
}
