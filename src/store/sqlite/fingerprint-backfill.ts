// Migration 9's backfill (SQLite): the failed attempts recorded before it get fingerprints, in
// batches of REFINGERPRINT_BATCH by id, inside the migration's transaction (all or nothing: an
// interrupted migration is applied again from the start on the next open). No user rules apply
// here (the store is opened without them): `lifeline insight refingerprint` regroups with rules.
import type Database from 'better-sqlite3';
import { fingerprintOfStored, preMigrationFailure, REFINGERPRINT_BATCH } from '../../insight/refingerprint.js';

interface Row {
  id: number;
  error_class: string | null;
  error_message: string | null;
  step_name: string;
  workflow: string;
}

export function backfillFingerprints(db: Database.Database): void {
  const page = db.prepare(
    `SELECT a.id, a.error_class, a.error_message, a.step_name, r.workflow FROM attempts a JOIN runs r ON r.id = a.run_id
     WHERE a.id > ? AND a.outcome IN ('failed', 'timeout') AND a.fingerprint IS NULL ORDER BY a.id LIMIT ?`,
  );
  const set = db.prepare('UPDATE attempts SET fingerprint = ?, fingerprint_version = ? WHERE id = ?');
  for (let afterId = 0; ;) {
    const rows = page.all(afterId, REFINGERPRINT_BATCH) as Row[];
    if (rows.length === 0) return;
    for (const row of rows) {
      const { fingerprint, version } = fingerprintOfStored(preMigrationFailure(row));
      set.run(fingerprint, version, row.id);
    }
    afterId = (rows[rows.length - 1] as Row).id;
  }
}
