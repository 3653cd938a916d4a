// The cost ledger's row shape as both backends return it, and its mapping to LedgerEntry.
import type { LedgerEntry, LedgerState, ReserveCostArgs } from './ledger.js';

export interface LedgerRow {
  id: number;
  run_id: string;
  workflow: string;
  step_id: string;
  attempt: number;
  provider: string;
  model: string;
  input_tokens: number;
  cached_input_tokens: number;
  output_tokens: number;
  cost_micros: number;
  reserved_micros: number;
  state: string;
  at: number;
  expires_at: number | null;
  day: string;
}

export function toLedgerEntry(r: LedgerRow): LedgerEntry {
  return {
    id: r.id,
    runId: r.run_id,
    workflow: r.workflow,
    stepId: r.step_id,
    attempt: r.attempt,
    provider: r.provider,
    model: r.model,
    inputTokens: r.input_tokens,
    cachedInputTokens: r.cached_input_tokens,
    outputTokens: r.output_tokens,
    costMicros: r.cost_micros,
    reservedMicros: r.reserved_micros,
    state: r.state as LedgerState,
    at: r.at,
    expiresAt: r.expires_at,
    day: r.day,
  };
}

/** The cap scopes a reservation is checked against, sorted: locks are always taken in this order (no deadlock). */
export function capScopes(args: ReserveCostArgs, day: string): Array<{ scope: string; cap: 'run' | 'workflow_day'; capMicros: number }> {
  const scopes: Array<{ scope: string; cap: 'run' | 'workflow_day'; capMicros: number }> = [];
  if (args.runCapMicros !== null) scopes.push({ scope: `run:${args.runId}`, cap: 'run', capMicros: args.runCapMicros });
  if (args.workflowDayCapMicros !== null) scopes.push({ scope: `workflow:${args.workflow}:${day}`, cap: 'workflow_day', capMicros: args.workflowDayCapMicros });
  return scopes.sort((a, b) => (a.scope < b.scope ? -1 : a.scope > b.scope ? 1 : 0));
}

/** Why a commit matched no row, from the row found by id (or none). */
export function commitRefusalReason(found: { run_id: string; state: string } | undefined, runId: string): string {
  if (found === undefined) return 'no such entry';
  if (found.run_id !== runId) return 'it belongs to another run';
  return 'it is already committed';
}
