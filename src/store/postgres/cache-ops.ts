// The step cache (src/store/cache.ts): a claim is a short transaction that makes sure the key's
// row exists, then reads it FOR UPDATE: the row lock queues every worker and host asking for
// the key, so exactly one of them takes the computing lease and the others see it and wait.
import {
  decideCacheClaim,
  settleStoresValue,
  toCacheEntry,
  type CacheClaim,
  type CacheEntryRecord,
  type CacheFilter,
  type CacheRow,
  type ClaimCacheArgs,
  type SettleCacheArgs,
} from '../cache.js';
import type { PgExec } from './exec.js';

const COLUMNS = 'key, workflow, step_name, version, output, source_run_id, created_at, expires_at, lease_holder, lease_expires_at';
const WHERE_FILTER = 'WHERE ($1::text IS NULL OR workflow = $1) AND ($2::text IS NULL OR step_name = $2)';

export class CacheOps {
  private readonly sql: Record<'ensure' | 'lock' | 'lease' | 'store' | 'release' | 'list' | 'clear', string>;

  constructor(
    private readonly db: PgExec,
    s: string,
  ) {
    this.sql = {
      ensure: `INSERT INTO ${s}.cache_entries (key, workflow, step_name, version) VALUES ($1, $2, $3, $4) ON CONFLICT (key) DO NOTHING`,
      lock: `SELECT ${COLUMNS} FROM ${s}.cache_entries WHERE key = $1 FOR UPDATE`,
      lease: `UPDATE ${s}.cache_entries SET lease_holder = $2, lease_expires_at = $3 WHERE key = $1`,
      store: `UPDATE ${s}.cache_entries SET output = $2, source_run_id = $3, created_at = $4, expires_at = $5,
                lease_holder = CASE WHEN lease_holder = $6 THEN NULL ELSE lease_holder END,
                lease_expires_at = CASE WHEN lease_holder = $6 THEN NULL ELSE lease_expires_at END
              WHERE key = $1`,
      release: `UPDATE ${s}.cache_entries SET lease_holder = NULL, lease_expires_at = NULL WHERE key = $1 AND lease_holder = $2`,
      list: `SELECT ${COLUMNS} FROM ${s}.cache_entries ${WHERE_FILTER} ORDER BY workflow, step_name, key`,
      clear: `DELETE FROM ${s}.cache_entries ${WHERE_FILTER}`,
    };
  }

  claim(args: ClaimCacheArgs): Promise<CacheClaim> {
    return this.db.tx(null, async (query) => {
      await query('ll_cache_ensure', this.sql.ensure, [args.key, args.workflow, args.stepName, args.version]);
      const row = (await query<CacheRow>('ll_cache_lock', this.sql.lock, [args.key])).rows[0];
      const { claim, lease } = decideCacheClaim(row === undefined ? null : toCacheEntry(row), args);
      if (lease && claim.kind === 'compute') await query('ll_cache_lease', this.sql.lease, [args.key, args.holder, claim.leaseExpiresAt]);
      return claim;
    });
  }

  settle(args: SettleCacheArgs): Promise<void> {
    const { key, holder, value } = args;
    if (value === undefined) return this.db.durable(null, 'll_cache_release', this.sql.release, [key, holder]).then(() => undefined);
    return this.db.tx(null, async (query) => {
      const row = (await query<CacheRow>('ll_cache_lock', this.sql.lock, [key])).rows[0];
      if (row === undefined) return; // cleared meanwhile (`lifeline cache clear`): nothing to fill
      if (!settleStoresValue(toCacheEntry(row), args.now)) {
        await query('ll_cache_release', this.sql.release, [key, holder]);
        return;
      }
      await query('ll_cache_store', this.sql.store, [key, value.output, value.sourceRunId, args.now, value.expiresAt, holder]);
    });
  }

  async list(filter: CacheFilter): Promise<CacheEntryRecord[]> {
    const res = await this.db.read<CacheRow>(undefined, 'll_cache_list', this.sql.list, [filter.workflow ?? null, filter.stepName ?? null]);
    return res.rows.map(toCacheEntry);
  }

  async delete(filter: CacheFilter): Promise<number> {
    const res = await this.db.durable(null, 'll_cache_clear', this.sql.clear, [filter.workflow ?? null, filter.stepName ?? null]);
    return res.rowCount ?? 0;
  }
}
