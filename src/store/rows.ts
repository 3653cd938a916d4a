// Row shapes as both backends return them (better-sqlite3, and pg with bigints parsed as
// numbers), and their mapping to the Store's records. Columns are snake_case in SQL and
// camelCase in records; nothing else differs.
import type { LimitKeyRow } from './limits.js';
import type { ErrorClass } from '../errors/error-class.js';
import type { RunEventType } from './events.js';
import type { AttemptOutcome, AttemptRecord, EventRecord, RunRecord, RunStatus, SignalRecord, StepKind, StepRecord, StepStatus, StoredError } from './types.js';
import type { CompensationState } from './types.js';

export interface RunRow {
  id: string;
  workflow: string;
  status: string;
  input: string;
  output: string | null;
  error: string | null;
  parent_run_id: string | null;
  created_at: number;
  updated_at: number;
  wake_at: number | null;
  lease_owner: string | null;
  lease_host: string | null;
  lease_pid: number | null;
  lease_token: string | null;
  lease_expires_at: number | null;
  cancel_requested: number;
  claim_count: number;
  claims_without_progress: number;
  /** Migration 14; undefined on rows read with an explicit column list. */
  trace_parent?: string | null;
  /** Migration 18; undefined on rows read with an explicit column list. */
  generation?: number | null;
  /** Migration 20; undefined on rows read with an explicit column list. */
  version?: number | null;
  /** Migration 19; undefined on rows read with an explicit column list. */
  compensation?: string | null;
}

export interface StepRow {
  run_id: string;
  step_id: string;
  name: string;
  seq: number;
  kind: string;
  status: string;
  output: string | null;
  error: string | null;
  attempts: number;
  started_at: number;
  completed_at: number | null;
  ran_with?: number | null;
}

export interface AttemptRow {
  id: number;
  run_id: string;
  step_id: string;
  step_name: string;
  attempt: number;
  started_at: number;
  ended_at: number | null;
  outcome: string;
  error_class: string | null;
  error_message: string | null;
  duration_ms: number | null;
  worker_id: string;
  alternative: string | null;
  moved_on: string | null;
  error_name?: string | null;
  error_kind?: string | null;
  fingerprint?: string | null;
  fingerprint_version?: number | null;
  host?: string | null;
  cost_micros?: number | string | null;
  tags?: string | null;
}

export interface SignalRow {
  id: number;
  run_id: string;
  name: string;
  payload: string;
  created_at: number;
  consumed_by_step: string | null;
  sender_run_id?: string | null;
  message_id?: string | null;
}

export interface EventRow {
  id: number;
  run_id: string;
  type: string;
  data: string;
  at: number;
}

/** The message stored on attempts that were running when their worker lost the lease. */
export const INTERRUPTED_MESSAGE = 'worker lost its lease before the attempt ended';
/** Recorded on an attempt still marked running when its run is finished or released. */
export const RUN_MOVED_ON_MESSAGE = 'the run was finished or released before the attempt ended';

export function errorToText(error: StoredError | null | undefined): string | null {
  return error == null ? null : JSON.stringify(error);
}

function errorFromText(text: string | null): StoredError | null {
  return text === null ? null : (JSON.parse(text) as StoredError);
}

export function toRunRecord(row: RunRow): RunRecord {
  return {
    id: row.id,
    workflow: row.workflow,
    status: row.status as RunStatus,
    input: row.input,
    output: row.output,
    error: errorFromText(row.error),
    parentRunId: row.parent_run_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    wakeAt: row.wake_at,
    // The token is the lease's identity; the other columns are only meaningful beside it.
    lease:
      row.lease_token === null
        ? null
        : {
            workerId: row.lease_owner ?? '',
            host: row.lease_host ?? '',
            pid: row.lease_pid ?? 0,
            token: row.lease_token,
            expiresAt: row.lease_expires_at ?? 0,
          },
    cancelRequested: row.cancel_requested !== 0,
    claimCount: row.claim_count,
    claimsWithoutProgress: row.claims_without_progress,
    version: row.version ?? null,
    ...(row.trace_parent ? { traceParent: row.trace_parent } : {}),
    ...(row.generation != null && Number(row.generation) > 1 ? { generation: Number(row.generation) } : {}),
    ...(row.compensation ? { compensation: row.compensation as CompensationState } : {}),
  };
}

export function toStepRecord(row: StepRow): StepRecord {
  return {
    runId: row.run_id,
    stepId: row.step_id,
    name: row.name,
    seq: row.seq,
    kind: row.kind as StepKind,
    status: row.status as StepStatus,
    output: row.output,
    error: errorFromText(row.error),
    attempts: row.attempts,
    startedAt: row.started_at,
    completedAt: row.completed_at,
    // Only where recorded (engine-run steps, migration 16): other records read as before.
    ...(row.ran_with == null ? {} : { ranWith: row.ran_with }),
  };
}

export function toAttemptRecord(row: AttemptRow): AttemptRecord {
  return {
    id: row.id,
    runId: row.run_id,
    stepId: row.step_id,
    stepName: row.step_name,
    attempt: row.attempt,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    outcome: row.outcome as AttemptOutcome,
    errorClass: row.error_class as ErrorClass | null,
    errorMessage: row.error_message,
    durationMs: row.duration_ms,
    workerId: row.worker_id,
    alternative: row.alternative ?? null,
    movedOn: row.moved_on ?? null,
    errorName: row.error_name ?? null,
    errorKind: row.error_kind ?? null,
    fingerprint: row.fingerprint ?? null,
    fingerprintVersion: row.fingerprint_version ?? null,
    host: row.host ?? null,
    costMicros: row.cost_micros == null ? null : Number(row.cost_micros),
    tags: row.tags == null ? null : (JSON.parse(row.tags) as Record<string, string>),
  };
}

export function toSignalRecord(row: SignalRow): SignalRecord {
  return {
    id: row.id,
    runId: row.run_id,
    name: row.name,
    payload: row.payload,
    createdAt: row.created_at,
    consumedByStep: row.consumed_by_step,
    senderRunId: row.sender_run_id ?? null,
    messageId: row.message_id ?? null,
  };
}

export function toEventRecord(row: EventRow): EventRecord {
  return { id: row.id, runId: row.run_id, type: row.type as RunEventType, data: row.data, at: row.at };
}

/** A limit_keys row as both drivers return it (PostgreSQL's BIGINT parsed to number). */
export interface LimitRowData {
  key: string;
  concurrency: number | null;
  interval_ms: number;
  calls_capacity: number | null;
  calls_level: number | null;
  calls_at: number | null;
  tokens_capacity: number | null;
  tokens_level: number | null;
  tokens_at: number | null;
  throttled: number;
  budget_window: number | null;
  budget_successes: number;
  budget_retries: number;
  budget_wait_ms: number;
  budget_refused: number;
}

/** The limit_keys columns a decision writes, in the order of limitRowValues. */
export const LIMIT_COLUMNS = [
  'concurrency',
  'interval_ms',
  'calls_capacity',
  'calls_level',
  'calls_at',
  'tokens_capacity',
  'tokens_level',
  'tokens_at',
  'throttled',
  'budget_window',
  'budget_successes',
  'budget_retries',
  'budget_wait_ms',
  'budget_refused',
] as const;

export function limitRowValues(row: LimitKeyRow): Array<number | null> {
  return [
    row.concurrency,
    row.intervalMs,
    row.callsCapacity,
    row.callsLevel,
    row.callsAt,
    row.tokensCapacity,
    row.tokensLevel,
    row.tokensAt,
    row.throttled,
    row.budgetWindow,
    row.budgetSuccesses,
    row.budgetRetries,
    row.budgetWaitMs,
    row.budgetRefused,
  ];
}

export function toLimitKeyRow(row: LimitRowData): LimitKeyRow {
  return {
    key: row.key,
    concurrency: row.concurrency,
    intervalMs: row.interval_ms,
    callsCapacity: row.calls_capacity,
    callsLevel: row.calls_level,
    callsAt: row.calls_at,
    tokensCapacity: row.tokens_capacity,
    tokensLevel: row.tokens_level,
    tokensAt: row.tokens_at,
    throttled: row.throttled,
    budgetWindow: row.budget_window,
    budgetSuccesses: row.budget_successes,
    budgetRetries: row.budget_retries,
    budgetWaitMs: row.budget_wait_ms,
    budgetRefused: row.budget_refused,
  };
}
