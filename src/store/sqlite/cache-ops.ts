// The step cache (src/store/cache.ts): claims and settles run inside the batcher's write
// transaction (BEGIN IMMEDIATE holds SQLite's one write lock), so two processes asking for one
// key at once are serialised: the second sees the first one's lease and waits.
import type Database from 'better-sqlite3';
import {
  decideCacheClaim,
  settleStoresValue,
  type CacheClaim,
  type CacheEntryRecord,
  type CacheFilter,
  type ClaimCacheArgs,
  type SettleCacheArgs,
  toCacheEntry,
  type CacheRow,
} from '../cache.js';

const COLUMNS = 'key, workflow, step_name, version, output, source_run_id, created_at, expires_at, lease_holder, lease_expires_at';
const WHERE_FILTER = 'WHERE (@workflow IS NULL OR workflow = @workflow) AND (@stepName IS NULL OR step_name = @stepName)';

export class CacheStatements {
  private readonly get: Database.Statement;
  private readonly lease: Database.Statement;
  private readonly store: Database.Statement;
  private readonly release: Database.Statement;
  private readonly list: Database.Statement;
  private readonly clear: Database.Statement;

  constructor(db: Database.Database) {
    this.get = db.prepare(`SELECT ${COLUMNS} FROM cache_entries WHERE key = ?`);
    this.lease = db.prepare(
      `INSERT INTO cache_entries (key, workflow, step_name, version, lease_holder, lease_expires_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET lease_holder = excluded.lease_holder, lease_expires_at = excluded.lease_expires_at`,
    );
    this.store = db.prepare(
      `UPDATE cache_entries SET output = ?, source_run_id = ?, created_at = ?, expires_at = ?,
         lease_holder = CASE WHEN lease_holder = ? THEN NULL ELSE lease_holder END,
         lease_expires_at = CASE WHEN lease_holder = ? THEN NULL ELSE lease_expires_at END
       WHERE key = ?`,
    );
    this.release = db.prepare('UPDATE cache_entries SET lease_holder = NULL, lease_expires_at = NULL WHERE key = ? AND lease_holder = ?');
    this.list = db.prepare(`SELECT ${COLUMNS} FROM cache_entries ${WHERE_FILTER} ORDER BY workflow, step_name, key`);
    this.clear = db.prepare(`DELETE FROM cache_entries ${WHERE_FILTER}`);
  }

  /** Inside the write transaction: read the key's row, decide, take or renew the lease. */
  claim(args: ClaimCacheArgs): CacheClaim {
    const row = this.get.get(args.key) as CacheRow | undefined;
    const { claim, lease } = decideCacheClaim(row === undefined ? null : toCacheEntry(row), args);
    if (lease && claim.kind === 'compute') {
      this.lease.run(args.key, args.workflow, args.stepName, args.version, args.holder, claim.leaseExpiresAt);
    }
    return claim;
  }

  /** Inside the write transaction: store the result (unless an unexpired one is there) or give the lease up. */
  settle(args: SettleCacheArgs): void {
    const { key, holder, value } = args;
    if (value === undefined) {
      this.release.run(key, holder);
      return;
    }
    const row = this.get.get(key) as CacheRow | undefined;
    if (row === undefined) return; // cleared meanwhile (`lifeline cache clear`): nothing to fill
    if (!settleStoresValue(toCacheEntry(row), args.now)) {
      this.release.run(key, holder);
      return;
    }
    this.store.run(value.output, value.sourceRunId, args.now, value.expiresAt, holder, holder, key);
  }

  entries(filter: CacheFilter): CacheEntryRecord[] {
    return (this.list.all(params(filter)) as CacheRow[]).map(toCacheEntry);
  }

  delete(filter: CacheFilter): number {
    return this.clear.run(params(filter)).changes;
  }
}

function params(filter: CacheFilter): { workflow: string | null; stepName: string | null } {
  return { workflow: filter.workflow ?? null, stepName: filter.stepName ?? null };
}
