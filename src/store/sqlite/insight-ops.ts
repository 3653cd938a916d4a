// Insight records (store/insight-records.ts): SLO alert levels set inside the batcher's write
// transaction (one writer at a time on the file, so one evaluation sees a transition), fix
// records with the shape of their fingerprint's latest failure, and the run times SLOs count.
import type Database from 'better-sqlite3';
import {
  fixListSql,
  fixShapeSql,
  runTimesSql,
  toFixRecord,
  toRunTime,
  toSloStateRecord,
  type AddFixArgs,
  type FixFilter,
  type FixRecord,
  type FixRow,
  type RunTime,
  type RunTimeFilter,
  type SetSloStateArgs,
  type SloStateChange,
  type SloStateRow,
} from '../insight-records.js';

export class InsightStatements {
  private readonly getState: Database.Statement;
  private readonly putState: Database.Statement;
  private readonly allStates: Database.Statement;
  private readonly shape: Database.Statement;
  private readonly insertFix: Database.Statement;
  private readonly cache = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {
    this.getState = db.prepare('SELECT * FROM slo_states WHERE key = ?');
    this.putState = db.prepare(
      `INSERT INTO slo_states (key, level, since, detail, updated_at) VALUES (@key, @level, @since, @detail, @now)
       ON CONFLICT (key) DO UPDATE SET level = excluded.level, since = excluded.since, detail = excluded.detail, updated_at = excluded.updated_at`,
    );
    this.allStates = db.prepare('SELECT * FROM slo_states ORDER BY key');
    this.shape = db.prepare(fixShapeSql('', () => '?'));
    this.insertFix = db.prepare(
      `INSERT INTO insight_fixes (fingerprint, note, action, error_class, error_kind, error_name, step_name, workflow, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    );
  }

  private prepared(sql: string): Database.Statement {
    let stmt = this.cache.get(sql);
    if (stmt === undefined) this.cache.set(sql, (stmt = this.db.prepare(sql)));
    return stmt;
  }

  runTimes(filter: RunTimeFilter): RunTime[] {
    const { sql, values } = runTimesSql('', filter, () => '?');
    return (this.prepared(sql).all(...values) as Parameters<typeof toRunTime>[0][]).map(toRunTime);
  }

  /** Inside the write transaction: read the level, write the new one. */
  setState(args: SetSloStateArgs): SloStateChange {
    const row = this.getState.get(args.key) as SloStateRow | undefined;
    const previous = row === undefined ? null : toSloStateRecord(row);
    const changed = previous === null || previous.level !== args.level;
    const since = changed ? args.now : previous.since;
    this.putState.run({ key: args.key, level: args.level, since, detail: args.detail, now: args.now });
    return { previous, current: { key: args.key, level: args.level, since, detail: args.detail, updatedAt: args.now }, changed };
  }

  states() {
    return (this.allStates.all() as SloStateRow[]).map(toSloStateRecord);
  }

  /** Inside the write transaction. */
  addFix(args: AddFixArgs): FixRecord | null {
    const shape = this.shape.get(args.fingerprint) as
      { error_class: string | null; error_kind: string | null; error_name: string | null; step_name: string; workflow: string } | undefined;
    if (shape === undefined) return null;
    const { id } = this.insertFix.get(
      args.fingerprint,
      args.note,
      args.action ?? null,
      shape.error_class ?? 'unknown',
      shape.error_kind,
      shape.error_name,
      shape.step_name,
      shape.workflow,
      args.now,
    ) as { id: number };
    return this.fixes({ fingerprint: args.fingerprint }).find((f) => f.id === id) ?? null;
  }

  fixes(filter: FixFilter = {}): FixRecord[] {
    const { sql, values } = fixListSql('', filter, () => '?');
    return (this.prepared(sql).all(...values) as FixRow[]).map(toFixRecord);
  }
}
