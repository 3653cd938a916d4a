// Migration 9 fills the fingerprints of failed attempts recorded before it (the runner's backfill
// hook), on both backends, in batches larger than one page; and `refingerprint` then finds
// nothing to change (the backfill and the recomputation agree), while a rule regroups explicitly.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS as SQLITE_MIGRATIONS } from '../../src/store/sqlite/migrations.js';
import { MIGRATIONS as PG_MIGRATIONS } from '../../src/store/postgres/migrations.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { fingerprintOfStored, refingerprint, REFINGERPRINT_BATCH } from '../../src/insight/refingerprint.js';
import type { Store } from '../../src/store/store.js';
import { usePostgres } from '../pg/pg-fixture.js';
import { tempDir } from '../helpers.js';

const T0 = 1_700_000_000_000;
/** Failed attempts of run r1 (workflow wf) before migration 9: more than one backfill batch. */
const N = REFINGERPRINT_BATCH + 5;
const message = (i: number) => `upstream 50${i % 3} for request req_${i}ab${i}zz`;

function oldRows(): unknown[][] {
  return Array.from({ length: N + 1 }, (_, i) => {
    const ok = i === N; // the last one succeeded: no fingerprint
    return [
      'r1',
      `call#${i}`,
      i % 2 === 0 ? 'call' : 'other',
      1,
      T0,
      T0 + 1,
      ok ? 'succeeded' : 'failed',
      ok ? null : 'transient',
      ok ? null : message(i),
      1,
      'w',
    ];
  });
}
const INSERT_ATTEMPT = `(run_id, step_id, step_name, attempt, started_at, ended_at, outcome, error_class, error_message, duration_ms, worker_id)`;

async function expectBackfilled(store: Store): Promise<void> {
  const attempts = await store.listAttempts('r1');
  expect(attempts).toHaveLength(N + 1);
  for (const a of attempts) {
    if (a.outcome === 'succeeded') {
      expect(a.fingerprint).toBeNull();
      continue;
    }
    const expected = fingerprintOfStored({ ...a, workflow: 'wf' });
    expect([a.fingerprint, a.fingerprintVersion]).toEqual([expected.fingerprint, expected.version]);
  }
  // Two groups: the message numbers and ids are normalized away; the step names differ.
  expect(new Set(attempts.filter((a) => a.fingerprint !== null).map((a) => a.fingerprint)).size).toBe(2);
  expect(await refingerprint(store, { dryRun: true })).toEqual({ scanned: N, changed: 0, olderVersion: 0, version: 1, dryRun: true });
  const merged = await refingerprint(store, { rules: [{ match: { message: /upstream/ }, group: 'upstream' }], batchSize: 100 });
  expect(merged).toEqual({ scanned: N, changed: N, olderVersion: 0, version: 1, dryRun: false });
  expect(new Set((await store.listAttempts('r1')).filter((a) => a.fingerprint !== null).map((a) => a.fingerprint)).size).toBe(1);
}

describe('migration 9 backfills fingerprints', () => {
  let cleanup = () => {};
  afterEach(() => cleanup());

  it('on SQLite', async () => {
    const tmp = tempDir();
    cleanup = tmp.cleanup;
    const path = join(tmp.dir, 'v8.db');
    const db = new Database(path);
    db.exec('CREATE TABLE lifeline_schema (version INTEGER NOT NULL, applied_at INTEGER NOT NULL, name TEXT)');
    for (const m of SQLITE_MIGRATIONS.filter((m) => m.version <= 8)) {
      db.exec(m.sql);
      db.prepare('INSERT INTO lifeline_schema VALUES (?, ?, ?)').run(m.version, T0, m.name);
    }
    db.prepare(`INSERT INTO runs (id, workflow, status, input, created_at, updated_at) VALUES ('r1', 'wf', 'failed', '{}', ?, ?)`).run(T0, T0);
    const insert = db.prepare(`INSERT INTO attempts ${INSERT_ATTEMPT} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    db.transaction(() => oldRows().forEach((row) => insert.run(...row)))();
    db.close();
    const store = await openSqliteStore(path);
    try {
      await expectBackfilled(store);
    } finally {
      await store.close();
    }
  });

  const pg = usePostgres();
  it('on PostgreSQL', async () => {
    const schema = pg.freshSchema();
    const q = `"${schema}"`;
    await pg.withClient(async (c) => {
      await c.query(`CREATE SCHEMA ${q}`);
      await c.query(`CREATE TABLE ${q}.lifeline_schema (version INTEGER NOT NULL, applied_at BIGINT NOT NULL, name TEXT)`);
      for (const m of PG_MIGRATIONS.filter((m) => m.version <= 8)) {
        await c.query(m.sql.replaceAll('$S', q));
        await c.query(`INSERT INTO ${q}.lifeline_schema VALUES ($1, $2, $3)`, [m.version, T0, m.name]);
      }
      await c.query(`INSERT INTO ${q}.runs (id, workflow, status, input, created_at, updated_at) VALUES ('r1', 'wf', 'failed', '{}', $1, $1)`, [T0]);
      await c.query('BEGIN');
      for (const row of oldRows()) await c.query(`INSERT INTO ${q}.attempts ${INSERT_ATTEMPT} VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, row);
      await c.query('COMMIT');
    });
    const store = await openPostgresStore(pg.server().url, { schema });
    try {
      await expectBackfilled(store);
    } finally {
      await store.close();
      await pg.withClient((c) => c.query(`DROP SCHEMA ${q} CASCADE`));
    }
  });
});
