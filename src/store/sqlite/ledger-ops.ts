// The cost ledger on SQLite: prepared once; methods run synchronously inside the batcher's write
// transaction (BEGIN IMMEDIATE), which holds the database's one write lock for every process on
// the file. A reservation's check (sum of the cap's rows) and its insert are in one such
// transaction, so two concurrent reservations can never both pass the check on the same sums.
import type Database from 'better-sqlite3';
import { utcDay } from '../../costs/budget.js';
import { LedgerEntryError } from '../../errors/budget-errors.js';
import type { CommitCostArgs, LedgerEntry, LedgerFilter, RecordCostArgs, ReserveCostArgs, ReserveCostResult } from '../ledger.js';
import { capScopes, commitRefusalReason, toLedgerEntry, type LedgerRow } from '../ledger-rows.js';

const USED = `COALESCE(SUM(CASE WHEN state = 'committed' THEN cost_micros
  WHEN state = 'reserved' AND expires_at > ? THEN reserved_micros ELSE 0 END), 0)`;

export class LedgerStatements {
  private readonly touchBudget: Database.Statement;
  private readonly releaseEarlier: Database.Statement;
  private readonly usedByRun: Database.Statement;
  private readonly usedByWorkflowDay: Database.Statement;
  private readonly insert: Database.Statement;
  private readonly commitStmt: Database.Statement;
  private readonly findById: Database.Statement;
  private readonly releaseStmt: Database.Statement;

  constructor(private readonly db: Database.Database) {
    this.touchBudget = db.prepare('INSERT INTO cost_budgets (scope, created_at) VALUES (?, ?) ON CONFLICT (scope) DO NOTHING');
    this.releaseEarlier = db.prepare(`UPDATE cost_ledger SET state = 'released' WHERE run_id = ? AND step_id = ? AND attempt < ? AND state = 'reserved'`);
    this.usedByRun = db.prepare(`SELECT ${USED} AS used FROM cost_ledger WHERE run_id = ?`).pluck();
    this.usedByWorkflowDay = db.prepare(`SELECT ${USED} AS used FROM cost_ledger WHERE workflow = ? AND day = ?`).pluck();
    this.insert = db.prepare(
      `INSERT INTO cost_ledger (run_id, workflow, step_id, attempt, provider, model, input_tokens, cached_input_tokens, output_tokens,
         cost_micros, reserved_micros, state, at, expires_at, day)
       VALUES (@runId, @workflow, @stepId, @attempt, @provider, @model, @inputTokens, @cachedInputTokens, @outputTokens,
         @costMicros, @reservedMicros, @state, @now, @expiresAt, @day) RETURNING *`,
    );
    this.commitStmt = db.prepare(
      `UPDATE cost_ledger SET state = 'committed', input_tokens = @inputTokens, cached_input_tokens = @cachedInputTokens,
         output_tokens = @outputTokens, cost_micros = @costMicros
       WHERE id = @id AND run_id = @runId AND state <> 'committed' RETURNING *`,
    );
    this.findById = db.prepare('SELECT run_id, state FROM cost_ledger WHERE id = ?');
    this.releaseStmt = db.prepare(`UPDATE cost_ledger SET state = 'released' WHERE id = ? AND run_id = ? AND state = 'reserved'`);
  }

  reserve(args: ReserveCostArgs): ReserveCostResult {
    const day = utcDay(args.now);
    this.releaseEarlier.run(args.runId, args.stepId, args.attempt);
    for (const { scope, cap, capMicros } of capScopes(args, day)) {
      this.touchBudget.run(scope, args.now);
      const used = (cap === 'run' ? this.usedByRun.get(args.now, args.runId) : this.usedByWorkflowDay.get(args.now, args.workflow, day)) as number;
      if (used + args.micros > capMicros) return { ok: false, refusal: { cap, capMicros, usedMicros: used, requestedMicros: args.micros } };
    }
    const row = this.insert.get({
      ...args,
      inputTokens: 0,
      cachedInputTokens: 0,
      outputTokens: 0,
      costMicros: 0,
      reservedMicros: args.micros,
      state: 'reserved',
      day,
    }) as LedgerRow;
    return { ok: true, entry: toLedgerEntry(row) };
  }

  commit(args: CommitCostArgs): LedgerEntry {
    const row = this.commitStmt.get(args) as LedgerRow | undefined;
    if (row !== undefined) return toLedgerEntry(row);
    const found = this.findById.get(args.id) as { run_id: string; state: string } | undefined;
    throw new LedgerEntryError(args.id, args.runId, commitRefusalReason(found, args.runId));
  }

  release(args: { id: number; runId: string }): boolean {
    return this.releaseStmt.run(args.id, args.runId).changes > 0;
  }

  record(args: RecordCostArgs): LedgerEntry {
    const row = this.insert.get({ ...args, reservedMicros: 0, state: 'committed', expiresAt: null, day: utcDay(args.now) }) as LedgerRow;
    return toLedgerEntry(row);
  }

  list(filter: LedgerFilter = {}): LedgerEntry[] {
    const where: string[] = [];
    const values: unknown[] = [];
    if (filter.runId !== undefined) {
      where.push('run_id = ?');
      values.push(filter.runId);
    }
    if (filter.workflow !== undefined) {
      where.push('workflow = ?');
      values.push(filter.workflow);
    }
    if (filter.since !== undefined) {
      where.push('at >= ?');
      values.push(filter.since);
    }
    values.push(filter.limit ?? 10_000);
    const sql = `SELECT * FROM cost_ledger ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id LIMIT ?`;
    return (this.db.prepare(sql).all(...values) as LedgerRow[]).map(toLedgerEntry);
  }
}
