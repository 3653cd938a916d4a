// Rewind (src/store/rewind.ts) inside the batcher's write transaction: SQLite's one write lock
// serialises two rewinds of a run, so the second finds it pending and is refused by the spec.
import type Database from 'better-sqlite3';
import { sqlStatusIn } from '../lifecycle.js';
import * as rewind from '../rewind.js';
import type { RunStatements } from './run-ops.js';
import type { EventStatements } from './signal-ops.js';
import { CLEAR_LEASE } from './transitions.js';

export class RewindStatements {
  private readonly stepKeys: Database.Statement;
  private readonly generationOf: Database.Statement;
  private readonly setAside: Database.Statement;
  private readonly unconsume: Database.Statement;
  private readonly deleteFrom: Database.Statement;
  private readonly setRewound: Database.Statement;
  private readonly list: Database.Statement;

  constructor(
    db: Database.Database,
    private readonly runs: RunStatements,
    private readonly events: EventStatements,
  ) {
    this.stepKeys = db.prepare('SELECT step_id AS stepId, name, seq FROM step_results WHERE run_id = ? ORDER BY seq, step_id');
    this.generationOf = db.prepare('SELECT generation FROM runs WHERE id = ?').pluck();
    this.setAside = db.prepare(
      `INSERT INTO step_generations (${rewind.STEP_RESULT_COLUMNS}, generation, set_aside_at)
       SELECT ${rewind.STEP_RESULT_COLUMNS}, @generation, @now FROM step_results WHERE run_id = @runId AND seq >= @seq`,
    );
    this.unconsume = db.prepare(
      `UPDATE signals SET consumed_by_step = NULL
       WHERE run_id = @runId AND consumed_by_step IN (SELECT step_id FROM step_results WHERE run_id = @runId AND seq >= @seq)`,
    );
    this.deleteFrom = db.prepare('DELETE FROM step_results WHERE run_id = @runId AND seq >= @seq');
    this.setRewound = db.prepare(
      `UPDATE runs SET status = 'pending', output = NULL, error = NULL, wake_at = NULL, cancel_requested = 0, claims_without_progress = 0,
         generation = generation + 1, updated_at = @now, ${CLEAR_LEASE}
       WHERE id = @runId AND ${sqlStatusIn('rewind')}`,
    );
    this.list = db.prepare('SELECT * FROM step_generations WHERE run_id = ? ORDER BY generation, seq, step_id');
  }

  rewind(args: rewind.RewindRunArgs): rewind.RewindResult | null {
    const run = this.runs.get(args.runId);
    if (run === null) return null;
    const target = rewind.rewindTarget(run, this.stepKeys.all(args.runId) as rewind.StepKey[], args.to);
    const generation = this.generationOf.get(args.runId) as number;
    const at = { runId: args.runId, seq: target.seq };
    const setAside = this.setAside.run({ ...at, generation, now: args.now }).changes;
    this.unconsume.run(at);
    this.deleteFrom.run(at);
    this.setRewound.run({ runId: args.runId, now: args.now });
    const { result, event } = rewind.rewound(args, run.status, this.runs.require(args.runId), target, generation, setAside);
    this.events.append([event]);
    return result;
  }

  generations(runId: string): rewind.StepGenerationRecord[] {
    return (this.list.all(runId) as rewind.StepGenerationRow[]).map(rewind.toStepGenerationRecord);
  }
}
