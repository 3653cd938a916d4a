// commitStep for a batch of calls as ONE statement (see batcher.ts). The calls come in as one
// JSON array (json_to_recordset): measured cheaper to serialise and bind than 27 array
// parameters, on both sides; `op` is each call's index. Per call it reports whether the fence held and
// whether the step record was written, so a refused call does not fail the others.
import type { CommitStepArgs, NewEvent, StartAttemptArgs } from '../store.js';
import { errorToText } from '../rows.js';
import { LEASED } from '../lifecycle.js';
import { ATTEMPT_DETAIL_COLUMNS, ATTEMPT_END_UPDATE, mergedTags, tagsText } from './attempt-details.js';

export interface CommitCall {
  args: CommitStepArgs;
  /** The attempt's held start, written by this statement (attempt-starts.ts). */
  start: StartAttemptArgs | null;
}

export interface CommitResult {
  fenced: boolean;
  stepped: boolean;
}

export const SIGNAL_ALREADY_CONSUMED = 'SIGNAL_ALREADY_CONSUMED' as const;

// The fence locks the run row FOR KEY SHARE: that conflicts with a claim's FOR UPDATE, so a
// takeover and this commit are ordered (the claim skips the row until this commits; a commit
// after the claim sees the new token and writes nothing). A completed or failed step record
// matches no row of the upsert, so fenced && !stepped means "already committed". Attempt,
// signal and events are written only for calls whose step was. A signal that cannot be consumed
// fails the statement through lifeline_refuse(); the batcher then retries the calls one by one.
export function commitSql(s: string): string {
  return `
    WITH i AS (
      SELECT * FROM json_to_recordset($1::json) AS u (op int, run_id text, token text, step_id text, name text,
        seq int, kind text, status text, output text, error text, attempts int, started_at bigint, completed_at bigint,
        attempt int, ended_at bigint, outcome text, error_class text, error_message text, a_started_at bigint,
        a_step_name text, a_worker text, signal_id bigint, alternative text, moved_on text,
        a_host text, a_tags text, tags text, error_name text, error_kind text, fingerprint text, fingerprint_version int, cost_micros bigint, ran_with int)
    ), fence AS (
      SELECT i.op, r.lease_owner, r.lease_host FROM i JOIN ${s}.runs AS r ON r.id = i.run_id AND r.lease_token = i.token AND r.status = '${LEASED}'
      FOR KEY SHARE OF r
    ), step AS (
      INSERT INTO ${s}.step_results AS sr (run_id, step_id, name, seq, kind, status, output, error, attempts, started_at, completed_at, ran_with)
      SELECT i.run_id, i.step_id, i.name, i.seq, i.kind, i.status, i.output, i.error, i.attempts, i.started_at, i.completed_at, i.ran_with
      FROM i JOIN fence USING (op)
      ON CONFLICT (run_id, step_id) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind, status = EXCLUDED.status,
        output = EXCLUDED.output, error = EXCLUDED.error, attempts = EXCLUDED.attempts, completed_at = EXCLUDED.completed_at,
        ran_with = EXCLUDED.ran_with
      WHERE sr.status = 'waiting'
      RETURNING run_id, step_id
    ), ok AS (
      SELECT i.*, fence.lease_owner, fence.lease_host FROM i JOIN fence USING (op) JOIN step USING (run_id, step_id)
    ), att AS (
      INSERT INTO ${s}.attempts AS a (run_id, step_id, step_name, attempt, started_at, ended_at, outcome,
        error_class, error_message, duration_ms, worker_id, alternative, moved_on, ${ATTEMPT_DETAIL_COLUMNS})
      SELECT run_id, step_id, COALESCE(a_step_name, name), attempt, COALESCE(a_started_at, started_at), ended_at, outcome,
        error_class, error_message, GREATEST(0, ended_at - COALESCE(a_started_at, started_at)), COALESCE(a_worker, lease_owner, ''),
        alternative, moved_on, CASE WHEN a_started_at IS NULL THEN lease_host ELSE a_host END, ${mergedTags('a_tags', 'tags')},
        error_name, error_kind, fingerprint, fingerprint_version, cost_micros
      FROM ok WHERE attempt IS NOT NULL
      ON CONFLICT (run_id, step_id, attempt) DO UPDATE SET ${ATTEMPT_END_UPDATE}
    ), sig AS (
      UPDATE ${s}.signals AS g SET consumed_by_step = ok.step_id FROM ok
      WHERE g.id = ok.signal_id AND g.run_id = ok.run_id AND g.consumed_by_step IS NULL
      RETURNING ok.op
    ), progress AS (${resetProgress(s, 'SELECT run_id FROM ok')}
    ), ev AS (${insertBatchedEvents(s, 'ok')})
    SELECT i.op, EXISTS (SELECT 1 FROM fence WHERE fence.op = i.op) AS fenced,
      EXISTS (SELECT 1 FROM ok WHERE ok.op = i.op) AS stepped,
      CASE WHEN i.signal_id IS NOT NULL AND EXISTS (SELECT 1 FROM ok WHERE ok.op = i.op)
        AND NOT EXISTS (SELECT 1 FROM sig WHERE sig.op = i.op)
        THEN ${s}.lifeline_refuse('${SIGNAL_ALREADY_CONSUMED}') END AS refused
    FROM i ORDER BY i.op`;
}

/** The statement's parameters for `calls`: the calls and their events, as JSON. */
export function commitValues(calls: readonly CommitCall[]): [string, string] {
  const events: EventJson[] = [];
  const rows = calls.map(({ args, start }, op) => {
    const { step, attempt } = args;
    for (const e of args.events ?? []) events.push(eventJson(events.length, op, e));
    return {
      op,
      run_id: args.runId,
      token: args.token,
      step_id: step.stepId,
      name: step.name,
      seq: step.seq,
      kind: step.kind,
      status: step.status,
      output: step.output,
      error: errorToText(step.error),
      attempts: step.attempts,
      started_at: step.startedAt,
      completed_at: step.completedAt,
      attempt: attempt?.attempt ?? null,
      ended_at: attempt?.endedAt ?? null,
      outcome: attempt?.outcome ?? null,
      error_class: attempt?.errorClass ?? null,
      error_message: attempt?.errorMessage ?? null,
      a_started_at: start?.startedAt ?? null,
      a_step_name: start?.stepName ?? null,
      a_worker: start?.workerId ?? null,
      signal_id: args.consumeSignalId ?? null,
      alternative: attempt?.alternative ?? start?.alternative ?? null,
      moved_on: attempt?.movedOn ?? null,
      a_host: start?.host ?? null,
      a_tags: tagsText(start?.tags),
      tags: tagsText(attempt?.tags),
      error_name: attempt?.errorName ?? null,
      error_kind: attempt?.errorKind ?? null,
      fingerprint: attempt?.fingerprint ?? null,
      fingerprint_version: attempt?.fingerprintVersion ?? null,
      cost_micros: attempt?.costMicros ?? null,
      ran_with: step.ranWith ?? null,
    };
  });
  return [JSON.stringify(rows), JSON.stringify(events)];
}

/**
 * A committed step is progress: the runs in `committedRunIds` (a query) get their poison-run
 * counter reset. Only the first commit after a claim changes the row; later ones match nothing.
 */
export function resetProgress(s: string, committedRunIds: string): string {
  return `UPDATE ${s}.runs SET claims_without_progress = 0
      WHERE id IN (${committedRunIds}) AND claims_without_progress <> 0`;
}

export interface EventJson {
  n: number;
  op: number;
  run_id: string;
  type: string;
  data: string;
  at: number;
}

/**
 * The events of a batched statement ($2, built by eventJson), inserted in order for the calls
 * whose op is in the CTE `written` (the ones that actually wrote).
 */
export function insertBatchedEvents(s: string, written: string): string {
  return `INSERT INTO ${s}.events (run_id, type, data, at)
      SELECT e.run_id, e.type, e.data, e.at
      FROM json_to_recordset($2::json) AS e (n int, op int, run_id text, type text, data text, at bigint)
      WHERE e.op IN (SELECT op FROM ${written}) ORDER BY e.n`;
}

/** One event of call `op`, numbered `n` so the statement inserts them in order. */
export function eventJson(n: number, op: number, e: NewEvent): EventJson {
  return { n, op, run_id: e.runId, type: e.type, data: JSON.stringify(e.data ?? null), at: e.at };
}
