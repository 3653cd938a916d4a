// Retention (src/store/retention.ts): one batch of a prune in one transaction; the runs of the
// batch are locked (FOR UPDATE) so a run cannot be woken or signalled while it is deleted.
import { SQL_TERMINAL } from '../lifecycle.js';
import { NO_PRUNE, PRUNED_TABLES, type PruneCounts, type PruneRunsArgs } from '../retention.js';
import type { PgExec } from './exec.js';

export class RetentionOps {
  private readonly select: string;
  private readonly counts: ReadonlyArray<readonly [keyof PruneCounts, string]>;
  private readonly deletes: readonly string[];
  private readonly countCache: string;
  private readonly deleteCache: string;
  private readonly deleteBudgets: string;
  private readonly deleteRuns: string;

  constructor(
    private readonly db: PgExec,
    s: string,
  ) {
    // Never a run with a child still live: the parent's record is what the child reports to.
    this.select = `SELECT id FROM ${s}.runs r
      WHERE status = ANY($1::text[]) AND updated_at < $2 AND ($3::text IS NULL OR workflow = $3)
        AND NOT EXISTS (SELECT 1 FROM ${s}.runs c WHERE c.parent_run_id = r.id AND c.status NOT IN ${SQL_TERMINAL})
      ORDER BY updated_at, id LIMIT $4 FOR UPDATE`;
    this.counts = PRUNED_TABLES.map(([name, table]) => [name, `SELECT COUNT(*)::int AS n FROM ${s}.${table} WHERE run_id = ANY($1::text[])`] as const);
    this.deletes = PRUNED_TABLES.map(([, table]) => `DELETE FROM ${s}.${table} WHERE run_id = ANY($1::text[])`);
    const expiredCache = `FROM ${s}.cache_entries WHERE source_run_id = ANY($1::text[]) AND expires_at <= $2 AND (lease_expires_at IS NULL OR lease_expires_at <= $2)`;
    this.countCache = `SELECT COUNT(*)::int AS n ${expiredCache}`;
    this.deleteCache = `DELETE ${expiredCache}`;
    this.deleteBudgets = `DELETE FROM ${s}.cost_budgets WHERE scope = ANY(SELECT 'run:' || unnest($1::text[]))`;
    this.deleteRuns = `DELETE FROM ${s}.runs WHERE id = ANY($1::text[])`;
  }

  prune(args: PruneRunsArgs): Promise<PruneCounts> {
    return this.db.tx(null, async (query) => {
      const selected = await query<{ id: string }>('ll_prune_select', this.select, [args.statuses, args.endedBefore, args.workflow ?? null, args.limit]);
      const ids = selected.rows.map((r) => r.id);
      if (ids.length === 0) return NO_PRUNE;
      const counts: PruneCounts = { ...NO_PRUNE, runs: ids.length };
      for (const [name, sql] of this.counts) counts[name] = (await query<{ n: number }>(`ll_prune_count_${name}`, sql, [ids])).rows[0]?.n ?? 0;
      counts.cacheEntries = (await query<{ n: number }>('ll_prune_count_cache', this.countCache, [ids, args.now])).rows[0]?.n ?? 0;
      if (args.dryRun === true) return counts;
      for (const [i, sql] of this.deletes.entries()) await query(`ll_prune_delete_${i}`, sql, [ids]);
      await query('ll_prune_delete_cache', this.deleteCache, [ids, args.now]);
      await query('ll_prune_delete_budgets', this.deleteBudgets, [ids]);
      await query('ll_prune_delete_runs', this.deleteRuns, [ids]);
      return counts;
    });
  }
}
