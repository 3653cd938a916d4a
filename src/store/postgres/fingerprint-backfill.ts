// Migration 9's backfill (PostgreSQL), as SQLite's (sqlite/fingerprint-backfill.ts): existing
// failed attempts get fingerprints, in batches by id, inside the migration's transaction.
import type pg from 'pg';
import { fingerprintOfStored, preMigrationFailure, REFINGERPRINT_BATCH } from '../../insight/refingerprint.js';

interface Row {
  id: string;
  error_class: string | null;
  error_message: string | null;
  step_name: string;
  workflow: string;
}

export async function backfillFingerprints(client: pg.ClientBase, quoted: string): Promise<void> {
  for (let afterId = '0'; ;) {
    const rows = (
      await client.query<Row>(
        `SELECT a.id, a.error_class, a.error_message, a.step_name, r.workflow FROM ${quoted}.attempts a JOIN ${quoted}.runs r ON r.id = a.run_id
         WHERE a.id > $1 AND a.outcome IN ('failed', 'timeout') AND a.fingerprint IS NULL ORDER BY a.id LIMIT $2`,
        [afterId, REFINGERPRINT_BATCH],
      )
    ).rows;
    if (rows.length === 0) return;
    const updates = rows.map((row) => ({ id: row.id, ...fingerprintOfStored(preMigrationFailure(row)) }));
    await client.query(
      `UPDATE ${quoted}.attempts AS a SET fingerprint = u.f, fingerprint_version = u.v
       FROM json_to_recordset($1::json) AS u (id bigint, f text, v int) WHERE a.id = u.id`,
      [JSON.stringify(updates.map((u) => ({ id: u.id, f: u.fingerprint, v: u.version })))],
    );
    afterId = (rows[rows.length - 1] as Row).id;
  }
}
