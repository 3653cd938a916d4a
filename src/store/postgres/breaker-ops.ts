// Shared circuit breakers: one row per key. An update is a short transaction that inserts the
// row if missing, then reads it FOR UPDATE: the row lock makes concurrent updates of one key
// from every worker and host queue, so an outcome is never lost between the read and the write
// (under READ COMMITTED a plain read-then-update would let two workers overwrite each other's
// count). The state machine runs in the worker between the read and the write
// (src/breakers/stored.ts), which is why this is not one statement.
import { applyBreakerUpdate, type BreakerRecord, type BreakerUpdate, type UpdateBreakerArgs } from '../../breakers/stored.js';
import type { BreakerData } from '../../breakers/machine.js';
import type { PgExec } from './exec.js';

interface BreakerRow {
  key: string;
  data: string;
  updated_at: string | number;
}

const toRecord = (row: BreakerRow): BreakerRecord => ({ key: row.key, data: JSON.parse(row.data) as BreakerData, updatedAt: Number(row.updated_at) });

export class BreakerOps {
  private readonly sql: Record<'ensure' | 'lock' | 'save' | 'all' | 'some', string>;

  constructor(
    private readonly db: PgExec,
    s: string,
  ) {
    this.sql = {
      ensure: `INSERT INTO ${s}.breakers (key, state, open_until, data, updated_at) VALUES ($1, 'closed', 0, 'null', $2) ON CONFLICT (key) DO NOTHING`,
      lock: `SELECT key, data, updated_at FROM ${s}.breakers WHERE key = $1 FOR UPDATE`,
      save: `UPDATE ${s}.breakers SET state = $2, open_until = $3, data = $4, updated_at = $5 WHERE key = $1`,
      all: `SELECT key, data, updated_at FROM ${s}.breakers ORDER BY key`,
      some: `SELECT key, data, updated_at FROM ${s}.breakers WHERE key = ANY($1::text[]) ORDER BY key`,
    };
  }

  update(args: UpdateBreakerArgs): Promise<BreakerUpdate> {
    return this.db.tx(null, async (query) => {
      await query('ll_breaker_ensure', this.sql.ensure, [args.key, args.now]);
      const row = (await query<BreakerRow>('ll_breaker_lock', this.sql.lock, [args.key])).rows[0];
      const current = row === undefined ? null : (JSON.parse(row.data) as BreakerData | null);
      const { data, transitions, acquired } = applyBreakerUpdate(current, args);
      await query('ll_breaker_save', this.sql.save, [args.key, data.state, data.openUntil, JSON.stringify(data), args.now]);
      const record = { key: args.key, data, updatedAt: args.now };
      return acquired === undefined ? { record, transitions } : { record, transitions, acquired };
    });
  }

  async list(keys?: readonly string[]): Promise<BreakerRecord[]> {
    const res =
      keys === undefined
        ? await this.db.read<BreakerRow>(undefined, 'll_breakers_all', this.sql.all, [])
        : await this.db.read<BreakerRow>(undefined, 'll_breakers_some', this.sql.some, [keys]);
    return res.rows.filter((r) => r.data !== 'null').map(toRecord);
  }
}
