// Insight aggregates (store/insight-rollup.ts): the hourly rollup's lazy catch-up (one chunk of
// attempt ids per write transaction, run by the query, never by a step) and its read, and the
// failure groups read straight from the failed attempts (partial indexes on fingerprint).
import type Database from 'better-sqlite3';
import {
  durationBucket,
  foldGroups,
  mergeRollups,
  missingIds,
  rollupGroupSelect,
  ROLLUP_CHUNK,
  ROLLUP_COLUMNS,
  ROLLUP_GAP_GRACE_MS,
  HOUR_MS,
  toRollup,
  toStoredRollup,
  touchedHours,
  modelKey,
  type AttemptRollup,
  type AttemptRollupQuery,
  type FailureGroups,
  type FailureQuery,
  type RollupGroupRow,
  type StoredRollupRow,
} from '../insight-rollup.js';

const tag = (key: string) => `json_extract(a.tags, '$.${key}')`;
const JOIN = 'attempts a JOIN runs r ON r.id = a.run_id';
/** Attempts still running (or ended as running) are waited for in insight_rollup_pending. */
const UNENDED = "(a.ended_at IS NULL OR a.outcome = 'running')";

interface GroupRow {
  fingerprint: string;
  workflow: string;
  step_name: string;
  worker_id: string;
  provider: string | null;
  model: string | null;
  n: number;
  first_seen: number;
  last_seen: number;
  [mark: `c${number}`]: number;
}

export class RollupStatements {
  private readonly state: Database.Statement;
  private readonly maxId: Database.Statement;
  private readonly rangeGroups: Database.Statement;
  private readonly rangeRunning: Database.Statement;
  private readonly rangeCount: Database.Statement;
  private readonly rangeIds: Database.Statement;
  private readonly pendingGroups: Database.Statement;
  private readonly pendingEnded: Database.Statement;
  private readonly addPending: Database.Statement;
  private readonly dropGaps: Database.Statement;
  private readonly hourRows: Database.Statement;
  private readonly upsert: Database.Statement;
  private readonly setWatermark: Database.Statement;
  private readonly cache = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {
    // The same bucket as the JS histogram code, by construction.
    db.function('lifeline_duration_bucket', { deterministic: true }, (ms: unknown) =>
      typeof ms === 'number' || typeof ms === 'bigint' ? durationBucket(Number(ms)) : null,
    );
    const bucket = 'lifeline_duration_bucket(a.duration_ms)';
    this.state = db.prepare('SELECT watermark FROM insight_rollup_state WHERE id = 1').pluck();
    this.maxId = db.prepare('SELECT COALESCE(MAX(id), 0) FROM attempts').pluck();
    this.rangeGroups = db.prepare(rollupGroupSelect(bucket, tag, JOIN, 'a.id > ? AND a.id <= ?'));
    this.rangeRunning = db.prepare(`SELECT a.id FROM attempts a WHERE a.id > ? AND a.id <= ? AND ${UNENDED}`).pluck();
    this.rangeCount = db.prepare('SELECT COUNT(*) FROM attempts WHERE id > ? AND id <= ?').pluck();
    this.rangeIds = db.prepare('SELECT id FROM attempts WHERE id > ? AND id <= ?').pluck();
    this.pendingGroups = db.prepare(rollupGroupSelect(bucket, tag, JOIN, 'a.id IN (SELECT attempt_id FROM insight_rollup_pending)'));
    // Pending attempts that have ended (counted above, or cancelled: not counted) leave the list.
    this.pendingEnded = db.prepare(
      `DELETE FROM insight_rollup_pending WHERE attempt_id IN (SELECT a.id FROM attempts a WHERE a.id IN (SELECT attempt_id FROM insight_rollup_pending) AND NOT ${UNENDED})`,
    );
    this.addPending = db.prepare('INSERT OR IGNORE INTO insight_rollup_pending (attempt_id, noted_at) VALUES (?, ?)');
    // Ids never seen after the grace: rolled back or deleted; no attempt row will come.
    this.dropGaps = db.prepare(
      'DELETE FROM insight_rollup_pending WHERE noted_at < ? AND NOT EXISTS (SELECT 1 FROM attempts WHERE attempts.id = insight_rollup_pending.attempt_id)',
    );
    this.hourRows = db.prepare(`SELECT ${ROLLUP_COLUMNS} FROM insight_rollup WHERE hour IN (SELECT value FROM json_each(?))`);
    this.upsert = db.prepare(
      `INSERT OR REPLACE INTO insight_rollup (${ROLLUP_COLUMNS}) VALUES (${ROLLUP_COLUMNS.split(', ')
        .map(() => '?')
        .join(', ')})`,
    );
    this.setWatermark = db.prepare('UPDATE insight_rollup_state SET watermark = ? WHERE id = 1');
  }

  /**
   * One catch-up chunk, inside the caller's write transaction; true while more ids remain. The
   * attempts of (watermark, to] are grouped by the database; those still running, and ids not
   * there (a gap), wait in the pending list; pending attempts that have ended are folded in.
   */
  catchUpChunk(now: number): boolean {
    const watermark = this.state.get() as number;
    const maxId = this.maxId.get() as number;
    const to = Math.min(maxId, watermark + ROLLUP_CHUNK);
    const groups = (to > watermark ? this.rangeGroups.all(watermark, to) : []) as RollupGroupRow[];
    const pendingGroups = this.pendingGroups.all() as RollupGroupRow[];
    this.pendingEnded.run();
    const wait = to > watermark ? (this.rangeRunning.all(watermark, to) as number[]) : [];
    if (to > watermark && (this.rangeCount.get(watermark, to) as number) < to - watermark) {
      wait.push(...missingIds(watermark, to, this.rangeIds.all(watermark, to) as number[]));
    }
    const deltas = foldGroups([...groups, ...pendingGroups]);
    if (deltas.size > 0) {
      const existing = (this.hourRows.all(JSON.stringify(touchedHours(deltas))) as StoredRollupRow[]).map(toRollup);
      for (const r of mergeRollups(existing, deltas)) this.upsert.run(...toStoredRollup(r));
    }
    for (const id of wait) this.addPending.run(id, now);
    this.dropGaps.run(now - ROLLUP_GAP_GRACE_MS);
    if (to > watermark) this.setWatermark.run(to);
    return to < maxId;
  }

  rollups(query: AttemptRollupQuery): AttemptRollup[] {
    const from = query.since - (((query.since % HOUR_MS) + HOUR_MS) % HOUR_MS);
    const wf = query.workflow !== undefined;
    const sql = `SELECT ${ROLLUP_COLUMNS} FROM insight_rollup WHERE hour >= ? AND hour < ?${wf ? ' AND workflow = ?' : ''} ORDER BY hour, workflow, step_name, worker_id, model`;
    const args = wf ? [from, query.until, query.workflow] : [from, query.until];
    return (this.prepared(sql).all(...args) as StoredRollupRow[]).map(toRollup);
  }

  failureGroups(query: FailureQuery): FailureGroups {
    const marks = query.marks ?? [];
    const wf = query.workflow !== undefined ? ' AND r.workflow = @workflow' : '';
    const params: Record<string, unknown> = { since: query.since, until: query.until, from: marks[0] ?? query.since };
    if (query.workflow !== undefined) params.workflow = query.workflow;
    marks.forEach((m, i) => (params[`m${i}`] = m));
    const where = `a.fingerprint IS NOT NULL AND a.ended_at >= @since AND a.ended_at < @until${wf}`;
    // The runs are joined only to filter by workflow: the summary needs no column of theirs.
    const runsJoin = wf === '' ? 'attempts a' : 'attempts a JOIN runs r ON r.id = a.run_id';
    const counts = marks.map((_, i) => `, SUM(a.ended_at >= @m${i}) AS c${i}`).join('');
    const groups = this.prepared(
      `SELECT a.fingerprint, r.workflow, a.step_name, a.worker_id, json_extract(a.tags, '$.provider') AS provider, json_extract(a.tags, '$.model') AS model,
         COUNT(*) AS n, MIN(a.ended_at) AS first_seen, MAX(a.ended_at) AS last_seen${counts}
       FROM attempts a JOIN runs r ON r.id = a.run_id WHERE ${where} GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6`,
    ).all(params) as GroupRow[];
    const summary = this.prepared(
      `SELECT s.fingerprint, s.n, s.runs, e.fingerprint_version, e.error_class, e.error_kind, e.error_name, e.error_message, e.run_id, e.id
       FROM (SELECT a.fingerprint, COUNT(*) AS n, COUNT(DISTINCT a.run_id) AS runs, MAX(a.id) AS last_id
             FROM ${runsJoin} WHERE ${where.replace('@since', '@from')} GROUP BY a.fingerprint) s
       JOIN attempts e ON e.id = s.last_id ORDER BY s.fingerprint`,
    ).all(params) as Array<Record<string, string | number | null>>;
    return {
      groups: groups.map((g) => ({
        fingerprint: g.fingerprint,
        workflow: g.workflow,
        step: g.step_name,
        worker: g.worker_id,
        model: modelKey(g.provider, g.model),
        count: g.n,
        counts: marks.map((_, i) => g[`c${i}`] ?? 0),
        firstSeen: g.first_seen,
        lastSeen: g.last_seen,
      })),
      fingerprints: summary.map((s) => ({
        fingerprint: String(s.fingerprint),
        fingerprintVersion: s.fingerprint_version === null ? null : Number(s.fingerprint_version),
        errorClass: s.error_class === null ? null : String(s.error_class),
        errorKind: s.error_kind === null ? null : String(s.error_kind),
        errorName: s.error_name === null ? null : String(s.error_name),
        count: Number(s.n),
        runs: Number(s.runs),
        exampleMessage: String(s.error_message ?? ''),
        exampleRunId: String(s.run_id),
        exampleAttemptId: Number(s.id),
      })),
    };
  }

  private prepared(sql: string): Database.Statement {
    let st = this.cache.get(sql);
    if (st === undefined) {
      st = this.db.prepare(sql);
      this.cache.set(sql, st);
    }
    return st;
  }
}
