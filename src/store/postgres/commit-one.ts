// commitStep for a batch of ONE call with no signal to consume and no events (the common case:
// a step completion has no event row): a flat statement with plain parameters, measured cheaper
// than the general json_to_recordset + CTE form of commit-batch.ts (bench/RESULTS.md, PostgreSQL:
// W1-PG 0.68 -> 0.55 ms/step). Same fence (FOR KEY SHARE of the run row), same upserts, same
// result columns (fenced, stepped) as commitSql().
import { resetProgress, type CommitCall } from './commit-batch.js';
import { errorToText } from '../rows.js';
import { LEASED } from '../lifecycle.js';
import { ATTEMPT_DETAIL_COLUMNS, ATTEMPT_END_UPDATE, mergedTags, tagsText } from './attempt-details.js';

export function commitOneSql(s: string): string {
  return `
    WITH fence AS (
      SELECT lease_owner, lease_host FROM ${s}.runs WHERE id = $1 AND lease_token = $2 AND status = '${LEASED}'
      FOR KEY SHARE
    ), step AS (
      INSERT INTO ${s}.step_results AS sr (run_id, step_id, name, seq, kind, status, output, error, attempts, started_at, completed_at, ran_with)
      SELECT $1, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $31::int FROM fence
      ON CONFLICT (run_id, step_id) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind, status = EXCLUDED.status,
        output = EXCLUDED.output, error = EXCLUDED.error, attempts = EXCLUDED.attempts, completed_at = EXCLUDED.completed_at,
        ran_with = EXCLUDED.ran_with
      WHERE sr.status = 'waiting'
      RETURNING 1
    ), att AS (
      INSERT INTO ${s}.attempts AS a (run_id, step_id, step_name, attempt, started_at, ended_at, outcome,
        error_class, error_message, duration_ms, worker_id, alternative, moved_on, ${ATTEMPT_DETAIL_COLUMNS})
      SELECT $1, $3, COALESCE($19::text, $4), $13, COALESCE($18::bigint, $11::bigint), $14, $15, $16, $17,
        GREATEST(0, $14::bigint - COALESCE($18::bigint, $11::bigint)), COALESCE($20::text, fence.lease_owner, ''), $21::text, $22::text,
        CASE WHEN $18::bigint IS NULL THEN fence.lease_host ELSE $23::text END, ${mergedTags('$24::text', '$25::text')}, $26::text, $27::text, $28::text, $29::int, $30::bigint
      FROM fence, step WHERE $13::int IS NOT NULL
      ON CONFLICT (run_id, step_id, attempt) DO UPDATE SET ${ATTEMPT_END_UPDATE}
    ), progress AS (${resetProgress(s, 'SELECT $1::text FROM step')})
    SELECT EXISTS (SELECT 1 FROM fence) AS fenced, EXISTS (SELECT 1 FROM step) AS stepped`;
}

/** True when commitOneSql() can write this batch: one call, no signal, no events. */
export function isLoneCall(calls: readonly CommitCall[]): boolean {
  const one = calls[0];
  return calls.length === 1 && one !== undefined && one.args.consumeSignalId === undefined && (one.args.events?.length ?? 0) === 0;
}

export function commitOneValues({ args, start }: CommitCall): unknown[] {
  const { step, attempt } = args;
  return [
    args.runId,
    args.token,
    step.stepId,
    step.name,
    step.seq,
    step.kind,
    step.status,
    step.output,
    errorToText(step.error),
    step.attempts,
    step.startedAt,
    step.completedAt,
    attempt?.attempt ?? null,
    attempt?.endedAt ?? null,
    attempt?.outcome ?? null,
    attempt?.errorClass ?? null,
    attempt?.errorMessage ?? null,
    start?.startedAt ?? null,
    start?.stepName ?? null,
    start?.workerId ?? null,
    attempt?.alternative ?? start?.alternative ?? null,
    attempt?.movedOn ?? null,
    start?.host ?? null,
    tagsText(start?.tags),
    tagsText(attempt?.tags),
    attempt?.errorName ?? null,
    attempt?.errorKind ?? null,
    attempt?.fingerprint ?? null,
    attempt?.fingerprintVersion ?? null,
    attempt?.costMicros ?? null,
    step.ranWith ?? null,
  ];
}
