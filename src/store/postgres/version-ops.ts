// Workflow versions on PostgreSQL (store/versions.ts): the workers table. A record is one
// statement: the worker's upsert and the removal of workers no longer seen.
import { toWorkerRecord, workflowsText, type RecordWorkerArgs, type WorkerFilter, type WorkerRecord, type WorkerRow } from '../versions.js';
import type { PgExec } from './exec.js';

export class VersionOps {
  private readonly sql: Record<'record' | 'list' | 'forget', string>;

  constructor(
    private readonly db: PgExec,
    s: string,
  ) {
    this.sql = {
      record: `
        WITH up AS (
          INSERT INTO ${s}.workers (id, host, pid, workflows, started_at, last_seen_at) VALUES ($1, $2, $3, $4, $5, $6)
          ON CONFLICT (id) DO UPDATE SET host = excluded.host, pid = excluded.pid, workflows = excluded.workflows, last_seen_at = excluded.last_seen_at
        )
        DELETE FROM ${s}.workers WHERE last_seen_at < $7 AND id <> $1`,
      list: `SELECT * FROM ${s}.workers WHERE last_seen_at >= $1 ORDER BY id`,
      forget: `DELETE FROM ${s}.workers WHERE id = $1`,
    };
  }

  async record(args: RecordWorkerArgs): Promise<void> {
    const values = [args.id, args.host, args.pid, workflowsText(args.workflows), args.startedAt, args.now, args.forgetBefore];
    await this.db.soft(null, 'll_worker_record', this.sql.record, values);
  }

  async workers(filter: WorkerFilter = {}): Promise<WorkerRecord[]> {
    const res = await this.db.read<WorkerRow>(undefined, 'll_workers', this.sql.list, [filter.seenSince ?? Number.MIN_SAFE_INTEGER]);
    return res.rows.map(toWorkerRecord);
  }

  async forget(id: string): Promise<boolean> {
    return ((await this.db.soft(null, 'll_worker_forget', this.sql.forget, [id])).rowCount ?? 0) > 0;
  }
}
