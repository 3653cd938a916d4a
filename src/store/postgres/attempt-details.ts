// The insight details of an attempt (migration 9) in the PostgreSQL statements that end one
// (endAttempt, the batched and the lone commitStep): what an end gives wins, what it does not
// give keeps what the start recorded, and tags merge, the end's over the start's. The host of a
// row written without its start is the run's lease holder's (as SQLite's); an end never changes it.

/** The attempt columns an ending statement inserts after moved_on, in this order. */
export const ATTEMPT_DETAIL_COLUMNS = 'host, tags, error_name, error_kind, fingerprint, fingerprint_version, cost_micros';

/** The ON CONFLICT update of an attempt row (alias `a`) by an end. */
export const ATTEMPT_END_UPDATE = `ended_at = EXCLUDED.ended_at, outcome = EXCLUDED.outcome,
        error_class = EXCLUDED.error_class, error_message = EXCLUDED.error_message,
        duration_ms = GREATEST(0, EXCLUDED.ended_at - a.started_at),
        alternative = COALESCE(EXCLUDED.alternative, a.alternative), moved_on = COALESCE(EXCLUDED.moved_on, a.moved_on),
        tags = ${mergedTags('a.tags', 'EXCLUDED.tags')},
        error_name = COALESCE(EXCLUDED.error_name, a.error_name), error_kind = COALESCE(EXCLUDED.error_kind, a.error_kind),
        fingerprint = COALESCE(EXCLUDED.fingerprint, a.fingerprint),
        fingerprint_version = COALESCE(EXCLUDED.fingerprint_version, a.fingerprint_version),
        cost_micros = COALESCE(EXCLUDED.cost_micros, a.cost_micros)`;

/** Two JSON-object texts (either may be NULL) merged, `over`'s keys winning. */
export function mergedTags(base: string, over: string): string {
  return `CASE WHEN ${over} IS NULL THEN ${base} WHEN ${base} IS NULL THEN ${over} ELSE (${base}::jsonb || ${over}::jsonb)::text END`;
}

/** Tags as the column stores them. */
export function tagsText(tags: Record<string, string> | null | undefined): string | null {
  return tags == null ? null : JSON.stringify(tags);
}
