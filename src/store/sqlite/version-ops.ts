// Workflow versions on SQLite (store/versions.ts): the workers table. A record is one write in
// the batcher's transaction: the worker's upsert and the removal of workers no longer seen.
import type Database from 'better-sqlite3';
import { toWorkerRecord, workflowsText, type RecordWorkerArgs, type WorkerFilter, type WorkerRecord, type WorkerRow } from '../versions.js';

export class VersionStatements {
  private readonly upsert: Database.Statement;
  private readonly forgetOld: Database.Statement;
  private readonly forgetOne: Database.Statement;
  private readonly list: Database.Statement;

  constructor(db: Database.Database) {
    this.upsert = db.prepare(
      `INSERT INTO workers (id, host, pid, workflows, started_at, last_seen_at) VALUES (@id, @host, @pid, @workflows, @startedAt, @now)
       ON CONFLICT (id) DO UPDATE SET host = excluded.host, pid = excluded.pid, workflows = excluded.workflows, last_seen_at = excluded.last_seen_at`,
    );
    this.forgetOld = db.prepare('DELETE FROM workers WHERE last_seen_at < ? AND id <> ?');
    this.forgetOne = db.prepare('DELETE FROM workers WHERE id = ?');
    this.list = db.prepare('SELECT * FROM workers WHERE last_seen_at >= ? ORDER BY id');
  }

  record(args: RecordWorkerArgs): void {
    this.upsert.run({ id: args.id, host: args.host, pid: args.pid, workflows: workflowsText(args.workflows), startedAt: args.startedAt, now: args.now });
    this.forgetOld.run(args.forgetBefore, args.id);
  }

  workers(filter: WorkerFilter = {}): WorkerRecord[] {
    return (this.list.all(filter.seenSince ?? Number.MIN_SAFE_INTEGER) as WorkerRow[]).map(toWorkerRecord);
  }

  forget(id: string): boolean {
    return this.forgetOne.run(id).changes > 0;
  }
}
