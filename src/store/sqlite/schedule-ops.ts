// Cron schedules (store/schedules.ts) on SQLite. Every write runs inside the batcher's BEGIN
// IMMEDIATE transaction, which holds the file's one write lock across processes: the compare and
// set of fired_through and the creation of the tick's runs land together or not at all.
import type Database from 'better-sqlite3';
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
import type { RunStatements } from './run-ops.js';

export class ScheduleStatements {
  private readonly upsert: Database.Statement;
  private readonly advance: Database.Statement;
  private readonly pause: Database.Statement;
  private readonly all: Database.Statement;
  private readonly some: Database.Statement;
  private readonly remove: Database.Statement;

  constructor(
    db: Database.Database,
    private readonly runs: RunStatements,
  ) {
    // A changed cron or time zone starts afresh at `now`: the old expression's ticks are not the new one's to catch up.
    this.upsert = db.prepare(
      `INSERT INTO schedules (id, workflow, cron, timezone, catch_up, input, grace_ms, max_catch_up, source, fired_through, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, @now, @now, @now)
       ON CONFLICT (id) DO UPDATE SET
         fired_through = CASE WHEN cron <> excluded.cron OR timezone <> excluded.timezone THEN MAX(fired_through, excluded.fired_through) ELSE fired_through END,
         workflow = excluded.workflow, cron = excluded.cron, timezone = excluded.timezone, catch_up = excluded.catch_up, input = excluded.input,
         grace_ms = excluded.grace_ms, max_catch_up = excluded.max_catch_up,
         updated_at = CASE WHEN cron = excluded.cron AND timezone = excluded.timezone AND catch_up = excluded.catch_up AND input = excluded.input
           AND grace_ms = excluded.grace_ms AND max_catch_up = excluded.max_catch_up AND workflow = excluded.workflow THEN updated_at ELSE excluded.updated_at END
       WHERE source = excluded.source
       RETURNING *`,
    );
    this.advance = db.prepare(
      `UPDATE schedules SET fired_through = @firedThrough, last_tick = COALESCE(@lastTick, last_tick), last_run_id = COALESCE(@lastRunId, last_run_id), updated_at = @now
       WHERE id = @id AND fired_through = @expected AND paused = 0`,
    );
    // Resuming starts afresh at `now`: ticks that passed while paused are not fired.
    this.pause = db.prepare(
      `UPDATE schedules SET paused = @paused, updated_at = @now,
         fired_through = CASE WHEN @paused = 0 AND paused = 1 THEN MAX(fired_through, @now) ELSE fired_through END
       WHERE id = @id RETURNING *`,
    );
    this.all = db.prepare('SELECT * FROM schedules ORDER BY id');
    this.some = db.prepare('SELECT * FROM schedules WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id');
    this.remove = db.prepare('DELETE FROM schedules WHERE id = ? AND source = ? RETURNING *');
  }

  /** A row of the other source is left as it is (and returned so). */
  upsertAll(schedules: readonly ScheduleDefinition[], now: number): ScheduleRecord[] {
    return schedules.map((d) => {
      const row = (this.upsert.get(...definitionValues(d), { now }) as ScheduleRow | undefined) ?? (this.some.get(JSON.stringify([d.id])) as ScheduleRow);
      return toScheduleRecord(row);
    });
  }

  delete(id: string, source: ScheduleSource): ScheduleRecord | null {
    const row = this.remove.get(id, source) as ScheduleRow | undefined;
    return row === undefined ? null : toScheduleRecord(row);
  }

  fire(args: FireScheduleArgs): FireScheduleResult {
    const last = args.runs[args.runs.length - 1];
    const moved = this.advance.run({
      id: args.id,
      expected: args.expectedFiredThrough,
      firedThrough: args.firedThrough,
      lastTick: last?.tick ?? null,
      lastRunId: last?.id ?? null,
      now: args.now,
    });
    if (moved.changes === 0) return { fired: false, created: [] };
    const created: string[] = [];
    for (const run of args.runs) {
      if (this.runs.create({ id: run.id, workflow: args.workflow, input: args.input, now: args.now, version: args.version ?? null }).created)
        created.push(run.id);
    }
    return { fired: true, created };
  }

  setPaused(id: string, paused: boolean, now: number): ScheduleRecord | null {
    const row = this.pause.get({ id, paused: paused ? 1 : 0, now }) as ScheduleRow | undefined;
    return row === undefined ? null : toScheduleRecord(row);
  }

  list(ids?: readonly string[]): ScheduleRecord[] {
    const rows = (ids === undefined ? this.all.all() : this.some.all(JSON.stringify(ids))) as ScheduleRow[];
    return rows.map(toScheduleRecord);
  }
}
