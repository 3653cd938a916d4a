// Shared limits per key (src/store/limits.ts) on PostgreSQL: one short transaction per call.
//
// Why row locks and not SKIP LOCKED: an acquisition is all or nothing over several keys (a user's
// and a provider's), so it must see and change every one of its key rows; skipping a locked row
// (as a claim skips a run another worker is taking) would skip a limit. Instead each call takes
// `SELECT ... FOR UPDATE` on its key rows, in key order (sortedKeys) so two calls sharing keys
// always lock them in the same order and cannot deadlock. Calls on the same key queue on its row
// for the few statements of the transaction; calls on other keys never wait. The slot count is
// read by a statement AFTER the lock was granted: in READ COMMITTED each statement takes a fresh
// snapshot, so it sees every slot committed by the call that held the lock before us (a count
// taken inside the locking statement could be from before the wait). Decisions are made in
// limits.ts, shared with SQLite; this file only locks, reads and writes.
import type { Query } from './exec.js';
import type { PgExec } from './exec.js';
import {
  decideAcquire,
  decideRelease,
  sortedKeys,
  toLimitStatus,
  type AcquireLimitsArgs,
  type LimitGrant,
  type LimitKeyRow,
  type LimitKeyState,
  type LimitKeyStatus,
  type ReleaseLimitsArgs,
} from '../limits.js';
import { LIMIT_COLUMNS, limitRowValues, toLimitKeyRow, type LimitRowData } from '../rows.js';

/** Soft writes (Store.acquireLimits): the commit does not wait for the WAL flush; a slot lost with the server's power concerned calls that died with it. */
const SOFT_COMMIT = 'SET LOCAL synchronous_commit = off';

type LiveRow = { key: string; n: number; next: number | null };

export class LimitOps {
  private readonly sql;

  constructor(
    private readonly db: PgExec,
    s: string,
  ) {
    this.sql = {
      ensure: `INSERT INTO ${s}.limit_keys (key) SELECT unnest($1::text[]) ON CONFLICT (key) DO NOTHING`,
      lock: `SELECT * FROM ${s}.limit_keys WHERE key = ANY($1::text[]) ORDER BY key FOR UPDATE`,
      dropExpired: `DELETE FROM ${s}.limit_slots WHERE key = ANY($1::text[]) AND expires_at <= $2`,
      live: `SELECT key, COUNT(*)::bigint AS n, MIN(expires_at) AS next FROM ${s}.limit_slots
             WHERE key = ANY($1::text[]) AND expires_at > $2 AND holder <> $3 GROUP BY key`,
      update: `UPDATE ${s}.limit_keys SET ${LIMIT_COLUMNS.map((c, i) => `${c} = $${i + 2}`).join(', ')} WHERE key = $1`,
      insertSlots: `INSERT INTO ${s}.limit_slots (key, holder, acquired_at, expires_at) SELECT unnest($1::text[]), $2, $3, $4
                    ON CONFLICT (key, holder) DO UPDATE SET acquired_at = EXCLUDED.acquired_at, expires_at = EXCLUDED.expires_at`,
      dropHolder: `DELETE FROM ${s}.limit_slots WHERE holder = $1`,
      renew: `UPDATE ${s}.limit_slots SET expires_at = $2 WHERE holder = $1`,
      listAll: `SELECT * FROM ${s}.limit_keys ORDER BY key`,
      liveAll: `SELECT key, COUNT(*)::bigint AS n, MIN(expires_at) AS next FROM ${s}.limit_slots WHERE expires_at > $1 GROUP BY key`,
    };
  }

  private async writeRows(query: Query, rows: readonly LimitKeyRow[]): Promise<void> {
    for (const row of rows) await query('ll_limits_update', this.sql.update, [row.key, ...limitRowValues(row)]);
  }

  acquire(args: AcquireLimitsArgs): Promise<LimitGrant> {
    const keys = sortedKeys(args.limits.map((l) => l.key));
    return this.db.tx(null, async (query) => {
      await query('ll_limits_soft', SOFT_COMMIT);
      await query('ll_limits_ensure', this.sql.ensure, [keys]);
      const locked = await query<LimitRowData>('ll_limits_lock', this.sql.lock, [keys]);
      await query('ll_limits_drop_expired', this.sql.dropExpired, [keys, args.now]);
      const live = await query<LiveRow>('ll_limits_live', this.sql.live, [keys, args.now, args.holder]);
      const states = new Map<string, LimitKeyState>();
      for (const row of locked.rows) {
        const l = live.rows.find((r) => r.key === row.key);
        states.set(row.key, { ...toLimitKeyRow(row), inUse: l?.n ?? 0, nextExpiry: l?.next ?? null });
      }
      const { grant, writes } = decideAcquire(args, states);
      await this.writeRows(query, writes.rows);
      if (writes.slotKeys.length > 0)
        await query('ll_limits_insert_slots', this.sql.insertSlots, [writes.slotKeys, args.holder, args.now, args.now + args.leaseMs]);
      return grant;
    });
  }

  async renewSlots(holder: string, expiresAt: number): Promise<number> {
    const result = await this.db.soft(null, 'll_limits_renew', this.sql.renew, [holder, expiresAt]);
    return result.rowCount ?? 0;
  }

  release(args: ReleaseLimitsArgs): Promise<void> {
    const keys = sortedKeys(args.keys.map((k) => k.key));
    return this.db.tx(null, async (query) => {
      await query('ll_limits_soft', SOFT_COMMIT);
      // Key rows first, as in acquire: deleting the slots first would hold a slot row that an
      // acquisition (holding the key row, deleting expired slots) may wait for: a deadlock.
      const locked = await query<LimitRowData>('ll_limits_lock', this.sql.lock, [keys]);
      await query('ll_limits_drop_holder', this.sql.dropHolder, [args.holder]);
      const rows = new Map(locked.rows.map((r) => [r.key, toLimitKeyRow(r)] as const));
      await this.writeRows(query, decideRelease(args, rows));
    });
  }

  async list(now: number): Promise<LimitKeyStatus[]> {
    const [all, live] = await Promise.all([
      this.db.read<LimitRowData>(undefined, 'll_limits_list', this.sql.listAll, []),
      this.db.read<LiveRow>(undefined, 'll_limits_live_all', this.sql.liveAll, [now]),
    ]);
    return all.rows.map((row) => {
      const l = live.rows.find((r) => r.key === row.key);
      return toLimitStatus({ ...toLimitKeyRow(row), inUse: l?.n ?? 0, nextExpiry: l?.next ?? null }, now);
    });
  }
}
