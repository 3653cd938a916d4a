import type Database from 'better-sqlite3';
import { ForeignDatabaseError, SchemaTooNewError } from '../../errors/store-errors.js';
import type { Migration } from '../migration.js';
import { backfillFingerprints } from './fingerprint-backfill.js';

export type { Migration };

// Append-only: a released migration is never edited, only followed by a new one, because
// databases in the field already ran it. Times are epoch ms chosen by the caller.
export const MIGRATIONS: readonly Migration<(db: Database.Database) => void>[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
CREATE TABLE runs (
  id TEXT PRIMARY KEY,
  workflow TEXT NOT NULL,
  status TEXT NOT NULL,
  input TEXT NOT NULL,
  output TEXT,
  error TEXT,
  parent_run_id TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  wake_at INTEGER,
  lease_owner TEXT,
  lease_host TEXT,
  lease_pid INTEGER,
  lease_token TEXT,
  lease_expires_at INTEGER,
  cancel_requested INTEGER NOT NULL DEFAULT 0,
  claim_count INTEGER NOT NULL DEFAULT 0
) STRICT;
-- The claim query: pending runs, due sleepers/waiters, expired leases (running runs are few:
-- at most the workers' concurrency, so filtering them by lease_expires_at needs no index).
CREATE INDEX runs_status_wake ON runs (status, wake_at);
CREATE INDEX runs_lease_host ON runs (lease_host) WHERE status = 'running';
CREATE INDEX runs_parent ON runs (parent_run_id) WHERE parent_run_id IS NOT NULL;
CREATE INDEX runs_created ON runs (created_at, id);

-- Every step commit writes one row here, one in attempts and one in events; each b-tree page it
-- touches is one more WAL frame to write and fsync, so the per-step tables are kept to the
-- minimum: step_results is WITHOUT ROWID (one b-tree, not table + key index), and attempts and
-- events use plain INTEGER PRIMARY KEY ids, not AUTOINCREMENT (which would also rewrite the
-- sqlite_sequence page on every commit). Their ids still only grow: rows are never deleted
-- except by a future pruning of the oldest ones.
CREATE TABLE step_results (
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  step_id TEXT NOT NULL,
  name TEXT NOT NULL,
  seq INTEGER NOT NULL,
  kind TEXT NOT NULL,
  status TEXT NOT NULL,
  output TEXT,
  error TEXT,
  attempts INTEGER NOT NULL,
  started_at INTEGER NOT NULL,
  completed_at INTEGER,
  PRIMARY KEY (run_id, step_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE attempts (
  id INTEGER PRIMARY KEY,
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  step_id TEXT NOT NULL,
  step_name TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  started_at INTEGER NOT NULL,
  ended_at INTEGER,
  outcome TEXT NOT NULL,
  error_class TEXT,
  error_message TEXT,
  duration_ms INTEGER,
  worker_id TEXT NOT NULL,
  UNIQUE (run_id, step_id, attempt)
) STRICT;
-- No extra index: UNIQUE (run_id, step_id, attempt) serves lookups by run_id, including the
-- claim's "interrupt running attempts", and every index page costs WAL bytes on each commit.

-- Signals keep AUTOINCREMENT: a step records which signal id it consumed, so an id must never
-- be reused, and signals are rare enough that the sqlite_sequence write does not matter.
CREATE TABLE signals (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  consumed_by_step TEXT
) STRICT;
CREATE INDEX signals_unconsumed ON signals (run_id, name, id) WHERE consumed_by_step IS NULL;

CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  type TEXT NOT NULL,
  data TEXT NOT NULL,
  at INTEGER NOT NULL
) STRICT;
CREATE INDEX events_run ON events (run_id, id);
`,
  },
  {
    version: 2,
    name: 'poison runs: claims without progress',
    // Counts claims since the run last committed a step; a claim at the limit parks the run
    // (status 'parked'). No index: parked runs are found by the status index.
    sql: `ALTER TABLE runs ADD COLUMN claims_without_progress INTEGER NOT NULL DEFAULT 0;`,
  },
  {
    version: 3,
    name: 'lease renewal time',
    // When the lease was last taken or renewed: an attempt interrupted by its worker's death ends
    // there (when the process was last known alive), not when the takeover noticed.
    sql: `ALTER TABLE runs ADD COLUMN lease_renewed_at INTEGER;`,
  },
  {
    version: 4,
    name: 'fallback alternatives on attempts',
    // Which alternative of a fallback chain (ctx.fallback) an attempt ran, and on the last attempt
    // of an alternative the chain left, why it moved on. NULL for plain steps: no page cost there.
    sql: `ALTER TABLE attempts ADD COLUMN alternative TEXT;
ALTER TABLE attempts ADD COLUMN moved_on TEXT;`,
  },
  {
    version: 5,
    name: 'shared circuit breakers',
    // One row per breaker key: the state machine as JSON (src/breakers/machine.ts), with its
    // state and open_until as columns for listing. Written in the store's write transaction.
    sql: `CREATE TABLE breakers (
  key TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  open_until INTEGER NOT NULL,
  data TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);`,
  },
  {
    version: 6,
    name: 'limits: concurrency slots, rate buckets and retry budgets per key',
    // One row per limit key (src/store/limits.ts decides on it): the configuration last used (for
    // `lifeline limits`), the two token buckets (level at *_at, refilled lazily), the throttle
    // count and the retry budget's current window. Slots are leases: a row per attempt holding a
    // concurrency slot of a key, renewed while the attempt runs; an expired row is free.
    sql: `
CREATE TABLE limit_keys (
  key TEXT PRIMARY KEY,
  concurrency INTEGER,
  interval_ms INTEGER NOT NULL DEFAULT 60000,
  calls_capacity REAL,
  calls_level REAL,
  calls_at INTEGER,
  tokens_capacity REAL,
  tokens_level REAL,
  tokens_at INTEGER,
  throttled INTEGER NOT NULL DEFAULT 0,
  budget_window INTEGER,
  budget_successes INTEGER NOT NULL DEFAULT 0,
  budget_retries INTEGER NOT NULL DEFAULT 0,
  budget_wait_ms INTEGER NOT NULL DEFAULT 0,
  budget_refused INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE TABLE limit_slots (
  key TEXT NOT NULL,
  holder TEXT NOT NULL,
  acquired_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (key, holder)
) STRICT, WITHOUT ROWID;
CREATE INDEX limit_slots_holder ON limit_slots (holder);
`,
  },
  {
    version: 7,
    name: 'recovery decisions',
    // One row per recovery decision on a final failure (store/recoveries.ts); open rows are ended
    // when their run (or the run that took over) finishes.
    sql: `
CREATE TABLE recoveries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id TEXT NOT NULL,
  workflow TEXT NOT NULL,
  strategy TEXT NOT NULL,
  reason TEXT NOT NULL,
  error_class TEXT NOT NULL,
  step_id TEXT,
  generation INTEGER NOT NULL,
  taken_over_by TEXT,
  wake_at INTEGER,
  decided_at INTEGER NOT NULL,
  resolution TEXT,
  resolved_at INTEGER,
  outcome TEXT NOT NULL,
  ended_at INTEGER
) STRICT;
CREATE INDEX recoveries_run ON recoveries (run_id, id);
CREATE INDEX recoveries_workflow ON recoveries (workflow, decided_at);
CREATE INDEX recoveries_decided ON recoveries (decided_at);
CREATE INDEX recoveries_taken_over_by ON recoveries (taken_over_by) WHERE taken_over_by IS NOT NULL;
`,
  },
  {
    version: 8,
    name: 'cost ledger',
    sql: `
-- Cost ledger (migration 8): one row per model call of an attempt. A row is first a
-- reservation of the call's worst case (state 'reserved', reserved_micros), then its real cost
-- (state 'committed', cost_micros), or it is released. day is the UTC day of at, the bucket
-- of the per-workflow-per-day cap. Caps are checked by summing these rows under a lock.
CREATE TABLE cost_ledger (
  id INTEGER PRIMARY KEY,
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  workflow TEXT NOT NULL,
  step_id TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  input_tokens INTEGER NOT NULL DEFAULT 0,
  cached_input_tokens INTEGER NOT NULL DEFAULT 0,
  output_tokens INTEGER NOT NULL DEFAULT 0,
  cost_micros INTEGER NOT NULL DEFAULT 0,
  reserved_micros INTEGER NOT NULL DEFAULT 0,
  state TEXT NOT NULL,
  at INTEGER NOT NULL,
  expires_at INTEGER,
  day TEXT NOT NULL
) STRICT;
CREATE INDEX cost_ledger_run ON cost_ledger (run_id, step_id, attempt);
CREATE INDEX cost_ledger_workflow_day ON cost_ledger (workflow, day);
CREATE INDEX cost_ledger_at ON cost_ledger (at);
-- One row per cap scope ('run:<id>', 'workflow:<name>:<day>'). PostgreSQL locks these rows to
-- serialise reservations against one cap; SQLite's write transaction already serialises every
-- writer; it inserts the same rows, so both schemas (and what they record) stay one.
CREATE TABLE cost_budgets (
  scope TEXT PRIMARY KEY,
  created_at INTEGER NOT NULL
) STRICT;
`,
  },
  {
    version: 9,
    name: 'attempt details for insight',
    // Issue 10 §1: what insight groups and filters failures by. error_name/error_kind/fingerprint
    // are set on failed attempts only (fingerprint_version says which algorithm grouped them,
    // src/insight/fingerprint.ts); host is the worker's host; cost_micros the committed cost of
    // the attempt's model calls; tags a JSON object of strings (agent, model, provider, the
    // user's). The index is partial: a succeeding step's commit writes no index page for it.
    sql: `ALTER TABLE attempts ADD COLUMN error_name TEXT;
ALTER TABLE attempts ADD COLUMN error_kind TEXT;
ALTER TABLE attempts ADD COLUMN fingerprint TEXT;
ALTER TABLE attempts ADD COLUMN fingerprint_version INTEGER;
ALTER TABLE attempts ADD COLUMN host TEXT;
ALTER TABLE attempts ADD COLUMN cost_micros INTEGER;
ALTER TABLE attempts ADD COLUMN tags TEXT;
CREATE INDEX attempts_fingerprint ON attempts (fingerprint, ended_at) WHERE fingerprint IS NOT NULL;`,
    // Failed attempts recorded before this migration get their fingerprints (src/insight/refingerprint.ts).
    backfill: backfillFingerprints,
  },
  {
    version: 16,
    name: 'what steps ran with',
    // Issue 10 §6 (coverage): bit flags of what a step ran with (src/insight/ran-with.ts: timeout,
    // retries, side effect, idempotency key read), written with the step's commit. No index: the
    // commit of every step would pay for it; coverage reads a window of step records.
    sql: `ALTER TABLE step_results ADD COLUMN ran_with INTEGER;`,
  },
  {
    version: 14,
    name: 'run trace parent',
    sql: `
-- Migration 14: the W3C traceparent a run was started under (a parent run's child slot, or the
-- caller's active span), so the run's spans join that trace in any worker. NULL: no trace.
ALTER TABLE runs ADD COLUMN trace_parent TEXT;
`,
  },
  {
    version: 13,
    name: 'step cache',
    // The step cache across runs (issue 12 §1, src/store/cache.ts): one row per cache key (a
    // SHA-256 of workflow, step, version and key). A row holds a result (output, its expiry and
    // the run that computed it), a computing lease (holder and expiry: one worker computes, the
    // others wait), or both while an expired result is being recomputed.
    sql: `
CREATE TABLE cache_entries (
  key TEXT PRIMARY KEY,
  workflow TEXT NOT NULL,
  step_name TEXT NOT NULL,
  version TEXT,
  output TEXT,
  source_run_id TEXT,
  created_at INTEGER,
  expires_at INTEGER,
  lease_holder TEXT,
  lease_expires_at INTEGER
) STRICT;
CREATE INDEX cache_entries_step ON cache_entries (workflow, step_name);
CREATE INDEX cache_entries_source ON cache_entries (source_run_id) WHERE source_run_id IS NOT NULL;
`,
  },
  {
    version: 19,
    name: 'run compensation state',
    // Issue 12 §3 (compensation): where undoing a run's completed steps is (requested, running,
    // done, failed; NULL: never asked). The compensations themselves are step_results rows of the
    // run (step ids "compensate:<step id>"), so pruning a run removes them with its steps.
    sql: `ALTER TABLE runs ADD COLUMN compensation TEXT;`,
  },
  {
    version: 17,
    name: 'cron schedules and messages between runs',
    // Schedules (store/schedules.ts): the definition a worker loaded and the firing state every
    // worker shares; fired_through moves on by compare and set (Store.fireSchedule). Messages
    // between runs are signals with a sender and an id derived from the sending step: the unique
    // index makes a repeated send (a replay, a resumed sender) insert nothing.
    sql: `CREATE TABLE schedules (
  id TEXT PRIMARY KEY,
  workflow TEXT NOT NULL,
  cron TEXT NOT NULL,
  timezone TEXT NOT NULL,
  catch_up TEXT NOT NULL,
  input TEXT NOT NULL,
  grace_ms INTEGER NOT NULL,
  max_catch_up INTEGER NOT NULL,
  paused INTEGER NOT NULL DEFAULT 0,
  fired_through INTEGER NOT NULL,
  last_tick INTEGER,
  last_run_id TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
ALTER TABLE signals ADD COLUMN sender_run_id TEXT;
ALTER TABLE signals ADD COLUMN message_id TEXT;
CREATE UNIQUE INDEX signals_message ON signals (message_id) WHERE message_id IS NOT NULL;`,
  },
  {
    version: 18,
    name: 'rewind: step generations',
    // Rewind (issue 12 §2, src/store/rewind.ts): the step results a rewind set aside, copied as
    // they were (every step_results column) with the run's generation they belonged to; a run
    // counts its generations (1 at creation, + 1 per rewind).
    sql: `ALTER TABLE runs ADD COLUMN generation INTEGER NOT NULL DEFAULT 1;
CREATE TABLE step_generations (
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  generation INTEGER NOT NULL,
  step_id TEXT NOT NULL,
  name TEXT NOT NULL,
  seq INTEGER NOT NULL,
  kind TEXT NOT NULL,
  status TEXT NOT NULL,
  output TEXT,
  error TEXT,
  attempts INTEGER NOT NULL,
  started_at INTEGER NOT NULL,
  completed_at INTEGER,
  ran_with INTEGER,
  set_aside_at INTEGER NOT NULL,
  PRIMARY KEY (run_id, generation, step_id)
) STRICT, WITHOUT ROWID;`,
  },
  {
    version: 11,
    name: 'slo alert states and fix records',
    // Issue 10 §4/§5 (src/store/insight-records.ts): slo_states keeps each SLO's last alert level
    // so a transition (ok -> ticket -> paging and back) is reported once, by whichever evaluation
    // saw it first; insight_fixes records a fix made against a failure fingerprint, with the
    // shape (class, kind, name, step, workflow) of its latest failure when it was recorded.
    sql: `CREATE TABLE slo_states (
  key TEXT PRIMARY KEY,
  level TEXT NOT NULL,
  since INTEGER NOT NULL,
  detail TEXT NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
CREATE TABLE insight_fixes (
  id INTEGER PRIMARY KEY,
  fingerprint TEXT NOT NULL,
  note TEXT NOT NULL,
  action TEXT,
  error_class TEXT NOT NULL,
  error_kind TEXT,
  error_name TEXT,
  step_name TEXT NOT NULL,
  workflow TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX insight_fixes_fingerprint ON insight_fixes (fingerprint, created_at);`,
  },
  {
    version: 10,
    name: 'insight rollups',
    // Issue 10 §9: hourly rollups of ended attempts (by ended_at hour, workflow, step, worker and
    // model; model '' when none) with counts, cost and a log-scale duration histogram (JSON:
    // bucket -> count, store/insight-rollup.ts). Maintained lazily by the insight queries, never
    // by a step: the watermark is the last attempt id folded in; attempts that were still running
    // (or ids not yet visible) then wait in insight_rollup_pending and are folded in when they end,
    // into the hour they ended in (an interrupted attempt's ended_at is in the past). The partial
    // index on failed attempts covers the patterns' grouping over a time range (no table lookup
    // per failure); successes write no page of it.
    sql: `CREATE TABLE insight_rollup (
  hour INTEGER NOT NULL,
  workflow TEXT NOT NULL,
  step_name TEXT NOT NULL,
  worker_id TEXT NOT NULL,
  model TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  successes INTEGER NOT NULL,
  first_tries INTEGER NOT NULL,
  first_try_successes INTEGER NOT NULL,
  retries INTEGER NOT NULL,
  cost_micros INTEGER NOT NULL,
  failed_cost_micros INTEGER NOT NULL,
  durations TEXT NOT NULL,
  PRIMARY KEY (hour, workflow, step_name, worker_id, model)
) STRICT, WITHOUT ROWID;
CREATE TABLE insight_rollup_state (
  id INTEGER PRIMARY KEY,
  watermark INTEGER NOT NULL
) STRICT;
INSERT INTO insight_rollup_state (id, watermark) VALUES (1, 0);
CREATE TABLE insight_rollup_pending (
  attempt_id INTEGER PRIMARY KEY,
  noted_at INTEGER NOT NULL
) STRICT;
CREATE INDEX attempts_failed_ended ON attempts (ended_at, fingerprint, run_id, step_name, worker_id, tags) WHERE fingerprint IS NOT NULL;`,
  },
  {
    version: 20,
    name: 'workflow versions and live workers',
    // Issue 12 §4 (docs/decisions/2026-11-30-workflow-versions.md): a run is pinned to the version
    // of the definition that started it (NULL: unversioned, every run before this migration); a
    // claim names the (workflow, version) pairs the worker loaded. `workers` is what each worker
    // says it loaded, refreshed from its poll loop: where "live workers have version 2" comes from.
    // Not run-owned: a worker row is forgotten by the workers themselves once it stops being seen.
    sql: `ALTER TABLE runs ADD COLUMN version INTEGER;
CREATE TABLE workers (
  id TEXT PRIMARY KEY,
  host TEXT NOT NULL,
  pid INTEGER NOT NULL,
  workflows TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL
) STRICT;
CREATE INDEX workers_last_seen ON workers (last_seen_at);`,
  },
  {
    version: 21,
    name: 'schedules created at runtime',
    // Issue 12 §5 (runtime schedules): where a schedule comes from. `code`: a workflow's
    // `schedules`, upserted by every worker that loads it; `runtime`: lifeline.schedule() or
    // `lifeline schedules add`, in the database only. A worker's upsert never touches a runtime row.
    sql: `ALTER TABLE schedules ADD COLUMN source TEXT NOT NULL DEFAULT 'code';`,
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);

/** Highest applied version, 0 for a database Lifeline never touched. Reads only. */
export function readSchemaVersion(db: Database.Database): number {
  const table = db.prepare(`SELECT 1 AS present FROM sqlite_master WHERE type = 'table' AND name = 'lifeline_schema'`).get();
  if (table === undefined) return 0;
  const row = db.prepare('SELECT MAX(version) AS v FROM lifeline_schema').get() as { v: number | null };
  return row.v ?? 0;
}

/**
 * The schema version of a database Lifeline may open, 0 for an empty one. Throws
 * SchemaTooNewError when the file was written by a newer Lifeline, ForeignDatabaseError when it
 * holds another application's tables (and no lifeline_schema). Reads only.
 */
export function assertOpenableSchema(db: Database.Database, location: string): number {
  const found = readSchemaVersion(db);
  if (found > LATEST_SCHEMA_VERSION) throw new SchemaTooNewError(location, found, LATEST_SCHEMA_VERSION);
  if (found === 0) {
    const objects = db.prepare(`SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name`).pluck().all() as string[];
    if (objects.length > 0) throw new ForeignDatabaseError(location, objects);
  }
  return found;
}

/**
 * Brings the schema up to date in ONE immediate transaction: either every pending migration
 * is applied or none is. The version is re-read inside the transaction because another
 * process may have migrated (or upgraded past us) while we waited for the write lock.
 */
export function migrate(db: Database.Database, location: string, now: number): void {
  // Nothing to write on an up-to-date database: reopening never takes the write lock.
  if (assertOpenableSchema(db, location) === LATEST_SCHEMA_VERSION) return;
  db.transaction(() => {
    const current = assertOpenableSchema(db, location);
    if (current === 0) {
      db.exec('CREATE TABLE IF NOT EXISTS lifeline_schema (version INTEGER NOT NULL, applied_at INTEGER NOT NULL, name TEXT)');
    }
    const record = db.prepare('INSERT INTO lifeline_schema (version, applied_at, name) VALUES (?, ?, ?)');
    for (const m of [...MIGRATIONS].sort((a, b) => a.version - b.version)) {
      if (m.version <= current) continue;
      db.exec(m.sql);
      m.backfill?.(db);
      record.run(m.version, now, m.name);
    }
  }).immediate();
}
