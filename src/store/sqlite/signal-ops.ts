// Signals and events: prepared once; methods run synchronously inside the caller's transaction.
import type Database from 'better-sqlite3';
import { LifelineError } from '../../errors/lifeline-error.js';
import type { NewEvent } from '../store.js';
import type { EventRecord, SignalRecord } from '../types.js';
import { toEventRecord, toSignalRecord, type EventRow, type SignalRow } from '../rows.js';

export class EventStatements {
  private readonly insert: Database.Statement;
  private readonly listAll: Database.Statement;
  private readonly listForRun: Database.Statement;

  constructor(db: Database.Database) {
    this.insert = db.prepare('INSERT INTO events (run_id, type, data, at) VALUES (?, ?, ?, ?)');
    this.listAll = db.prepare('SELECT * FROM events WHERE id > ? ORDER BY id LIMIT ?');
    this.listForRun = db.prepare('SELECT * FROM events WHERE run_id = ? AND id > ? ORDER BY id LIMIT ?');
  }

  append(events: readonly NewEvent[] | undefined): void {
    if (events === undefined) return;
    for (const e of events) this.insert.run(e.runId, e.type, JSON.stringify(e.data ?? null), e.at);
  }

  list(filter: { runId?: string; afterId?: number; limit?: number }): EventRecord[] {
    const afterId = filter.afterId ?? 0;
    const limit = filter.limit ?? 1000;
    const rows = filter.runId === undefined ? this.listAll.all(afterId, limit) : this.listForRun.all(filter.runId, afterId, limit);
    return (rows as EventRow[]).map(toEventRecord);
  }
}

export class SignalStatements {
  private readonly insert: Database.Statement;
  private readonly peekOldest: Database.Statement;
  private readonly consumeStmt: Database.Statement;
  private readonly anyPending: Database.Statement;
  private readonly byMessage: Database.Statement;
  private readonly anyPendingAtAll: Database.Statement;

  constructor(db: Database.Database) {
    this.insert = db.prepare('INSERT INTO signals (run_id, name, payload, created_at, sender_run_id, message_id) VALUES (?, ?, ?, ?, ?, ?) RETURNING *');
    this.byMessage = db.prepare('SELECT * FROM signals WHERE message_id = ?');
    this.peekOldest = db.prepare('SELECT * FROM signals WHERE run_id = ? AND name = ? AND consumed_by_step IS NULL ORDER BY id LIMIT 1');
    // run_id in the WHERE: a step can only ever consume a signal sent to its own run.
    this.consumeStmt = db.prepare('UPDATE signals SET consumed_by_step = ? WHERE id = ? AND run_id = ? AND consumed_by_step IS NULL');
    this.anyPendingAtAll = db.prepare('SELECT 1 FROM signals WHERE run_id = ? AND consumed_by_step IS NULL LIMIT 1');
    this.anyPending = db.prepare(
      `SELECT 1 FROM signals WHERE run_id = ? AND consumed_by_step IS NULL
         AND name IN (SELECT value FROM json_each(?)) LIMIT 1`,
    );
  }

  add(runId: string, name: string, payload: string, now: number, message?: { id: string; senderRunId: string }): SignalRecord {
    return toSignalRecord(this.insert.get(runId, name, payload, now, message?.senderRunId ?? null, message?.id ?? null) as SignalRow);
  }

  /** The message with this id (a signal sent by a run), or null. */
  message(messageId: string): SignalRecord | null {
    const row = this.byMessage.get(messageId) as SignalRow | undefined;
    return row === undefined ? null : toSignalRecord(row);
  }

  peek(runId: string, name: string): SignalRecord | null {
    const row = this.peekOldest.get(runId, name) as SignalRow | undefined;
    return row === undefined ? null : toSignalRecord(row);
  }

  /** Marks the signal consumed by `stepId`; a signal is consumed at most once. */
  consume(runId: string, signalId: number, stepId: string): void {
    if (this.consumeStmt.run(stepId, signalId, runId).changes === 0) {
      throw new LifelineError(
        'SIGNAL_ALREADY_CONSUMED',
        'logic',
        `Signal ${signalId} of run ${runId} cannot be consumed by step ${stepId}: it is already consumed or belongs to another run.`,
      );
    }
  }

  /** Whether the run has an unconsumed signal of one of `names` (of any name: null). */
  hasUnconsumed(runId: string, names: readonly string[] | null): boolean {
    if (names === null) return this.anyPendingAtAll.get(runId) !== undefined;
    if (names.length === 0) return false;
    return this.anyPending.get(runId, JSON.stringify(names)) !== undefined;
  }
}
