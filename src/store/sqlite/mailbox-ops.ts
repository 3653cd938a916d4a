// A run's mailbox (../mailbox.ts): its signals in arrival order, read or unread, by name.
import type Database from 'better-sqlite3';
import { signalLimit, type SignalFilter } from '../mailbox.js';
import { toSignalRecord, type SignalRow } from '../rows.js';
import type { SignalRecord } from '../types.js';

export class MailboxStatements {
  private readonly list: Database.Statement;

  constructor(db: Database.Database) {
    this.list = db.prepare(
      `SELECT * FROM signals WHERE run_id = @runId AND (@unread = 0 OR consumed_by_step IS NULL)
         AND (@names IS NULL OR name IN (SELECT value FROM json_each(@names))) ORDER BY id LIMIT @limit`,
    );
  }

  signals(filter: SignalFilter): SignalRecord[] {
    const names = filter.names === undefined ? null : JSON.stringify(filter.names);
    const rows = this.list.all({ runId: filter.runId, unread: filter.unread === true ? 1 : 0, names, limit: signalLimit(filter) });
    return (rows as SignalRow[]).map(toSignalRecord);
  }
}
