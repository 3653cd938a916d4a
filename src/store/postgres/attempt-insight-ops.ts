// Insight reads and writes of attempt details and step coverage (issue 10 §1, §6); as SQLite's.
import type { FailedAttempt, FingerprintUpdate, StepCoverageArgs, StepCoverageRow } from '../attempt-insight.js';
import { toAttemptRecord, type AttemptRow } from '../rows.js';
import type { PgExec } from './exec.js';

interface CoverageRow {
  workflow: string;
  step: string;
  steps: string;
  with_timeout: string;
  with_retries: string;
  side_effects: string;
  key_read: string;
}

export class AttemptInsightOps {
  private readonly sql: Record<'failed' | 'setFingerprints' | 'coverage', string>;

  constructor(
    private readonly db: PgExec,
    s: string,
  ) {
    this.sql = {
      failed: `SELECT a.*, r.workflow AS workflow FROM ${s}.attempts a JOIN ${s}.runs r ON r.id = a.run_id
        WHERE a.id > $1 AND a.outcome IN ('failed', 'timeout') ORDER BY a.id LIMIT $2`,
      setFingerprints: `UPDATE ${s}.attempts AS a SET fingerprint = u.f, fingerprint_version = u.v
        FROM json_to_recordset($1::json) AS u (id bigint, f text, v int) WHERE a.id = u.id`,
      coverage: `SELECT r.workflow, s.name AS step, COUNT(*) AS steps,
          COUNT(*) FILTER (WHERE s.ran_with & 1 <> 0) AS with_timeout, COUNT(*) FILTER (WHERE s.ran_with & 2 <> 0) AS with_retries,
          COUNT(*) FILTER (WHERE s.ran_with & 4 <> 0) AS side_effects, COUNT(*) FILTER (WHERE s.ran_with & 12 = 12) AS key_read
        FROM ${s}.step_results s JOIN ${s}.runs r ON r.id = s.run_id
        WHERE s.ran_with IS NOT NULL AND s.completed_at >= $1 AND s.completed_at < $2 AND ($3::text IS NULL OR r.workflow = $3)
        GROUP BY r.workflow, s.name ORDER BY r.workflow COLLATE "C", s.name COLLATE "C"`,
    };
  }

  async listFailed(afterId: number, limit: number): Promise<FailedAttempt[]> {
    const rows = (await this.db.read<AttemptRow & { workflow: string }>(undefined, 'll_failed_attempts', this.sql.failed, [afterId, limit])).rows;
    return rows.map((row) => ({ ...toAttemptRecord({ ...row, id: Number(row.id) }), workflow: row.workflow }));
  }

  async setFingerprints(updates: readonly FingerprintUpdate[]): Promise<void> {
    if (updates.length === 0) return;
    const json = JSON.stringify(updates.map((u) => ({ id: u.id, f: u.fingerprint, v: u.fingerprintVersion })));
    await this.db.soft(null, 'll_set_fingerprints', this.sql.setFingerprints, [json]);
  }

  async stepCoverage(args: StepCoverageArgs): Promise<StepCoverageRow[]> {
    const rows = (await this.db.read<CoverageRow>(undefined, 'll_step_coverage', this.sql.coverage, [args.since, args.until, args.workflow ?? null])).rows;
    return rows.map((r) => ({
      workflow: r.workflow,
      step: r.step,
      steps: Number(r.steps),
      withTimeout: Number(r.with_timeout),
      withRetries: Number(r.with_retries),
      sideEffects: Number(r.side_effects),
      sideEffectsKeyRead: Number(r.key_read),
    }));
  }
}
