// A run's mailbox (../mailbox.ts): its signals in arrival order, read or unread, by name.
import { signalLimit, type SignalFilter } from '../mailbox.js';
import { toSignalRecord, type SignalRow } from '../rows.js';
import type { SignalRecord } from '../types.js';
import type { PgExec } from './exec.js';

export class MailboxOps {
  private readonly list: string;

  constructor(
    private readonly db: PgExec,
    s: string,
  ) {
    this.list = `SELECT * FROM ${s}.signals WHERE run_id = $1 AND (NOT $2::boolean OR consumed_by_step IS NULL)
      AND ($3::text[] IS NULL OR name = ANY($3::text[])) ORDER BY id LIMIT $4`;
  }

  async signals(filter: SignalFilter): Promise<SignalRecord[]> {
    const values = [filter.runId, filter.unread === true, filter.names === undefined ? null : [...filter.names], signalLimit(filter)];
    const res = await this.db.read<SignalRow>(filter.runId, 'll_mailbox_list', this.list, values);
    return res.rows.map(toSignalRecord);
  }
}
