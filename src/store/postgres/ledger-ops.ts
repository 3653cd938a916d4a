// The cost ledger on PostgreSQL. A reservation runs in one READ COMMITTED transaction that first
// locks the budget row of each cap it is checked against (SELECT ... FOR UPDATE), then sums that
// cap's ledger rows and inserts the reservation. Why the lock: without it two transactions can
// both read the same sum, both find room, and both insert (the overspend of budget managers
// that check, then spend). With it, the second waits until the first commits; its SUM is a new
// statement with a new snapshot under READ COMMITTED, so it sees the first one's reservation.
// Locks are taken in sorted scope order (ledger-rows.ts capScopes), so two reservations never
// wait for each other in a cycle. Commits, releases and plain records take no lock: they never
// make room appear that a concurrent check relies on.
import { utcDay } from '../../costs/budget.js';
import { LedgerEntryError } from '../../errors/budget-errors.js';
import type { CommitCostArgs, LedgerEntry, LedgerFilter, RecordCostArgs, ReserveCostArgs, ReserveCostResult } from '../ledger.js';
import { capScopes, commitRefusalReason, toLedgerEntry, type LedgerRow } from '../ledger-rows.js';
import type { PgExec } from './exec.js';

const USED = `COALESCE(SUM(CASE WHEN state = 'committed' THEN cost_micros
  WHEN state = 'reserved' AND expires_at > $1 THEN reserved_micros ELSE 0 END), 0)::bigint AS used`;

const COLUMNS = `run_id, workflow, step_id, attempt, provider, model, input_tokens, cached_input_tokens, output_tokens,
  cost_micros, reserved_micros, state, at, expires_at, day`;

export class LedgerOps {
  private readonly sql;

  constructor(
    private readonly db: PgExec,
    private readonly s: string,
  ) {
    this.sql = {
      releaseEarlier: `UPDATE ${s}.cost_ledger SET state = 'released' WHERE run_id = $1 AND step_id = $2 AND attempt < $3 AND state = 'reserved'`,
      ensureBudget: `INSERT INTO ${s}.cost_budgets (scope, created_at) VALUES ($1, $2) ON CONFLICT (scope) DO NOTHING`,
      lockBudget: `SELECT scope FROM ${s}.cost_budgets WHERE scope = $1 FOR UPDATE`,
      usedByRun: `SELECT ${USED} FROM ${s}.cost_ledger WHERE run_id = $2`,
      usedByWorkflowDay: `SELECT ${USED} FROM ${s}.cost_ledger WHERE workflow = $2 AND day = $3`,
      insert: `INSERT INTO ${s}.cost_ledger (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING *`,
      commit: `UPDATE ${s}.cost_ledger SET state = 'committed', input_tokens = $3, cached_input_tokens = $4, output_tokens = $5, cost_micros = $6
        WHERE id = $1 AND run_id = $2 AND state <> 'committed' RETURNING *`,
      findById: `SELECT run_id, state FROM ${s}.cost_ledger WHERE id = $1`,
      release: `UPDATE ${s}.cost_ledger SET state = 'released' WHERE id = $1 AND run_id = $2 AND state = 'reserved'`,
    };
  }

  reserve(args: ReserveCostArgs): Promise<ReserveCostResult> {
    const day = utcDay(args.now);
    return this.db.tx([args.runId], async (query) => {
      await query('ll_cost_release_earlier', this.sql.releaseEarlier, [args.runId, args.stepId, args.attempt]);
      for (const { scope, cap, capMicros } of capScopes(args, day)) {
        await query('ll_cost_ensure_budget', this.sql.ensureBudget, [scope, args.now]);
        await query('ll_cost_lock_budget', this.sql.lockBudget, [scope]);
        const res =
          cap === 'run'
            ? await query<{ used: number }>('ll_cost_used_run', this.sql.usedByRun, [args.now, args.runId])
            : await query<{ used: number }>('ll_cost_used_wf_day', this.sql.usedByWorkflowDay, [args.now, args.workflow, day]);
        const used = Number(res.rows[0]?.used ?? 0);
        if (used + args.micros > capMicros) return { ok: false, refusal: { cap, capMicros, usedMicros: used, requestedMicros: args.micros } };
      }
      const row = (
        await query<LedgerRow>('ll_cost_insert', this.sql.insert, [
          args.runId,
          args.workflow,
          args.stepId,
          args.attempt,
          args.provider,
          args.model,
          0,
          0,
          0,
          0,
          args.micros,
          'reserved',
          args.now,
          args.expiresAt,
          day,
        ])
      ).rows[0]!;
      return { ok: true, entry: toLedgerEntry(row) };
    });
  }

  async commit(args: CommitCostArgs): Promise<LedgerEntry> {
    const values = [args.id, args.runId, args.inputTokens, args.cachedInputTokens, args.outputTokens, args.costMicros];
    const row = (await this.db.durable<LedgerRow>([args.runId], 'll_cost_commit', this.sql.commit, values)).rows[0];
    if (row !== undefined) return toLedgerEntry(row);
    const found = (await this.db.read<{ run_id: string; state: string }>(args.runId, 'll_cost_find', this.sql.findById, [args.id])).rows[0];
    throw new LedgerEntryError(args.id, args.runId, commitRefusalReason(found, args.runId));
  }

  async release(args: { id: number; runId: string }): Promise<boolean> {
    return ((await this.db.durable([args.runId], 'll_cost_release', this.sql.release, [args.id, args.runId])).rowCount ?? 0) > 0;
  }

  async record(args: RecordCostArgs): Promise<LedgerEntry> {
    const values = [
      args.runId,
      args.workflow,
      args.stepId,
      args.attempt,
      args.provider,
      args.model,
      args.inputTokens,
      args.cachedInputTokens,
      args.outputTokens,
      args.costMicros,
      0,
      'committed',
      args.now,
      null,
      utcDay(args.now),
    ];
    return toLedgerEntry((await this.db.durable<LedgerRow>([args.runId], 'll_cost_insert', this.sql.insert, values)).rows[0]!);
  }

  async list(filter: LedgerFilter = {}): Promise<LedgerEntry[]> {
    const where: string[] = [];
    const values: unknown[] = [filter.limit ?? 10_000];
    if (filter.runId !== undefined) {
      values.push(filter.runId);
      where.push(`run_id = $${values.length}`);
    }
    if (filter.workflow !== undefined) {
      values.push(filter.workflow);
      where.push(`workflow = $${values.length}`);
    }
    if (filter.since !== undefined) {
      values.push(filter.since);
      where.push(`at >= $${values.length}`);
    }
    const text = `SELECT * FROM ${this.s}.cost_ledger ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id LIMIT $1`;
    // At most 8 filter shapes: one prepared statement each.
    const name = `ll_costs_${filter.runId !== undefined ? 'r' : ''}${filter.workflow !== undefined ? 'w' : ''}${filter.since !== undefined ? 's' : ''}`;
    return (await this.db.read<LedgerRow>(filter.runId, name, text, values)).rows.map(toLedgerEntry);
  }
}
