// Insight records (issue 10 §4, §5) both stores keep: the last alert level of each SLO (so a
// transition is reported once), fix records made against a failure fingerprint, and the compact
// run rows SLOs are computed from. Nothing here knows SQL beyond the shared row shapes.
import type { ErrorClass } from '../errors/error-class.js';
import type { RunStatus } from './types.js';

/** How an SLO stands: paging (burning fast), ticket (burning slowly), ok. */
export type SloAlertLevel = 'ok' | 'ticket' | 'paging';
export const SLO_ALERT_LEVELS: readonly SloAlertLevel[] = ['ok', 'ticket', 'paging'];

/** The stored alert level of one SLO objective (key: `workflow:objective`). */
export interface SloStateRecord {
  key: string;
  level: SloAlertLevel;
  /** When this level was entered. */
  since: number;
  /** The burn rates that decided it, as text. */
  detail: string;
  updatedAt: number;
}

export interface SetSloStateArgs {
  key: string;
  level: SloAlertLevel;
  detail: string;
  now: number;
}

/**
 * What setSloState did: `previous` is the level stored before (null: first evaluation); the
 * transition is `changed` for exactly one caller however many evaluate at once.
 */
export interface SloStateChange {
  previous: SloStateRecord | null;
  current: SloStateRecord;
  changed: boolean;
}

/** A fix recorded against a fingerprint, with the shape of the failure it was made for. */
export interface FixRecord {
  id: number;
  fingerprint: string;
  note: string;
  /** The recommendation action the fix took (e.g. `limits`, `timeout`); null when not said. */
  action: string | null;
  errorClass: ErrorClass;
  errorKind: string | null;
  errorName: string | null;
  stepName: string;
  workflow: string;
  createdAt: number;
  /** Failed attempts of the fingerprint that ended after the fix was recorded. */
  failuresAfter: number;
  lastFailureAt: number | null;
}

export interface AddFixArgs {
  fingerprint: string;
  note: string;
  action?: string | null;
  now: number;
}

export interface FixFilter {
  fingerprint?: string;
  /** Fixes recorded at or after this time. */
  since?: number;
}

/** A run as SLOs count it: when it was created and last changed (for a terminal run: when it finished). */
export interface RunTime {
  id: string;
  workflow: string;
  status: RunStatus;
  createdAt: number;
  updatedAt: number;
}

export interface RunTimeFilter {
  /** Terminal runs that finished at or after this time, and every run not terminal. */
  since: number;
  workflow?: string;
}

export interface FixRow {
  id: number | string;
  fingerprint: string;
  note: string;
  action: string | null;
  error_class: string;
  error_kind: string | null;
  error_name: string | null;
  step_name: string;
  workflow: string;
  created_at: number | string;
  failures_after: number | string;
  last_failure_at: number | string | null;
}

export function toFixRecord(row: FixRow): FixRecord {
  return {
    id: Number(row.id),
    fingerprint: row.fingerprint,
    note: row.note,
    action: row.action,
    errorClass: row.error_class as ErrorClass,
    errorKind: row.error_kind,
    errorName: row.error_name,
    stepName: row.step_name,
    workflow: row.workflow,
    createdAt: Number(row.created_at),
    failuresAfter: Number(row.failures_after),
    lastFailureAt: row.last_failure_at === null ? null : Number(row.last_failure_at),
  };
}

export interface SloStateRow {
  key: string;
  level: string;
  since: number | string;
  detail: string;
  updated_at: number | string;
}

export function toSloStateRecord(row: SloStateRow): SloStateRecord {
  return { key: row.key, level: row.level as SloAlertLevel, since: Number(row.since), detail: row.detail, updatedAt: Number(row.updated_at) };
}

/**
 * The fix list's SELECT for a schema prefix (`` or `"s".`) and a placeholder maker: each fix with
 * the failures of its fingerprint after it (attempts_fingerprint index), newest fix first.
 */
export function fixListSql(s: string, filter: FixFilter, p: (i: number) => string): { sql: string; values: unknown[] } {
  const parts: string[] = [];
  const values: unknown[] = [];
  if (filter.fingerprint !== undefined) {
    values.push(filter.fingerprint);
    parts.push(`f.fingerprint = ${p(values.length)}`);
  }
  if (filter.since !== undefined) {
    values.push(filter.since);
    parts.push(`f.created_at >= ${p(values.length)}`);
  }
  const sql = `SELECT f.*,
  (SELECT COUNT(*) FROM ${s}attempts a WHERE a.fingerprint = f.fingerprint AND a.ended_at > f.created_at) AS failures_after,
  (SELECT MAX(a.ended_at) FROM ${s}attempts a WHERE a.fingerprint = f.fingerprint AND a.ended_at > f.created_at) AS last_failure_at
FROM ${s}insight_fixes f ${parts.length === 0 ? '' : `WHERE ${parts.join(' AND ')}`} ORDER BY f.created_at DESC, f.id DESC`;
  return { sql, values };
}

/** The latest failed attempt with a fingerprint (its shape is the fix's), and the run's workflow. */
export function fixShapeSql(s: string, p: (i: number) => string): string {
  return `SELECT a.error_class, a.error_kind, a.error_name, a.step_name, r.workflow FROM ${s}attempts a JOIN ${s}runs r ON r.id = a.run_id
WHERE a.fingerprint = ${p(1)} ORDER BY a.ended_at DESC LIMIT 1`;
}

/** Terminal runs finished since, and all others (runTimesSql's order: by id, for a stable listing). */
export function runTimesSql(s: string, filter: RunTimeFilter, p: (i: number) => string): { sql: string; values: unknown[] } {
  const values: unknown[] = [filter.since];
  let where = `(status NOT IN ('completed', 'failed', 'cancelled') OR updated_at >= ${p(1)})`;
  if (filter.workflow !== undefined) {
    values.push(filter.workflow);
    where += ` AND workflow = ${p(2)}`;
  }
  return { sql: `SELECT id, workflow, status, created_at, updated_at FROM ${s}runs WHERE ${where} ORDER BY id`, values };
}

export function toRunTime(row: { id: string; workflow: string; status: string; created_at: number | string; updated_at: number | string }): RunTime {
  return { id: row.id, workflow: row.workflow, status: row.status as RunStatus, createdAt: Number(row.created_at), updatedAt: Number(row.updated_at) };
}
