// Insight aggregates over the attempts table (issue 10 §2, §3, §9), shared by both backends: the
// query and result shapes of Store.attemptRollups / Store.failureGroups, the log-scale duration
// histogram, and the fold of attempt rows into hourly rollup rows. The backends only read and
// write rows (sqlite/insight-ops.ts, postgres/insight-ops.ts). Decision record:
// docs/decisions/2026-11-30-insight-rollups.md.

export const HOUR_MS = 3_600_000;

/** Buckets per doubling of the duration histogram: representative values are within 4.4 %. */
export const HISTOGRAM_BUCKETS_PER_DOUBLING = 8;
/**
 * Attempt ids folded per catch-up transaction. SQLite holds its one write lock for a chunk
 * (workers' step commits wait that long): 10 000 attempts are ~40 ms on a quiet machine.
 * PostgreSQL locks only the rollup's state row, so it takes larger chunks (fewer round trips).
 */
export const ROLLUP_CHUNK = 10_000;
export const PG_ROLLUP_CHUNK = 100_000;
/** A missing attempt id (a PostgreSQL insert not yet committed, or rolled back) is waited for this long. */
export const ROLLUP_GAP_GRACE_MS = 10 * 60_000;

/**
 * Histogram bucket of a duration: 0 below 1 ms, else 1 + floor(log2(ms) * 8 + 1e-9). The 1e-9
 * keeps exact powers of two in their own bucket whatever the rounding of the logarithm (the
 * PostgreSQL catch-up computes it as ln(ms) / ln(2) in SQL: DURATION_BUCKET_SQL).
 */
export function durationBucket(ms: number): number {
  return ms < 1 ? 0 : 1 + Math.floor(Math.log2(ms) * HISTOGRAM_BUCKETS_PER_DOUBLING + 1e-9);
}

/** durationBucket in SQL over `a.duration_ms` (PostgreSQL). */
export const DURATION_BUCKET_SQL = `CASE WHEN a.duration_ms IS NULL THEN NULL WHEN a.duration_ms < 1 THEN 0
  ELSE 1 + floor(ln(a.duration_ms::float8) / ln(2::float8) * ${HISTOGRAM_BUCKETS_PER_DOUBLING} + 1e-9)::int END`;

/** The value a bucket stands for: the geometric middle of its range (0 for bucket 0). */
export function bucketValue(bucket: number): number {
  return bucket === 0 ? 0 : 2 ** ((bucket - 0.5) / HISTOGRAM_BUCKETS_PER_DOUBLING);
}

/** Sparse histogram: bucket -> count. */
export type DurationHistogram = Record<number, number>;

export function mergeHistogram(into: DurationHistogram, from: DurationHistogram): void {
  for (const [k, n] of Object.entries(from)) into[Number(k)] = (into[Number(k)] ?? 0) + n;
}

/** Nearest-rank percentile (q in (0, 1]) of a histogram, null when it is empty. */
export function histogramPercentile(h: DurationHistogram, q: number): number | null {
  const buckets = Object.keys(h)
    .map(Number)
    .sort((a, b) => a - b);
  const total = buckets.reduce((s, b) => s + (h[b] ?? 0), 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (const b of buckets) {
    seen += h[b] ?? 0;
    if (seen >= rank) return bucketValue(b);
  }
  return bucketValue(buckets[buckets.length - 1]!);
}

export interface AttemptRollupQuery {
  /** Hours that overlap [since, until) are returned: the hour holding `since` counts whole. */
  since: number;
  until: number;
  workflow?: string;
  /** The caller's time: decides when a missing attempt id is given up (ROLLUP_GAP_GRACE_MS). */
  now: number;
}

/** Ended attempts (not cancelled) of one hour (by ended_at), workflow, step, worker and model. */
export interface AttemptRollup {
  hour: number;
  workflow: string;
  step: string;
  worker: string;
  /** `provider/model` (or the model alone) from the attempts' tags; null without a model tag. */
  model: string | null;
  attempts: number;
  successes: number;
  /** Attempts numbered 1, and those of them that succeeded. */
  firstTries: number;
  firstTrySuccesses: number;
  /** Attempts numbered 2 or more. */
  retries: number;
  costMicros: number;
  /** Cost of the attempts that did not succeed. */
  failedCostMicros: number;
  durations: DurationHistogram;
}

export interface FailureQuery {
  /** Failed attempts (fingerprint set) that ended in [since, until). */
  since: number;
  until: number;
  workflow?: string;
  /** For each mark, a group also counts its failures that ended at or after it (FailureGroup.counts). */
  marks?: readonly number[];
}

/** Failures of one fingerprint on one workflow, step, worker and model. */
export interface FailureGroup {
  fingerprint: string;
  workflow: string;
  step: string;
  worker: string;
  model: string | null;
  count: number;
  /** counts[i]: of `count`, those that ended at or after marks[i]. */
  counts: number[];
  firstSeen: number;
  lastSeen: number;
}

/** A fingerprint's summary over [marks[0] (or since), until). */
export interface FailureFingerprint {
  fingerprint: string;
  fingerprintVersion: number | null;
  errorClass: string | null;
  errorKind: string | null;
  errorName: string | null;
  count: number;
  /** Distinct runs. */
  runs: number;
  /** The latest failure's (redacted) message, run and attempt id. */
  exampleMessage: string;
  exampleRunId: string;
  exampleAttemptId: number;
}

export interface FailureGroups {
  groups: FailureGroup[];
  fingerprints: FailureFingerprint[];
}

/** The model key of an attempt from its tags' provider and model. */
export function modelKey(provider: string | null, model: string | null): string | null {
  if (model === null || model === '') return null;
  return provider === null || provider === '' ? model : `${provider}/${model}`;
}

/**
 * Ended attempts (not cancelled) grouped by the database in a catch-up: one row per hour,
 * workflow, step, worker, model, success, first try and duration bucket (`ROLLUP_GROUP_SELECT`).
 */
export interface RollupGroupRow {
  hour: number | string;
  workflow: string;
  step_name: string;
  worker_id: string;
  provider: string | null;
  model: string | null;
  ok: number | boolean;
  first: number | boolean;
  /** Duration bucket (durationBucket); null when the attempt has no duration. */
  bucket: number | string | null;
  n: number | string;
  cost: number | string | null;
}

/**
 * The grouped select of a catch-up, for both backends: `bucket` is the SQL of the duration
 * bucket (SQLite: the registered JS function; PostgreSQL: the same formula in SQL), `from` the
 * attempts/runs join, `where` the attempts to fold.
 */
export function rollupGroupSelect(bucket: string, tag: (key: string) => string, from: string, where: string): string {
  return `SELECT a.ended_at - a.ended_at % ${HOUR_MS} AS hour, r.workflow, a.step_name, a.worker_id, ${tag('provider')} AS provider, ${tag('model')} AS model,
    CASE WHEN a.outcome = 'succeeded' THEN 1 ELSE 0 END AS ok, CASE WHEN a.attempt = 1 THEN 1 ELSE 0 END AS first, ${bucket} AS bucket,
    COUNT(*) AS n, SUM(COALESCE(a.cost_micros, 0)) AS cost
    FROM ${from} WHERE ${where} AND a.ended_at IS NOT NULL AND a.outcome NOT IN ('running', 'cancelled')
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9`;
}

/** Folds grouped rows into rollup deltas by key. */
export function foldGroups(rows: readonly RollupGroupRow[]): Map<string, AttemptRollup> {
  const deltas = new Map<string, AttemptRollup>();
  for (const row of rows) {
    const hour = Number(row.hour);
    const model = modelKey(row.provider, row.model);
    const key = rollupKey({ hour, workflow: row.workflow, step: row.step_name, worker: row.worker_id, model });
    let r = deltas.get(key);
    if (r === undefined) {
      r = {
        hour,
        workflow: row.workflow,
        step: row.step_name,
        worker: row.worker_id,
        model,
        attempts: 0,
        successes: 0,
        firstTries: 0,
        firstTrySuccesses: 0,
        retries: 0,
        costMicros: 0,
        failedCostMicros: 0,
        durations: {},
      };
      deltas.set(key, r);
    }
    const n = Number(row.n);
    const ok = Number(row.ok) === 1;
    const first = Number(row.first) === 1;
    const cost = row.cost === null ? 0 : Number(row.cost);
    r.attempts += n;
    if (ok) r.successes += n;
    if (first) {
      r.firstTries += n;
      if (ok) r.firstTrySuccesses += n;
    } else r.retries += n;
    r.costMicros += cost;
    if (!ok) r.failedCostMicros += cost;
    if (row.bucket !== null) {
      const b = Number(row.bucket);
      r.durations[b] = (r.durations[b] ?? 0) + n;
    }
  }
  return deltas;
}

/** A rollup row as stored (model '' for none, durations as JSON). */
export interface StoredRollupRow {
  hour: number | string;
  workflow: string;
  step_name: string;
  worker_id: string;
  model: string;
  attempts: number | string;
  successes: number | string;
  first_tries: number | string;
  first_try_successes: number | string;
  retries: number | string;
  cost_micros: number | string;
  failed_cost_micros: number | string;
  durations: string;
}

export const rollupKey = (r: { hour: number; workflow: string; step: string; worker: string; model: string | null }) =>
  JSON.stringify([r.hour, r.workflow, r.step, r.worker, r.model ?? '']);

export function toRollup(row: StoredRollupRow): AttemptRollup {
  return {
    hour: Number(row.hour),
    workflow: row.workflow,
    step: row.step_name,
    worker: row.worker_id,
    model: row.model === '' ? null : row.model,
    attempts: Number(row.attempts),
    successes: Number(row.successes),
    firstTries: Number(row.first_tries),
    firstTrySuccesses: Number(row.first_try_successes),
    retries: Number(row.retries),
    costMicros: Number(row.cost_micros),
    failedCostMicros: Number(row.failed_cost_micros),
    durations: JSON.parse(row.durations) as DurationHistogram,
  };
}

export function toStoredRollup(r: AttemptRollup): unknown[] {
  return [
    r.hour,
    r.workflow,
    r.step,
    r.worker,
    r.model ?? '',
    r.attempts,
    r.successes,
    r.firstTries,
    r.firstTrySuccesses,
    r.retries,
    r.costMicros,
    r.failedCostMicros,
    JSON.stringify(r.durations),
  ];
}

/** The stored rollup columns, in toStoredRollup's order. */
export const ROLLUP_COLUMNS =
  'hour, workflow, step_name, worker_id, model, attempts, successes, first_tries, first_try_successes, retries, cost_micros, failed_cost_micros, durations';

/** Adds `delta` into `into` (same key). */
export function addRollup(into: AttemptRollup, delta: AttemptRollup): void {
  into.attempts += delta.attempts;
  into.successes += delta.successes;
  into.firstTries += delta.firstTries;
  into.firstTrySuccesses += delta.firstTrySuccesses;
  into.retries += delta.retries;
  into.costMicros += delta.costMicros;
  into.failedCostMicros += delta.failedCostMicros;
  mergeHistogram(into.durations, delta.durations);
}

/** At most this many missing ids of one chunk are waited for; more are taken as deleted rows. */
const MAX_WAITED_GAPS = 1_000;

/** Ids in (from, to] that are not among `present`: not committed yet (or never will be). */
export function missingIds(from: number, to: number, present: readonly number[]): number[] {
  const seen = new Set(present);
  const missing: number[] = [];
  for (let id = from + 1; id <= to && missing.length < MAX_WAITED_GAPS; id++) if (!seen.has(id)) missing.push(id);
  return missing;
}

/** Merges deltas into the stored rows of their hours (`existing`); returns the rows to write. */
export function mergeRollups(existing: readonly AttemptRollup[], deltas: Map<string, AttemptRollup>): AttemptRollup[] {
  const byKey = new Map(existing.map((r) => [rollupKey(r), r]));
  const out: AttemptRollup[] = [];
  for (const [key, delta] of deltas) {
    const current = byKey.get(key);
    if (current === undefined) out.push(delta);
    else {
      addRollup(current, delta);
      out.push(current);
    }
  }
  return out;
}

/** The hours a set of deltas touches. */
export const touchedHours = (deltas: Map<string, AttemptRollup>): number[] => [...new Set([...deltas.values()].map((d) => d.hour))];
