// Bulk loaders of generated insight histories (src/testing/insight-history.ts) into a store's
// tables, for tests and the insight bench: test/bench infrastructure, not a Store method. They
// write the rows directly (runs, step_results, attempts with every migration-9 column,
// recoveries) under the store's schema, which must exist (open the store first).
// SQLite: one transaction, prepared statements. PostgreSQL: multi-row INSERT ... SELECT FROM
// unnest($1::text[], ...) in chunks, attempt ids kept (OVERRIDING SYSTEM VALUE) and the identity
// moved past them so the store's own inserts go on from there.
import Database from 'better-sqlite3';
import type pg from 'pg';
import type { HistoryRunRows } from '../../src/testing/insight-history.js';

const runError = (r: HistoryRunRows) => (r.run.error === null ? null : JSON.stringify(r.run.error));
const tagText = (tags: Record<string, string> | null) => (tags === null ? null : JSON.stringify(tags));

/** The attempts table's columns in the order both loaders write them. */
const ATTEMPT_COLUMNS = [
  'id',
  'run_id',
  'step_id',
  'step_name',
  'attempt',
  'started_at',
  'ended_at',
  'outcome',
  'error_class',
  'error_message',
  'duration_ms',
  'worker_id',
  'error_name',
  'error_kind',
  'fingerprint',
  'fingerprint_version',
  'host',
  'cost_micros',
  'tags',
] as const;
const PG_ATTEMPT_TYPES = [
  'bigint',
  'text',
  'text',
  'text',
  'int',
  'bigint',
  'bigint',
  'text',
  'text',
  'text',
  'bigint',
  'text',
  'text',
  'text',
  'text',
  'int',
  'text',
  'bigint',
  'text',
];

function attemptValues(_r: HistoryRunRows, a: HistoryRunRows['attempts'][number]): Array<string | number | null> {
  return [
    a.id,
    a.runId,
    a.stepId,
    a.stepName,
    a.attempt,
    a.startedAt,
    a.endedAt,
    a.outcome,
    a.errorClass,
    a.errorMessage,
    a.durationMs,
    a.workerId,
    a.errorName,
    a.errorKind,
    a.fingerprint,
    a.fingerprintVersion,
    a.host,
    a.costMicros,
    tagText(a.tags),
  ];
}

/** Loads `history` into the SQLite database at `path` in one transaction; returns the attempt count. */
export function loadHistorySqlite(path: string, history: Iterable<HistoryRunRows>): number {
  const db = new Database(path);
  try {
    db.pragma('busy_timeout = 10000');
    const run = db.prepare(`INSERT INTO runs (id, workflow, status, input, error, created_at, updated_at) VALUES (?, ?, ?, '{}', ?, ?, ?)`);
    const step = db.prepare(
      `INSERT INTO step_results (run_id, step_id, name, seq, kind, status, attempts, started_at, completed_at) VALUES (?, ?, ?, ?, 'step', ?, ?, ?, ?)`,
    );
    const attempt = db.prepare(`INSERT INTO attempts (${ATTEMPT_COLUMNS.join(', ')}) VALUES (${ATTEMPT_COLUMNS.map(() => '?').join(', ')})`);
    const recovery = db.prepare(
      `INSERT INTO recoveries (run_id, workflow, strategy, reason, error_class, step_id, generation, decided_at, outcome, ended_at)
       VALUES (?, ?, 'resume', 'generated', ?, ?, 1, ?, ?, ?)`,
    );
    let count = 0;
    db.transaction(() => {
      for (const r of history) {
        run.run(r.run.id, r.run.workflow, r.run.status, runError(r), r.run.createdAt, r.run.updatedAt);
        for (const s of r.steps)
          step.run(s.runId, s.stepId, s.name, s.seq, s.status === 'running' ? 'waiting' : s.status, s.attempts, s.startedAt, s.completedAt);
        for (const a of r.attempts) attempt.run(...attemptValues(r, a));
        if (r.recovery !== null) {
          const c = r.recovery;
          recovery.run(c.runId, c.workflow, c.errorClass, c.stepId, c.decidedAt, c.outcome, c.endedAt);
        }
        count += r.attempts.length;
      }
    })();
    return count;
  } finally {
    db.close();
  }
}

/** Rows per INSERT statement on PostgreSQL. */
const PG_CHUNK_RUNS = 5_000;

/**
 * Loads `history` into `schema` over `client` (one transaction), in chunks of multi-row inserts
 * from arrays (unnest); returns the attempt count.
 */
export async function loadHistoryPostgres(client: pg.ClientBase, schema: string, history: Iterable<HistoryRunRows>): Promise<number> {
  const s = `"${schema}"`;
  const unnest = (types: readonly string[]) => types.map((t, i) => `$${i + 1}::${t}[]`).join(', ');
  const runSql = `INSERT INTO ${s}.runs (id, workflow, status, input, error, created_at, updated_at)
    SELECT id, wf, st, '{}', err, c, u FROM unnest(${unnest(['text', 'text', 'text', 'text', 'bigint', 'bigint'])}) AS t(id, wf, st, err, c, u)`;
  const stepSql = `INSERT INTO ${s}.step_results (run_id, step_id, name, seq, kind, status, attempts, started_at, completed_at)
    SELECT r, sid, n, q, 'step', st, a, sa, ca FROM unnest(${unnest(['text', 'text', 'text', 'int', 'text', 'int', 'bigint', 'bigint'])}) AS t(r, sid, n, q, st, a, sa, ca)`;
  const attemptSql = `INSERT INTO ${s}.attempts (${ATTEMPT_COLUMNS.join(', ')}) OVERRIDING SYSTEM VALUE
    SELECT * FROM unnest(${unnest(PG_ATTEMPT_TYPES)})`;
  const recoverySql = `INSERT INTO ${s}.recoveries (run_id, workflow, strategy, reason, error_class, step_id, generation, decided_at, outcome, ended_at)
    SELECT r, wf, 'resume', 'generated', ec, sid, 1, d, o, e FROM unnest(${unnest(['text', 'text', 'text', 'text', 'bigint', 'text', 'bigint'])}) AS t(r, wf, ec, sid, d, o, e)`;
  const columns = (n: number) => Array.from({ length: n }, () => [] as unknown[]);
  let count = 0;
  let chunk: HistoryRunRows[] = [];
  const flush = async () => {
    if (chunk.length === 0) return;
    const runs = columns(6);
    const steps = columns(8);
    const attempts = columns(ATTEMPT_COLUMNS.length);
    const recoveries = columns(7);
    for (const r of chunk) {
      [r.run.id, r.run.workflow, r.run.status, runError(r), r.run.createdAt, r.run.updatedAt].forEach((v, i) => runs[i]!.push(v));
      for (const st of r.steps)
        [st.runId, st.stepId, st.name, st.seq, st.status === 'running' ? 'waiting' : st.status, st.attempts, st.startedAt, st.completedAt].forEach((v, i) =>
          steps[i]!.push(v),
        );
      for (const a of r.attempts) attemptValues(r, a).forEach((v, i) => attempts[i]!.push(v));
      const c = r.recovery;
      if (c !== null) [c.runId, c.workflow, c.errorClass, c.stepId, c.decidedAt, c.outcome, c.endedAt].forEach((v, i) => recoveries[i]!.push(v));
      count += r.attempts.length;
    }
    await client.query(runSql, runs);
    await client.query(stepSql, steps);
    await client.query(attemptSql, attempts);
    if (recoveries[0]!.length > 0) await client.query(recoverySql, recoveries);
    chunk = [];
  };
  await client.query('BEGIN');
  try {
    for (const r of history) {
      chunk.push(r);
      if (chunk.length >= PG_CHUNK_RUNS) await flush();
    }
    await flush();
    await client.query(`SELECT setval(pg_get_serial_sequence('${s}.attempts', 'id'), GREATEST((SELECT MAX(id) FROM ${s}.attempts), 1))`);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
  // As autovacuum would: statistics, and the visibility map that lets index-only scans skip the table.
  await client.query(`VACUUM ANALYZE ${s}.runs`);
  await client.query(`VACUUM ANALYZE ${s}.attempts`);
  return count;
}
