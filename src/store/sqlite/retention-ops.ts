// Retention (src/store/retention.ts): one batch of a prune in one write transaction. The caller
// (pruneRuns in src/retention/) loops over batches, so a big prune lets other writers in between.
import type Database from 'better-sqlite3';
import { SQL_TERMINAL } from '../lifecycle.js';
import { NO_PRUNE, PRUNED_TABLES, type PruneCounts, type PruneRunsArgs } from '../retention.js';

const IN_IDS = 'IN (SELECT value FROM json_each(?))';

export class RetentionStatements {
  private readonly select: Database.Statement;
  private readonly counts: ReadonlyArray<readonly [keyof PruneCounts, Database.Statement]>;
  private readonly deletes: readonly Database.Statement[];
  private readonly countCache: Database.Statement;
  private readonly deleteCache: Database.Statement;
  private readonly deleteBudgets: Database.Statement;
  private readonly deleteRuns: Database.Statement;

  constructor(db: Database.Database) {
    // Never a run with a child still live: the parent's record is what the child reports to.
    this.select = db
      .prepare(
        `SELECT id FROM runs r
         WHERE status IN (SELECT value FROM json_each(@statuses)) AND updated_at < @before AND (@workflow IS NULL OR workflow = @workflow)
           AND NOT EXISTS (SELECT 1 FROM runs c WHERE c.parent_run_id = r.id AND c.status NOT IN ${SQL_TERMINAL})
         ORDER BY updated_at, id LIMIT @limit`,
      )
      .pluck();
    this.counts = PRUNED_TABLES.map(([name, table]) => [name, db.prepare(`SELECT COUNT(*) FROM ${table} WHERE run_id ${IN_IDS}`).pluck()] as const);
    this.deletes = PRUNED_TABLES.map(([, table]) => db.prepare(`DELETE FROM ${table} WHERE run_id ${IN_IDS}`));
    const expiredCache = `FROM cache_entries WHERE source_run_id ${IN_IDS} AND expires_at <= ? AND (lease_expires_at IS NULL OR lease_expires_at <= ?)`;
    this.countCache = db.prepare(`SELECT COUNT(*) ${expiredCache}`).pluck();
    this.deleteCache = db.prepare(`DELETE ${expiredCache}`);
    this.deleteBudgets = db.prepare(`DELETE FROM cost_budgets WHERE scope IN (SELECT 'run:' || value FROM json_each(?))`);
    this.deleteRuns = db.prepare(`DELETE FROM runs WHERE id ${IN_IDS}`);
  }

  /** Inside the write transaction (or a read, when dry): one batch. */
  prune(args: PruneRunsArgs): PruneCounts {
    const ids = this.select.all({
      statuses: JSON.stringify(args.statuses),
      before: args.endedBefore,
      workflow: args.workflow ?? null,
      limit: args.limit,
    }) as string[];
    if (ids.length === 0) return NO_PRUNE;
    const json = JSON.stringify(ids);
    const counts: PruneCounts = { ...NO_PRUNE, runs: ids.length };
    for (const [name, count] of this.counts) counts[name] = count.get(json) as number;
    counts.cacheEntries = this.countCache.get(json, args.now, args.now) as number;
    if (args.dryRun === true) return counts;
    for (const del of this.deletes) del.run(json);
    this.deleteCache.run(json, args.now, args.now);
    this.deleteBudgets.run(json);
    this.deleteRuns.run(json);
    return counts;
  }
}
