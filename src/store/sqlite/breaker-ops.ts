// Shared circuit breakers: one row per key, read and written inside the batcher's write
// transaction (BEGIN IMMEDIATE holds SQLite's one write lock), so updates from every process on
// the file are serialised and no outcome is lost between the read and the write.
import type Database from 'better-sqlite3';
import { applyBreakerUpdate, type BreakerRecord, type BreakerUpdate, type UpdateBreakerArgs } from '../../breakers/stored.js';
import type { BreakerData } from '../../breakers/machine.js';

interface BreakerRow {
  key: string;
  data: string;
  updated_at: number;
}

const toRecord = (row: BreakerRow): BreakerRecord => ({ key: row.key, data: JSON.parse(row.data) as BreakerData, updatedAt: row.updated_at });

export class BreakerStatements {
  private readonly get: Database.Statement;
  private readonly upsert: Database.Statement;
  private readonly all: Database.Statement;
  private readonly some: Database.Statement;

  constructor(db: Database.Database) {
    this.get = db.prepare('SELECT key, data, updated_at FROM breakers WHERE key = ?');
    this.upsert = db.prepare(
      `INSERT INTO breakers (key, state, open_until, data, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET state = excluded.state, open_until = excluded.open_until, data = excluded.data, updated_at = excluded.updated_at`,
    );
    this.all = db.prepare('SELECT key, data, updated_at FROM breakers ORDER BY key');
    this.some = db.prepare('SELECT key, data, updated_at FROM breakers WHERE key IN (SELECT value FROM json_each(?)) ORDER BY key');
  }

  /** Runs inside the write transaction: read, apply, write. */
  update(args: UpdateBreakerArgs): BreakerUpdate {
    const row = this.get.get(args.key) as BreakerRow | undefined;
    const { data, transitions, acquired } = applyBreakerUpdate(row === undefined ? null : (JSON.parse(row.data) as BreakerData), args);
    this.upsert.run(args.key, data.state, data.openUntil, JSON.stringify(data), args.now);
    const record = { key: args.key, data, updatedAt: args.now };
    return acquired === undefined ? { record, transitions } : { record, transitions, acquired };
  }

  list(keys?: readonly string[]): BreakerRecord[] {
    const rows = (keys === undefined ? this.all.all() : this.some.all(JSON.stringify(keys))) as BreakerRow[];
    return rows.map(toRecord);
  }
}
