// Insight records (store/insight-records.ts): an SLO's alert level is read FOR UPDATE and written
// in one transaction, so of several evaluations (any process, any host) that see one transition
// exactly one is told it changed; fix records with the shape of their fingerprint's latest
// failure; the run times SLOs count.
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
  type SloStateRecord,
  type SloStateRow,
} from '../insight-records.js';
import type { PgExec } from './exec.js';

const pg = (i: number) => `$${i}`;

export class InsightOps {
  private readonly sql: Record<'ensure' | 'lock' | 'save' | 'states' | 'shape' | 'insertFix', string>;

  constructor(
    private readonly db: PgExec,
    private readonly s: string,
  ) {
    this.sql = {
      // A placeholder row ('' level) so FOR UPDATE has a row to lock on the first evaluation.
      ensure: `INSERT INTO ${s}.slo_states (key, level, since, detail, updated_at) VALUES ($1, '', $2, '', $2) ON CONFLICT (key) DO NOTHING`,
      lock: `SELECT * FROM ${s}.slo_states WHERE key = $1 FOR UPDATE`,
      save: `UPDATE ${s}.slo_states SET level = $2, since = $3, detail = $4, updated_at = $5 WHERE key = $1`,
      states: `SELECT * FROM ${s}.slo_states WHERE level <> '' ORDER BY key`,
      shape: fixShapeSql(`${s}.`, pg),
      insertFix: `INSERT INTO ${s}.insight_fixes (fingerprint, note, action, error_class, error_kind, error_name, step_name, workflow, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
    };
  }

  async runTimes(filter: RunTimeFilter): Promise<RunTime[]> {
    const { sql, values } = runTimesSql(`${this.s}.`, filter, pg);
    const res = await this.db.read<Parameters<typeof toRunTime>[0]>(undefined, `ll_run_times_${values.length}`, sql, values);
    return res.rows.map(toRunTime);
  }

  setState(args: SetSloStateArgs): Promise<SloStateChange> {
    return this.db.tx(null, async (query) => {
      await query('ll_slo_ensure', this.sql.ensure, [args.key, args.now]);
      const row = (await query<SloStateRow>('ll_slo_lock', this.sql.lock, [args.key])).rows[0];
      const previous = row === undefined || row.level === '' ? null : toSloStateRecord(row);
      const changed = previous === null || previous.level !== args.level;
      const since = changed ? args.now : previous.since;
      await query('ll_slo_save', this.sql.save, [args.key, args.level, since, args.detail, args.now]);
      return { previous, current: { key: args.key, level: args.level, since, detail: args.detail, updatedAt: args.now }, changed };
    });
  }

  async states(): Promise<SloStateRecord[]> {
    return (await this.db.read<SloStateRow>(undefined, 'll_slo_states', this.sql.states, [])).rows.map(toSloStateRecord);
  }

  async addFix(args: AddFixArgs): Promise<FixRecord | null> {
    const id = await this.db.tx(null, async (query) => {
      const shape = (
        await query<{ error_class: string | null; error_kind: string | null; error_name: string | null; step_name: string; workflow: string }>(
          'll_fix_shape',
          this.sql.shape,
          [args.fingerprint],
        )
      ).rows[0];
      if (shape === undefined) return null;
      const values = [
        args.fingerprint,
        args.note,
        args.action ?? null,
        shape.error_class ?? 'unknown',
        shape.error_kind,
        shape.error_name,
        shape.step_name,
        shape.workflow,
        args.now,
      ];
      return (await query<{ id: string }>('ll_fix_insert', this.sql.insertFix, values)).rows[0]!.id;
    });
    if (id === null) return null;
    return (await this.fixes({ fingerprint: args.fingerprint })).find((f) => f.id === Number(id)) ?? null;
  }

  async fixes(filter: FixFilter = {}): Promise<FixRecord[]> {
    const { sql, values } = fixListSql(`${this.s}.`, filter, pg);
    const name = `ll_fixes_${filter.fingerprint !== undefined ? 'f' : ''}${filter.since !== undefined ? 's' : ''}`;
    return (await this.db.read<FixRow>(undefined, name, sql, values)).rows.map(toFixRecord);
  }
}
