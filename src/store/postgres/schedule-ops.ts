// Cron schedules (store/schedules.ts) on PostgreSQL. A firing is one short transaction: the
// compare and set of fired_through (an UPDATE whose WHERE names the value the worker read: under
// READ COMMITTED a concurrent firing waits for the row lock, then re-checks the WHERE on the new
// version and changes nothing), then the tick's runs, created with ON CONFLICT DO NOTHING.
import {
  definitionValues,
  toScheduleRecord,
  type FireScheduleArgs,
  type FireScheduleResult,
  type ScheduleDefinition,
  type ScheduleRecord,
  type ScheduleRow,
  type ScheduleSource,
} from '../schedules.js';
import type { PgExec } from './exec.js';

export class ScheduleOps {
  private readonly sql: Record<'upsert' | 'advance' | 'createRun' | 'pause' | 'all' | 'some' | 'remove', string>;

  constructor(
    private readonly db: PgExec,
    s: string,
    private readonly notify: () => void,
  ) {
    const changed = `${s}.schedules.cron <> excluded.cron OR ${s}.schedules.timezone <> excluded.timezone`;
    const same = `${s}.schedules.cron = excluded.cron AND ${s}.schedules.timezone = excluded.timezone AND ${s}.schedules.catch_up = excluded.catch_up
      AND ${s}.schedules.input = excluded.input AND ${s}.schedules.grace_ms = excluded.grace_ms
      AND ${s}.schedules.max_catch_up = excluded.max_catch_up AND ${s}.schedules.workflow = excluded.workflow`;
    this.sql = {
      // As in SQLite: a changed cron or time zone starts afresh at `now`.
      upsert: `INSERT INTO ${s}.schedules (id, workflow, cron, timezone, catch_up, input, grace_ms, max_catch_up, source, fired_through, created_at, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $10)
        ON CONFLICT (id) DO UPDATE SET
          fired_through = CASE WHEN ${changed} THEN GREATEST(${s}.schedules.fired_through, excluded.fired_through) ELSE ${s}.schedules.fired_through END,
          workflow = excluded.workflow, cron = excluded.cron, timezone = excluded.timezone, catch_up = excluded.catch_up, input = excluded.input,
          grace_ms = excluded.grace_ms, max_catch_up = excluded.max_catch_up,
          updated_at = CASE WHEN ${same} THEN ${s}.schedules.updated_at ELSE excluded.updated_at END
        WHERE ${s}.schedules.source = excluded.source
        RETURNING *`,
      advance: `UPDATE ${s}.schedules SET fired_through = $3, last_tick = COALESCE($4, last_tick), last_run_id = COALESCE($5, last_run_id), updated_at = $6
        WHERE id = $1 AND fired_through = $2 AND paused = 0 RETURNING id`,
      createRun: `INSERT INTO ${s}.runs (id, workflow, status, input, parent_run_id, created_at, updated_at, version)
        VALUES ($1, $2, 'pending', $3, NULL, $4, $4, $5) ON CONFLICT (id) DO NOTHING RETURNING id`,
      // As in SQLite: resuming starts afresh at `now`.
      pause: `UPDATE ${s}.schedules SET paused = $2, updated_at = $3,
          fired_through = CASE WHEN $2 = 0 AND paused = 1 THEN GREATEST(fired_through, $3) ELSE fired_through END
        WHERE id = $1 RETURNING *`,
      all: `SELECT * FROM ${s}.schedules ORDER BY id`,
      some: `SELECT * FROM ${s}.schedules WHERE id = ANY($1::text[]) ORDER BY id`,
      remove: `DELETE FROM ${s}.schedules WHERE id = $1 AND source = $2 RETURNING *`,
    };
  }

  upsertAll(schedules: readonly ScheduleDefinition[], now: number): Promise<ScheduleRecord[]> {
    return this.db.tx(null, async (query) => {
      const out: ScheduleRecord[] = [];
      for (const d of schedules) {
        // A row of the other source is left as it is (and returned so).
        const row =
          (await query<ScheduleRow>('ll_schedule_upsert', this.sql.upsert, [...definitionValues(d), now])).rows[0] ??
          (await query<ScheduleRow>('ll_schedule_some', this.sql.some, [[d.id]])).rows[0];
        if (row === undefined) throw new Error(`schedule ${d.id}: upsert returned no row`);
        out.push(toScheduleRecord(row));
      }
      return out;
    });
  }

  async fire(args: FireScheduleArgs): Promise<FireScheduleResult> {
    const last = args.runs[args.runs.length - 1];
    const result = await this.db.tx(null, async (query) => {
      const values = [args.id, args.expectedFiredThrough, args.firedThrough, last?.tick ?? null, last?.id ?? null, args.now];
      const moved = await query('ll_schedule_advance', this.sql.advance, values);
      if (moved.rowCount === 0) return { fired: false, created: [] };
      const created: string[] = [];
      for (const run of args.runs) {
        const res = await query('ll_schedule_run', this.sql.createRun, [run.id, args.workflow, args.input, args.now, args.version ?? null]);
        if (res.rowCount === 1) created.push(run.id);
      }
      return { fired: true, created };
    });
    if (result.created.length > 0) this.notify();
    return result;
  }

  async setPaused(id: string, paused: boolean, now: number): Promise<ScheduleRecord | null> {
    const res = await this.db.durable<ScheduleRow>(null, 'll_schedule_pause', this.sql.pause, [id, paused ? 1 : 0, now]);
    const row = res.rows[0];
    return row === undefined ? null : toScheduleRecord(row);
  }

  async list(ids?: readonly string[]): Promise<ScheduleRecord[]> {
    const res =
      ids === undefined
        ? await this.db.read<ScheduleRow>(undefined, 'll_schedules_all', this.sql.all, [])
        : await this.db.read<ScheduleRow>(undefined, 'll_schedules_some', this.sql.some, [ids]);
    return res.rows.map(toScheduleRecord);
  }

  async delete(id: string, source: ScheduleSource): Promise<ScheduleRecord | null> {
    const row = (await this.db.tx(null, (query) => query<ScheduleRow>('ll_schedule_remove', this.sql.remove, [id, source]))).rows[0];
    return row === undefined ? null : toScheduleRecord(row);
  }
}
