// Insight reads and writes of attempt details and step coverage (issue 10 §1, §6).
import type Database from 'better-sqlite3';
import type { FailedAttempt, FingerprintUpdate, StepCoverageArgs, StepCoverageRow } from '../attempt-insight.js';
import { toAttemptRecord, type AttemptRow } from '../rows.js';

export class AttemptInsightStatements {
  private readonly failed: Database.Statement;
  private readonly setFingerprint: Database.Statement;
  private readonly coverage: Database.Statement;

  constructor(db: Database.Database) {
    this.failed = db.prepare(
      `SELECT a.*, r.workflow AS workflow FROM attempts a JOIN runs r ON r.id = a.run_id
       WHERE a.id > ? AND a.outcome IN ('failed', 'timeout') ORDER BY a.id LIMIT ?`,
    );
    this.setFingerprint = db.prepare('UPDATE attempts SET fingerprint = ?, fingerprint_version = ? WHERE id = ?');
    this.coverage = db.prepare(
      `SELECT r.workflow AS workflow, s.name AS step, COUNT(*) AS steps,
         SUM(s.ran_with & 1 <> 0) AS withTimeout, SUM(s.ran_with & 2 <> 0) AS withRetries,
         SUM(s.ran_with & 4 <> 0) AS sideEffects, SUM(s.ran_with & 12 = 12) AS sideEffectsKeyRead
       FROM step_results s JOIN runs r ON r.id = s.run_id
       WHERE s.ran_with IS NOT NULL AND s.completed_at >= ? AND s.completed_at < ? AND (? IS NULL OR r.workflow = ?)
       GROUP BY r.workflow, s.name ORDER BY r.workflow, s.name`,
    );
  }

  listFailed(afterId: number, limit: number): FailedAttempt[] {
    return (this.failed.all(afterId, limit) as Array<AttemptRow & { workflow: string }>).map((row) => ({ ...toAttemptRecord(row), workflow: row.workflow }));
  }

  /** Runs inside the write transaction. */
  setFingerprints(updates: readonly FingerprintUpdate[]): void {
    for (const u of updates) this.setFingerprint.run(u.fingerprint, u.fingerprintVersion, u.id);
  }

  stepCoverage(args: StepCoverageArgs): StepCoverageRow[] {
    const workflow = args.workflow ?? null;
    return this.coverage.all(args.since, args.until, workflow, workflow) as StepCoverageRow[];
  }
}
