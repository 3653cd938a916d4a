// Shared limits per key (src/store/limits.ts) on SQLite. Every method runs inside the batcher's
// BEGIN IMMEDIATE transaction, which holds the database's one write lock across processes: the
// rows read, the decision and the writes cannot interleave with another acquisition anywhere.
import type Database from 'better-sqlite3';
import {
  decideAcquire,
  decideRelease,
  emptyLimitRow,
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

export class LimitStatements {
  private readonly ensure: Database.Statement;
  private readonly readRow: Database.Statement;
  private readonly live: Database.Statement;
  private readonly update: Database.Statement;
  private readonly dropExpired: Database.Statement;
  private readonly insertSlot: Database.Statement;
  private readonly dropHolder: Database.Statement;
  private readonly renew: Database.Statement;
  private readonly listAll: Database.Statement;

  constructor(db: Database.Database) {
    this.ensure = db.prepare('INSERT INTO limit_keys (key) VALUES (?) ON CONFLICT (key) DO NOTHING');
    this.readRow = db.prepare('SELECT * FROM limit_keys WHERE key = ?');
    this.live = db.prepare('SELECT COUNT(*) AS n, MIN(expires_at) AS next FROM limit_slots WHERE key = ? AND expires_at > ? AND holder <> ?');
    this.update = db.prepare(`UPDATE limit_keys SET ${LIMIT_COLUMNS.map((c) => `${c} = ?`).join(', ')} WHERE key = ?`);
    this.dropExpired = db.prepare('DELETE FROM limit_slots WHERE key = ? AND expires_at <= ?');
    this.insertSlot = db.prepare('INSERT OR REPLACE INTO limit_slots (key, holder, acquired_at, expires_at) VALUES (?, ?, ?, ?)');
    this.dropHolder = db.prepare('DELETE FROM limit_slots WHERE holder = ?');
    this.renew = db.prepare('UPDATE limit_slots SET expires_at = ? WHERE holder = ?');
    this.listAll = db.prepare('SELECT * FROM limit_keys ORDER BY key');
  }

  private state(key: string, now: number, holder: string): LimitKeyState {
    const row = this.readRow.get(key) as LimitRowData | undefined;
    const live = this.live.get(key, now, holder) as { n: number; next: number | null };
    return { ...(row === undefined ? emptyLimitRow(key) : toLimitKeyRow(row)), inUse: live.n, nextExpiry: live.next };
  }

  private write(rows: readonly LimitKeyRow[]): void {
    for (const row of rows) this.update.run(...limitRowValues(row), row.key);
  }

  acquire(args: AcquireLimitsArgs): LimitGrant {
    const states = new Map<string, LimitKeyState>();
    for (const key of sortedKeys(args.limits.map((l) => l.key))) {
      this.ensure.run(key);
      this.dropExpired.run(key, args.now);
      states.set(key, this.state(key, args.now, args.holder));
    }
    const { grant, writes } = decideAcquire(args, states);
    this.write(writes.rows);
    for (const key of writes.slotKeys) this.insertSlot.run(key, args.holder, args.now, args.now + args.leaseMs);
    return grant;
  }

  renewSlots(holder: string, expiresAt: number): number {
    return this.renew.run(expiresAt, holder).changes;
  }

  release(args: ReleaseLimitsArgs): void {
    this.dropHolder.run(args.holder);
    const rows = new Map<string, LimitKeyRow>();
    for (const key of sortedKeys(args.keys.map((k) => k.key))) {
      const row = this.readRow.get(key) as LimitRowData | undefined;
      if (row !== undefined) rows.set(key, toLimitKeyRow(row));
    }
    this.write(decideRelease(args, rows));
  }

  list(now: number): LimitKeyStatus[] {
    return (this.listAll.all() as LimitRowData[]).map((row) => {
      const live = this.live.get(row.key, now, '') as { n: number; next: number | null };
      return toLimitStatus({ ...toLimitKeyRow(row), inUse: live.n, nextExpiry: live.next }, now);
    });
  }
}
