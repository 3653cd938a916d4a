// Insight aggregates (store/insight-rollup.ts), as in SQLite's insight-ops.ts: the hourly
// rollup's lazy catch-up, one chunk of attempt ids per transaction (the state row is locked FOR
// UPDATE, so concurrent catch-ups queue and never fold an attempt twice), its read, and the
// failure groups read straight from the failed attempts.
import {
  DURATION_BUCKET_SQL,
  foldGroups,
  HOUR_MS,
  mergeRollups,
  missingIds,
  modelKey,
  rollupGroupSelect,
  PG_ROLLUP_CHUNK,
  ROLLUP_COLUMNS,
  ROLLUP_GAP_GRACE_MS,
  toRollup,
  toStoredRollup,
  touchedHours,
  type AttemptRollup,
  type AttemptRollupQuery,
  type FailureGroups,
  type FailureQuery,
  type RollupGroupRow,
  type StoredRollupRow,
} from '../insight-rollup.js';
import type { PgExec, Query } from './exec.js';

const ROLLUP_TYPES = ['bigint', 'text', 'text', 'text', 'text', 'bigint', 'bigint', 'bigint', 'bigint', 'bigint', 'bigint', 'bigint', 'text'];

const tag = (key: string) => `(a.tags::json)->>'${key}'`;
/** Attempts still running (or ended as running) are waited for in insight_rollup_pending. */
const UNENDED = "(a.ended_at IS NULL OR a.outcome = 'running')";
type Sql =
  | 'state'
  | 'maxId'
  | 'rangeGroups'
  | 'rangeRunning'
  | 'rangeCount'
  | 'rangeIds'
  | 'pendingIds'
  | 'pendingGroups'
  | 'pendingEnded'
  | 'addPending'
  | 'dropGaps'
  | 'hourRows'
  | 'upsert'
  | 'watermark';

export class RollupOps {
  private readonly sql: Record<Sql, string>;

  constructor(
    private readonly db: PgExec,
    private readonly s: string,
  ) {
    const join = `${s}.attempts a JOIN ${s}.runs r ON r.id = a.run_id`;
    const columns = ROLLUP_COLUMNS.split(', ');
    this.sql = {
      state: `SELECT watermark FROM ${s}.insight_rollup_state WHERE id = 1 FOR UPDATE`,
      maxId: `SELECT COALESCE(MAX(id), 0) AS m FROM ${s}.attempts`,
      rangeGroups: rollupGroupSelect(DURATION_BUCKET_SQL, tag, join, 'a.id > $1 AND a.id <= $2'),
      rangeRunning: `SELECT a.id FROM ${s}.attempts a WHERE a.id > $1 AND a.id <= $2 AND ${UNENDED}`,
      rangeCount: `SELECT COUNT(*) AS n FROM ${s}.attempts WHERE id > $1 AND id <= $2`,
      rangeIds: `SELECT id FROM ${s}.attempts WHERE id > $1 AND id <= $2`,
      // The pending ids are read first and passed as an array: the attempts are then found by
      // primary key whatever the planner thinks of the (small, rarely analysed) pending table.
      pendingIds: `SELECT attempt_id FROM ${s}.insight_rollup_pending`,
      pendingGroups: rollupGroupSelect(DURATION_BUCKET_SQL, tag, join, 'a.id = ANY($1::bigint[])'),
      pendingEnded: `DELETE FROM ${s}.insight_rollup_pending WHERE attempt_id IN (SELECT a.id FROM ${s}.attempts a WHERE a.id = ANY($1::bigint[]) AND NOT ${UNENDED})`,
      addPending: `INSERT INTO ${s}.insight_rollup_pending (attempt_id, noted_at) SELECT unnest($1::bigint[]), $2 ON CONFLICT DO NOTHING`,
      dropGaps: `DELETE FROM ${s}.insight_rollup_pending p WHERE p.noted_at < $1 AND NOT EXISTS (SELECT 1 FROM ${s}.attempts a WHERE a.id = p.attempt_id)`,
      hourRows: `SELECT ${ROLLUP_COLUMNS} FROM ${s}.insight_rollup WHERE hour = ANY($1::bigint[])`,
      upsert: `INSERT INTO ${s}.insight_rollup (${ROLLUP_COLUMNS}) SELECT * FROM unnest(${ROLLUP_TYPES.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})
        ON CONFLICT (hour, workflow, step_name, worker_id, model) DO UPDATE SET ${columns
          .slice(5)
          .map((c) => `${c} = excluded.${c}`)
          .join(', ')}`,
      watermark: `UPDATE ${s}.insight_rollup_state SET watermark = $1 WHERE id = 1`,
    };
  }

  /** Catches the rollup up, one transaction per chunk of attempt ids. */
  async catchUp(now: number): Promise<void> {
    while (await this.db.tx(null, (query) => this.chunk(query, now)));
  }

  /** As SQLite's catchUpChunk; the state row's lock serialises concurrent catch-ups. */
  private async chunk(query: Query, now: number): Promise<boolean> {
    const sql = this.sql;
    const watermark = Number((await query<{ watermark: string }>('ll_insight_state', sql.state)).rows[0]?.watermark ?? 0);
    const maxId = Number((await query<{ m: string }>('ll_insight_max', sql.maxId)).rows[0]?.m ?? 0);
    const to = Math.min(maxId, watermark + PG_ROLLUP_CHUNK);
    const range = [watermark, to];
    const groups = to > watermark ? (await query<RollupGroupRow>('ll_insight_range', sql.rangeGroups, range)).rows : [];
    const pendingIds = (await query<{ attempt_id: string }>('ll_insight_pending_ids', sql.pendingIds)).rows.map((r) => Number(r.attempt_id));
    let pendingGroups: RollupGroupRow[] = [];
    if (pendingIds.length > 0) {
      pendingGroups = (await query<RollupGroupRow>('ll_insight_pending', sql.pendingGroups, [pendingIds])).rows;
      await query('ll_insight_pending_ended', sql.pendingEnded, [pendingIds]);
    }
    const wait: number[] = [];
    if (to > watermark) {
      wait.push(...(await query<{ id: string }>('ll_insight_running', sql.rangeRunning, range)).rows.map((r) => Number(r.id)));
      const count = Number((await query<{ n: string }>('ll_insight_count', sql.rangeCount, range)).rows[0]?.n ?? 0);
      if (count < to - watermark) {
        const ids = (await query<{ id: string }>('ll_insight_ids', sql.rangeIds, range)).rows.map((r) => Number(r.id));
        wait.push(...missingIds(watermark, to, ids));
      }
    }
    const deltas = foldGroups([...groups, ...pendingGroups]);
    if (deltas.size > 0) {
      const existing = (await query<StoredRollupRow>('ll_insight_hours', sql.hourRows, [touchedHours(deltas)])).rows.map(toRollup);
      const cols = ROLLUP_TYPES.map(() => [] as unknown[]);
      for (const r of mergeRollups(existing, deltas)) toStoredRollup(r).forEach((v, i) => cols[i]!.push(v));
      await query('ll_insight_upsert', sql.upsert, cols);
    }
    if (wait.length > 0) await query('ll_insight_pend', sql.addPending, [wait, now]);
    await query('ll_insight_gaps', sql.dropGaps, [now - ROLLUP_GAP_GRACE_MS]);
    if (to > watermark) await query('ll_insight_watermark', sql.watermark, [to]);
    return to < maxId;
  }

  async rollups(query: AttemptRollupQuery): Promise<AttemptRollup[]> {
    await this.catchUp(query.now);
    const from = query.since - (((query.since % HOUR_MS) + HOUR_MS) % HOUR_MS);
    const wf = query.workflow !== undefined;
    const sql = `SELECT ${ROLLUP_COLUMNS} FROM ${this.s}.insight_rollup WHERE hour >= $1 AND hour < $2${wf ? ' AND workflow = $3' : ''}
      ORDER BY hour, workflow, step_name, worker_id, model`;
    const res = await this.db.read<StoredRollupRow>(
      undefined,
      wf ? 'll_insight_rollups_wf' : 'll_insight_rollups',
      sql,
      wf ? [from, query.until, query.workflow] : [from, query.until],
    );
    return res.rows.map(toRollup);
  }

  async failureGroups(query: FailureQuery): Promise<FailureGroups> {
    const s = this.s;
    const marks = query.marks ?? [];
    // Each statement gets only the parameters it uses (PostgreSQL cannot type an unused one).
    const filter = (values: unknown[]) => {
      if (query.workflow === undefined) return '';
      values.push(query.workflow);
      return ` AND r.workflow = $${values.length}`;
    };
    const groupValues: unknown[] = [query.since, query.until, ...marks];
    const summaryValues: unknown[] = [marks[0] ?? query.since, query.until];
    const where = (wf: string) => `a.fingerprint IS NOT NULL AND a.ended_at >= $1 AND a.ended_at < $2${wf}`;
    const counts = marks.map((_, i) => `, COUNT(*) FILTER (WHERE a.ended_at >= $${i + 3}) AS c${i}`).join('');
    const groupSql = `SELECT a.fingerprint, r.workflow, a.step_name, a.worker_id, (a.tags::json)->>'provider' AS provider, (a.tags::json)->>'model' AS model,
        COUNT(*) AS n, MIN(a.ended_at) AS first_seen, MAX(a.ended_at) AS last_seen${counts}
      FROM ${s}.attempts a JOIN ${s}.runs r ON r.id = a.run_id WHERE ${where(filter(groupValues))} GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6`;
    const summarySql = `SELECT s.fingerprint, s.n, s.runs, e.fingerprint_version, e.error_class, e.error_kind, e.error_name, e.error_message, e.run_id, e.id
      FROM (SELECT a.fingerprint, COUNT(*) AS n, COUNT(DISTINCT a.run_id) AS runs, MAX(a.id) AS last_id
            FROM ${s}.attempts a${query.workflow === undefined ? '' : ` JOIN ${s}.runs r ON r.id = a.run_id`} WHERE ${where(filter(summaryValues))} GROUP BY a.fingerprint) s
      JOIN ${s}.attempts e ON e.id = s.last_id ORDER BY s.fingerprint`;
    // Unnamed statements: their text depends on the marks and the filter.
    const [groups, summary] = await Promise.all([
      this.db.read<Record<string, string | number | null>>(undefined, '', groupSql, groupValues),
      this.db.read<Record<string, string | number | null>>(undefined, '', summarySql, summaryValues),
    ]);
    const str = (v: string | number | null | undefined) => (v === null || v === undefined ? null : String(v));
    return {
      groups: groups.rows.map((g) => ({
        fingerprint: String(g.fingerprint),
        workflow: String(g.workflow),
        step: String(g.step_name),
        worker: String(g.worker_id),
        model: modelKey(str(g.provider), str(g.model)),
        count: Number(g.n),
        counts: marks.map((_, i) => Number(g[`c${i}`] ?? 0)),
        firstSeen: Number(g.first_seen),
        lastSeen: Number(g.last_seen),
      })),
      fingerprints: summary.rows.map((r) => ({
        fingerprint: String(r.fingerprint),
        fingerprintVersion: r.fingerprint_version === null ? null : Number(r.fingerprint_version),
        errorClass: str(r.error_class),
        errorKind: str(r.error_kind),
        errorName: str(r.error_name),
        count: Number(r.n),
        runs: Number(r.runs),
        exampleMessage: str(r.error_message) ?? '',
        exampleRunId: String(r.run_id),
        exampleAttemptId: Number(r.id),
      })),
    };
  }
}
