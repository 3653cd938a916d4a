// Numbered, append-only migrations of the PostgreSQL schema, applied once even when many workers
// start at the same moment. `$S` in the SQL is the quoted schema name.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { ForeignDatabaseError, SchemaTooNewError, StoreOpenError } from '../../errors/store-errors.js';
import type { Migration } from '../migration.js';
import { backfillFingerprints } from './fingerprint-backfill.js';

export type { Migration };

// The same tables and columns as the SQLite schema (src/store/sqlite/migrations.ts), so the
// records map identically. Adapted: times are BIGINT epoch ms (chosen by the caller, never the
// server clock); ids are identity columns; JSON stays TEXT because the store must return the
// exact text it was given (JSONB would reorder keys and reject the '' undefined-marker).
// cancel_requested stays an integer 0/1 like SQLite's, so both share one row mapping.
// Indexes as in SQLite; see below for the foreign keys.
export const MIGRATIONS: readonly Migration<(client: pg.ClientBase, quoted: string) => Promise<void>>[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
CREATE TABLE $S.runs (
  id TEXT PRIMARY KEY,
  workflow TEXT NOT NULL,
  status TEXT NOT NULL,
  input TEXT NOT NULL,
  output TEXT,
  error TEXT,
  parent_run_id TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  wake_at BIGINT,
  lease_owner TEXT,
  lease_host TEXT,
  lease_pid INTEGER,
  lease_token TEXT,
  lease_expires_at BIGINT,
  cancel_requested SMALLINT NOT NULL DEFAULT 0,
  claim_count INTEGER NOT NULL DEFAULT 0
) WITH (fillfactor = 90); -- free space on each page lets heartbeats (no indexed column) be HOT updates
CREATE INDEX runs_status_wake ON $S.runs (status, wake_at);
CREATE INDEX runs_lease_host ON $S.runs (lease_host) WHERE status = 'running';
CREATE INDEX runs_parent ON $S.runs (parent_run_id) WHERE parent_run_id IS NOT NULL;
CREATE INDEX runs_created ON $S.runs (created_at, id);

-- No FOREIGN KEY to runs on the tables below (SQLite has them): in PostgreSQL each one runs a
-- trigger query per inserted row, measured ~0.05 ms each, ~0.17 ms of CPU per commitStep (three
-- inserts) on a write that should cost little more than its WAL flush. The writes keep the
-- link themselves: commitStep and the transitions are fenced on (or lock) the run row, and
-- attempts and events are only written for runs a worker claimed. Pruning runs, when it comes,
-- deletes their rows from these tables explicitly.

CREATE TABLE $S.step_results (
  run_id TEXT NOT NULL,
  step_id TEXT NOT NULL,
  name TEXT NOT NULL,
  seq INTEGER NOT NULL,
  kind TEXT NOT NULL,
  status TEXT NOT NULL,
  output TEXT,
  error TEXT,
  attempts INTEGER NOT NULL,
  started_at BIGINT NOT NULL,
  completed_at BIGINT,
  PRIMARY KEY (run_id, step_id)
);

CREATE TABLE $S.attempts (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id TEXT NOT NULL,
  step_id TEXT NOT NULL,
  step_name TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  started_at BIGINT NOT NULL,
  ended_at BIGINT,
  outcome TEXT NOT NULL,
  error_class TEXT,
  error_message TEXT,
  duration_ms BIGINT,
  worker_id TEXT NOT NULL,
  UNIQUE (run_id, step_id, attempt)
);

CREATE TABLE $S.signals (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id TEXT NOT NULL,
  name TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  consumed_by_step TEXT
);
CREATE INDEX signals_unconsumed ON $S.signals (run_id, name, id) WHERE consumed_by_step IS NULL;

CREATE TABLE $S.events (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id TEXT NOT NULL,
  type TEXT NOT NULL,
  data TEXT NOT NULL,
  at BIGINT NOT NULL
);
CREATE INDEX events_run ON $S.events (run_id, id);

-- Lets a single-statement write roll itself back with a recognisable error when a check made
-- inside the statement fails (e.g. a signal that is already consumed); see ERRCODE_REFUSED.
CREATE FUNCTION $S.lifeline_refuse(code TEXT) RETURNS INTEGER LANGUAGE plpgsql VOLATILE AS $fn$
BEGIN
  RAISE EXCEPTION USING ERRCODE = 'LL001', MESSAGE = code;
END
$fn$;
`,
  },
  {
    version: 2,
    name: 'poison runs: claims without progress',
    // As in SQLite (migration 2 there): claims since the run last committed a step.
    sql: `ALTER TABLE $S.runs ADD COLUMN claims_without_progress INTEGER NOT NULL DEFAULT 0;`,
  },
  {
    version: 3,
    name: 'lease renewal time',
    // As in SQLite: when the lease was last taken or renewed, where an interrupted attempt ends.
    sql: `ALTER TABLE $S.runs ADD COLUMN lease_renewed_at BIGINT;`,
  },
  {
    version: 4,
    name: 'fallback alternatives on attempts',
    // As in SQLite: the fallback alternative an attempt ran, and why the chain left it.
    sql: `ALTER TABLE $S.attempts ADD COLUMN alternative TEXT;
ALTER TABLE $S.attempts ADD COLUMN moved_on TEXT;`,
  },
  {
    version: 5,
    name: 'shared circuit breakers',
    // One row per breaker key: the state machine as JSON (src/breakers/machine.ts), with its
    // state and open_until as columns for listing. Updated under the row's lock.
    sql: `CREATE TABLE $S.breakers (
  key TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  open_until BIGINT NOT NULL,
  data TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);`,
  },
  {
    version: 6,
    name: 'limits: concurrency slots, rate buckets and retry budgets per key',
    // As in SQLite (see there); REAL is DOUBLE PRECISION here.
    sql: `
CREATE TABLE $S.limit_keys (
  key TEXT PRIMARY KEY,
  concurrency BIGINT,
  interval_ms BIGINT NOT NULL DEFAULT 60000,
  calls_capacity DOUBLE PRECISION,
  calls_level DOUBLE PRECISION,
  calls_at BIGINT,
  tokens_capacity DOUBLE PRECISION,
  tokens_level DOUBLE PRECISION,
  tokens_at BIGINT,
  throttled BIGINT NOT NULL DEFAULT 0,
  budget_window BIGINT,
  budget_successes BIGINT NOT NULL DEFAULT 0,
  budget_retries BIGINT NOT NULL DEFAULT 0,
  budget_wait_ms BIGINT NOT NULL DEFAULT 0,
  budget_refused BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE $S.limit_slots (
  key TEXT NOT NULL,
  holder TEXT NOT NULL,
  acquired_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  PRIMARY KEY (key, holder)
);
CREATE INDEX limit_slots_holder ON $S.limit_slots (holder);
`,
  },
  {
    version: 7,
    name: 'recovery decisions',
    // As in SQLite (migration 7 there): one row per recovery decision.
    sql: `
CREATE TABLE $S.recoveries (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id TEXT NOT NULL,
  workflow TEXT NOT NULL,
  strategy TEXT NOT NULL,
  reason TEXT NOT NULL,
  error_class TEXT NOT NULL,
  step_id TEXT,
  generation INTEGER NOT NULL,
  taken_over_by TEXT,
  wake_at BIGINT,
  decided_at BIGINT NOT NULL,
  resolution TEXT,
  resolved_at BIGINT,
  outcome TEXT NOT NULL,
  ended_at BIGINT
);
CREATE INDEX recoveries_run ON $S.recoveries (run_id, id);
CREATE INDEX recoveries_workflow ON $S.recoveries (workflow, decided_at);
CREATE INDEX recoveries_decided ON $S.recoveries (decided_at);
CREATE INDEX recoveries_taken_over_by ON $S.recoveries (taken_over_by) WHERE taken_over_by IS NOT NULL;
`,
  },
  {
    version: 8,
    name: 'cost ledger',
    sql: `
-- As in SQLite (migration 8 there), without the foreign key (see migration 1).
-- Cost ledger (migration 8): one row per model call of an attempt. A row is first a
-- reservation of the call's worst case (state 'reserved', reserved_micros), then its real cost
-- (state 'committed', cost_micros), or it is released. day is the UTC day of at, the bucket
-- of the per-workflow-per-day cap. Caps are checked by summing these rows under a lock.
CREATE TABLE $S.cost_ledger (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id TEXT NOT NULL,
  workflow TEXT NOT NULL,
  step_id TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  input_tokens BIGINT NOT NULL DEFAULT 0,
  cached_input_tokens BIGINT NOT NULL DEFAULT 0,
  output_tokens BIGINT NOT NULL DEFAULT 0,
  cost_micros BIGINT NOT NULL DEFAULT 0,
  reserved_micros BIGINT NOT NULL DEFAULT 0,
  state TEXT NOT NULL,
  at BIGINT NOT NULL,
  expires_at BIGINT,
  day TEXT NOT NULL
);
CREATE INDEX cost_ledger_run ON $S.cost_ledger (run_id, step_id, attempt);
CREATE INDEX cost_ledger_workflow_day ON $S.cost_ledger (workflow, day);
CREATE INDEX cost_ledger_at ON $S.cost_ledger (at);
-- One row per cap scope ('run:<id>', 'workflow:<name>:<day>'). PostgreSQL locks these rows to
-- serialise reservations against one cap; SQLite's write transaction already serialises every
-- writer; it inserts the same rows, so both schemas (and what they record) stay one.
CREATE TABLE $S.cost_budgets (
  scope TEXT PRIMARY KEY,
  created_at BIGINT NOT NULL
);
`,
  },
  {
    version: 9,
    name: 'attempt details for insight',
    // As in SQLite (migration 9 there): failure details, host, cost and tags of an attempt.
    sql: `ALTER TABLE $S.attempts ADD COLUMN error_name TEXT;
ALTER TABLE $S.attempts ADD COLUMN error_kind TEXT;
ALTER TABLE $S.attempts ADD COLUMN fingerprint TEXT;
ALTER TABLE $S.attempts ADD COLUMN fingerprint_version INTEGER;
ALTER TABLE $S.attempts ADD COLUMN host TEXT;
ALTER TABLE $S.attempts ADD COLUMN cost_micros BIGINT;
ALTER TABLE $S.attempts ADD COLUMN tags TEXT;
CREATE INDEX attempts_fingerprint ON $S.attempts (fingerprint, ended_at) WHERE fingerprint IS NOT NULL;`,
    backfill: backfillFingerprints,
  },
  {
    version: 16,
    name: 'what steps ran with',
    // As in SQLite (migration 16 there): coverage flags of a step, written with its commit.
    sql: `ALTER TABLE $S.step_results ADD COLUMN ran_with INTEGER;`,
  },
  {
    version: 14,
    name: 'run trace parent',
    sql: `
-- Migration 14: the W3C traceparent a run was started under (a parent run's child slot, or the
-- caller's active span), so the run's spans join that trace in any worker. NULL: no trace.
ALTER TABLE $S.runs ADD COLUMN trace_parent TEXT;
`,
  },
  {
    version: 13,
    name: 'step cache',
    // As in SQLite (migration 13 there): one row per step cache key.
    sql: `
CREATE TABLE $S.cache_entries (
  key TEXT PRIMARY KEY,
  workflow TEXT NOT NULL,
  step_name TEXT NOT NULL,
  version TEXT,
  output TEXT,
  source_run_id TEXT,
  created_at BIGINT,
  expires_at BIGINT,
  lease_holder TEXT,
  lease_expires_at BIGINT
);
CREATE INDEX cache_entries_step ON $S.cache_entries (workflow, step_name);
CREATE INDEX cache_entries_source ON $S.cache_entries (source_run_id) WHERE source_run_id IS NOT NULL;
`,
  },
  {
    version: 19,
    name: 'run compensation state',
    // Issue 12 §3 (compensation): where undoing a run's completed steps is (requested, running,
    // done, failed; NULL: never asked). The compensations themselves are step_results rows of the
    // run (step ids "compensate:<step id>"), so pruning a run removes them with its steps.
    sql: `ALTER TABLE $S.runs ADD COLUMN compensation TEXT;`,
  },
  {
    version: 17,
    name: 'cron schedules and messages between runs',
    // As in SQLite (migration 17 there): schedules with their shared firing state; signals gain
    // a sender and a message id, unique so that a repeated send inserts nothing.
    sql: `CREATE TABLE $S.schedules (
  id TEXT PRIMARY KEY,
  workflow TEXT NOT NULL,
  cron TEXT NOT NULL,
  timezone TEXT NOT NULL,
  catch_up TEXT NOT NULL,
  input TEXT NOT NULL,
  grace_ms BIGINT NOT NULL,
  max_catch_up INTEGER NOT NULL,
  paused INTEGER NOT NULL DEFAULT 0,
  fired_through BIGINT NOT NULL,
  last_tick BIGINT,
  last_run_id TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
ALTER TABLE $S.signals ADD COLUMN sender_run_id TEXT;
ALTER TABLE $S.signals ADD COLUMN message_id TEXT;
CREATE UNIQUE INDEX signals_message ON $S.signals (message_id) WHERE message_id IS NOT NULL;`,
  },
  {
    version: 18,
    name: 'rewind: step generations',
    // As in SQLite (migration 18 there): step results set aside by a rewind, and a run's generation.
    sql: `ALTER TABLE $S.runs ADD COLUMN generation INTEGER NOT NULL DEFAULT 1;
CREATE TABLE $S.step_generations (
  run_id TEXT NOT NULL,
  generation INTEGER NOT NULL,
  step_id TEXT NOT NULL,
  name TEXT NOT NULL,
  seq INTEGER NOT NULL,
  kind TEXT NOT NULL,
  status TEXT NOT NULL,
  output TEXT,
  error TEXT,
  attempts INTEGER NOT NULL,
  started_at BIGINT NOT NULL,
  completed_at BIGINT,
  ran_with INTEGER,
  set_aside_at BIGINT NOT NULL,
  PRIMARY KEY (run_id, generation, step_id)
);`,
  },
  {
    version: 11,
    name: 'slo alert states and fix records',
    // As in SQLite (migration 11 there): SLO alert levels and fix records.
    sql: `CREATE TABLE $S.slo_states (
  key TEXT PRIMARY KEY,
  level TEXT NOT NULL,
  since BIGINT NOT NULL,
  detail TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE TABLE $S.insight_fixes (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  fingerprint TEXT NOT NULL,
  note TEXT NOT NULL,
  action TEXT,
  error_class TEXT NOT NULL,
  error_kind TEXT,
  error_name TEXT,
  step_name TEXT NOT NULL,
  workflow TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX insight_fixes_fingerprint ON $S.insight_fixes (fingerprint, created_at);`,
  },
  {
    version: 10,
    name: 'insight rollups',
    // As in SQLite (migration 10 there): hourly attempt rollups, their watermark and pending ids.
    sql: `CREATE TABLE $S.insight_rollup (
  hour BIGINT NOT NULL,
  workflow TEXT NOT NULL,
  step_name TEXT NOT NULL,
  worker_id TEXT NOT NULL,
  model TEXT NOT NULL,
  attempts BIGINT NOT NULL,
  successes BIGINT NOT NULL,
  first_tries BIGINT NOT NULL,
  first_try_successes BIGINT NOT NULL,
  retries BIGINT NOT NULL,
  cost_micros BIGINT NOT NULL,
  failed_cost_micros BIGINT NOT NULL,
  durations TEXT NOT NULL,
  PRIMARY KEY (hour, workflow, step_name, worker_id, model)
);
CREATE TABLE $S.insight_rollup_state (
  id INTEGER PRIMARY KEY,
  watermark BIGINT NOT NULL
);
INSERT INTO $S.insight_rollup_state (id, watermark) VALUES (1, 0);
CREATE TABLE $S.insight_rollup_pending (
  attempt_id BIGINT PRIMARY KEY,
  noted_at BIGINT NOT NULL
);
CREATE INDEX attempts_failed_ended ON $S.attempts (ended_at, fingerprint, run_id, step_name, worker_id, tags) WHERE fingerprint IS NOT NULL;`,
  },
  {
    version: 20,
    name: 'workflow versions and live workers',
    // As in SQLite (migration 20 there): the run's pinned version and the workers' loaded versions.
    sql: `ALTER TABLE $S.runs ADD COLUMN version INTEGER;
CREATE TABLE $S.workers (
  id TEXT PRIMARY KEY,
  host TEXT NOT NULL,
  pid INTEGER NOT NULL,
  workflows TEXT NOT NULL,
  started_at BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL
);
CREATE INDEX workers_last_seen ON $S.workers (last_seen_at);`,
  },
  {
    version: 21,
    name: 'schedules created at runtime',
    // As in SQLite (migration 21 there): `code` or `runtime`; a worker's upsert never touches a runtime row.
    sql: `ALTER TABLE $S.schedules ADD COLUMN source TEXT NOT NULL DEFAULT 'code';`,
  },
];

/** SQLSTATE raised by lifeline_refuse(); its message is a Lifeline error code. */
export const ERRCODE_REFUSED = 'LL001';

export const LATEST_SCHEMA_VERSION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);

/** Stable 64-bit advisory-lock key for one schema, so two schemas never wait for each other. */
export function migrationLockKey(schema: string): string {
  const digest = createHash('sha256').update(`lifeline:migrate:${schema}`).digest();
  return digest.readBigInt64BE(0).toString();
}

/**
 * Highest applied version; 0 when the schema or its version table is missing. Reads only.
 * pg_class is queried rather than to_regclass(): after waiting for the migration lock, the
 * backend's catalog cache may still remember the table as missing; a query sees the commit.
 */
async function readSchemaVersion(client: pg.ClientBase, schema: string, quoted: string): Promise<number> {
  const table = await client.query(
    `SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relname = 'lifeline_schema'`,
    [schema],
  );
  if (table.rowCount === 0) return 0;
  const row = await client.query<{ v: number | null }>(`SELECT MAX(version) AS v FROM ${quoted}.lifeline_schema`);
  return row.rows[0]?.v ?? 0;
}

/**
 * The schema version of a schema Lifeline may use, 0 for a missing or empty one. Throws
 * SchemaTooNewError for a newer Lifeline's schema, ForeignDatabaseError for a schema that holds
 * another application's tables (and no lifeline_schema). Reads only.
 */
async function assertNotTooNew(client: pg.ClientBase, schema: string, quoted: string, location: string): Promise<number> {
  const found = await readSchemaVersion(client, schema, quoted);
  if (found > LATEST_SCHEMA_VERSION) throw new SchemaTooNewError(location, found, LATEST_SCHEMA_VERSION);
  if (found === 0) {
    const others = await client.query<{ relname: string }>(
      `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f') ORDER BY c.relname`,
      [schema],
    );
    if (others.rows.length > 0)
      throw new ForeignDatabaseError(
        location,
        others.rows.map((r) => r.relname),
      );
  }
  return found;
}

/** For a read-only open: the schema must exist and be current; nothing is written. */
export async function assertCurrent(client: pg.ClientBase, schema: string, quoted: string, location: string): Promise<void> {
  const version = await assertNotTooNew(client, schema, quoted, location);
  if (version === 0) {
    throw new StoreOpenError(location, 'no Lifeline schema there (a read-only command never creates one; check --db or LIFELINE_DB)');
  }
  if (version < LATEST_SCHEMA_VERSION) {
    throw new StoreOpenError(
      location,
      `its schema (version ${version}) is older than this Lifeline's (${LATEST_SCHEMA_VERSION}); a read-only command does not migrate it: run a worker or another command that writes first`,
    );
  }
}

/**
 * Brings the schema up to date in ONE transaction under a transaction-scoped advisory lock:
 * workers starting together queue on the lock, the first migrates, the others then find the
 * schema current (the version is re-read after the lock) and change nothing. An up-to-date or
 * too-new schema is detected with reads only, so it is never written to.
 */
export async function migrate(client: pg.ClientBase, schema: string, quoted: string, location: string, now: number): Promise<void> {
  if ((await assertNotTooNew(client, schema, quoted, location)) === LATEST_SCHEMA_VERSION) return;
  await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [migrationLockKey(schema)]);
    const current = await assertNotTooNew(client, schema, quoted, location);
    if (current === 0) {
      // Only when missing: CREATE SCHEMA IF NOT EXISTS still needs CREATE on the database.
      const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
      if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${quoted}`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${quoted}.lifeline_schema (version INTEGER NOT NULL, applied_at BIGINT NOT NULL, name TEXT)`);
    }
    for (const m of [...MIGRATIONS].sort((a, b) => a.version - b.version)) {
      if (m.version <= current) continue;
      await client.query(m.sql.replaceAll('$S', quoted));
      if (m.backfill) await m.backfill(client, quoted);
      await client.query(`INSERT INTO ${quoted}.lifeline_schema (version, applied_at, name) VALUES ($1, $2, $3)`, [m.version, now, m.name]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}
