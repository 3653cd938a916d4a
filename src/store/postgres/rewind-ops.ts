// Rewind (src/store/rewind.ts) as one transaction: the run's row lock (FOR UPDATE) serialises two
// rewinds of a run and a rewind with anything else that changes it; the second finds it pending
// and is refused by the spec.
import { sqlStatusIn } from '../lifecycle.js';
import * as rewind from '../rewind.js';
import { toRunRecord, type RunRow } from '../rows.js';
import type { PgExec } from './exec.js';
import { eventArrays, insertEvents } from './step-ops.js';
import { CLEAR_LEASE, sqlLockRun } from './transitions.js';

export class RewindOps {
  private readonly sql;

  constructor(
    private readonly db: PgExec,
    s: string,
    private readonly notify: () => void,
  ) {
    this.sql = {
      lockRun: sqlLockRun(s),
      stepKeys: `SELECT step_id AS "stepId", name, seq FROM ${s}.step_results WHERE run_id = $1 ORDER BY seq, step_id`,
      setAside: `INSERT INTO ${s}.step_generations (${rewind.STEP_RESULT_COLUMNS}, generation, set_aside_at)
        SELECT ${rewind.STEP_RESULT_COLUMNS}, $3, $4 FROM ${s}.step_results WHERE run_id = $1 AND seq >= $2`,
      unconsume: `UPDATE ${s}.signals SET consumed_by_step = NULL
        WHERE run_id = $1 AND consumed_by_step IN (SELECT step_id FROM ${s}.step_results WHERE run_id = $1 AND seq >= $2)`,
      deleteFrom: `DELETE FROM ${s}.step_results WHERE run_id = $1 AND seq >= $2`,
      setRewound: `UPDATE ${s}.runs SET status = 'pending', output = NULL, error = NULL, wake_at = NULL, cancel_requested = 0,
          claims_without_progress = 0, generation = generation + 1, updated_at = $2, ${CLEAR_LEASE}
        WHERE id = $1 AND ${sqlStatusIn('rewind')} RETURNING *`,
      events: insertEvents(s, 1),
      list: `SELECT * FROM ${s}.step_generations WHERE run_id = $1 ORDER BY generation, seq, step_id`,
    };
  }

  async rewind(args: rewind.RewindRunArgs): Promise<rewind.RewindResult | null> {
    const result = await this.db.tx([args.runId], async (q) => {
      const row = (await q<RunRow>('ll_rewind_lock', this.sql.lockRun, [args.runId])).rows[0];
      if (row === undefined) return null;
      const run = toRunRecord(row);
      const target = rewind.rewindTarget(run, (await q<rewind.StepKey>('ll_rewind_steps', this.sql.stepKeys, [args.runId])).rows, args.to);
      const generation = Number(row.generation ?? 1);
      const at = [args.runId, target.seq];
      const setAside = (await q('ll_rewind_set_aside', this.sql.setAside, [...at, generation, args.now])).rowCount ?? 0;
      await q('ll_rewind_unconsume', this.sql.unconsume, at);
      await q('ll_rewind_delete', this.sql.deleteFrom, at);
      const updated = (await q<RunRow>('ll_rewind_set', this.sql.setRewound, [args.runId, args.now])).rows[0];
      if (updated === undefined) throw new Error(`rewind: run ${args.runId} changed under its row lock`);
      const done = rewind.rewound(args, run.status, toRunRecord(updated), target, generation, setAside);
      await q('ll_rewind_event', this.sql.events, eventArrays([done.event]));
      return done.result;
    });
    if (result !== null) this.notify();
    return result;
  }

  async generations(runId: string): Promise<rewind.StepGenerationRecord[]> {
    const rows = (await this.db.read<rewind.StepGenerationRow>(runId, 'll_step_generations', this.sql.list, [runId])).rows;
    return rows.map(rewind.toStepGenerationRecord);
  }
}
