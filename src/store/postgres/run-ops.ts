// Run creation, lookup, listing, claiming and leases. Each write is one statement: autocommit
// makes it one round trip and one WAL flush.
import type { ClaimArgs, CreateRunArgs, LeaseArgs, RunFilter } from '../store.js';
import type { RunRecord } from '../types.js';
import { errorToText, INTERRUPTED_MESSAGE, toRunRecord, type RunRow } from '../rows.js';
import { PARKED_EVENT, parkedError } from '../parking.js';
import { BATCHING, StatementBatcher } from './batcher.js';
import type { PgExec } from './exec.js';
import { leaseNowSql, type LeaseClock } from './lease-clock.js';
import { LEASED, sqlClaimable } from '../lifecycle.js';
import { versionKey } from '../versions.js';

/** Claimable as the lifecycle spec says; $2 is the claim's time, `leaseNow` the lease clock's. */
const claimable = (leaseNow: string) => sqlClaimable('$2', leaseNow);

type CreatedRow = RunRow & { created: boolean };

/** The parking reason as stored, with the claim count left to the statement. */
const PARKED_TEMPLATE = errorToText(parkedError(-1))?.replace('-1', '{claims}');

export class RunOps {
  private readonly sql;
  private readonly creates: StatementBatcher<CreateRunArgs, CreatedRow | undefined>;
  private readonly gets: StatementBatcher<string, RunRow | undefined>;
  private readSeq = 0;

  constructor(
    private readonly db: PgExec,
    s: string,
    private readonly notify: () => void,
    private readonly leaseClock: LeaseClock,
  ) {
    const leaseNow = leaseNowSql(leaseClock, '$2');
    this.creates = new StatementBatcher((calls) => this.createMany(calls), { ...BATCHING, keyOf: (c) => c.id });
    // Reads of one run may share a batch: every call gets a distinct key.
    this.gets = new StatementBatcher((ids) => this.getMany(ids), { ...BATCHING, maxBatch: 1000, keyOf: () => String(this.readSeq++) });
    const diedAt = 'LEAST($2, GREATEST(a.started_at, COALESCE(c.lease_renewed_at, $2)))';
    const claim = (onlyOne: boolean) => `
      WITH c AS (
        SELECT id, lease_renewed_at, claims_without_progress >= COALESCE($9::int, 2147483647) AS poison, claims_without_progress AS claims
        FROM ${s}.runs
        -- $11: null (any version) or the versionKey()s the worker loaded, name@version (name@ unversioned).
        WHERE workflow = ANY($1::text[]) AND ($11::text[] IS NULL OR (workflow || '@' || COALESCE(version::text, '')) = ANY($11::text[]))
          AND ${claimable(leaseNow)} ${onlyOne ? 'AND id = $12' : ''}
        ORDER BY created_at, id LIMIT $3
        -- SKIP LOCKED: concurrent workers each take different rows without blocking on each
        -- other; a row that is locked is being claimed (or written under its lease) by someone
        -- else right now. FOR UPDATE also re-checks the condition on the newest row version.
        FOR UPDATE SKIP LOCKED
      ), claimed AS (
        UPDATE ${s}.runs AS r SET status = '${LEASED}', lease_owner = $4, lease_host = $5, lease_pid = $6,
          lease_token = gen_random_uuid()::text, lease_expires_at = ${leaseNow} + $7::bigint, lease_renewed_at = $2, claim_count = r.claim_count + 1,
          claims_without_progress = r.claims_without_progress + 1, updated_at = $2
        FROM c WHERE r.id = c.id AND NOT c.poison
        RETURNING r.*
      ), parked AS (
        -- A poison run (see Store.claimRuns, lifecycle.ts isPoison) is parked instead; $10 is the reason with a
        -- {claims} placeholder, as parking.ts words it.
        UPDATE ${s}.runs AS r SET status = 'parked', error = replace($10, '{claims}', c.claims::text), wake_at = NULL,
          updated_at = $2, lease_owner = NULL, lease_host = NULL, lease_pid = NULL, lease_token = NULL, lease_expires_at = NULL
        FROM c WHERE r.id = c.id AND c.poison
        RETURNING r.*
      ), parked_event AS (
        INSERT INTO ${s}.events (run_id, type, data, at)
        SELECT id, '${PARKED_EVENT}', '{"claims":' || claims_without_progress || '}', $2 FROM parked
      ), interrupted AS (
        -- c holds the previous lease's last renewal: when its process was last known alive.
        UPDATE ${s}.attempts AS a SET outcome = 'interrupted', ended_at = ${diedAt}, duration_ms = GREATEST(0, ${diedAt} - a.started_at),
          error_class = 'interrupted', error_message = $8
        FROM c WHERE a.run_id = c.id AND a.outcome = 'running'
      )
      SELECT * FROM claimed UNION ALL SELECT * FROM parked ORDER BY created_at, id`;
    this.sql = {
      // Batched (see batcher.ts); created=false rows: the run existed before this statement.
      create: `
        WITH i AS (
          SELECT * FROM json_to_recordset($1::json)
            AS u (op int, id text, workflow text, input text, parent_run_id text, now bigint, trace_parent text, version int)
        ), ins AS (
          INSERT INTO ${s}.runs (id, workflow, status, input, parent_run_id, created_at, updated_at, trace_parent, version)
          SELECT id, workflow, 'pending', input, parent_run_id, now, now, trace_parent, version FROM i ORDER BY op
          ON CONFLICT (id) DO NOTHING RETURNING *
        )
        SELECT i.op, true AS created, ins.* FROM i JOIN ins ON ins.id = i.id
        UNION ALL
        SELECT i.op, false, r.* FROM i JOIN ${s}.runs AS r ON r.id = i.id WHERE NOT EXISTS (SELECT 1 FROM ins WHERE ins.id = i.id)`,
      byIds: `SELECT * FROM ${s}.runs WHERE id = ANY($1::text[])`,
      claimAny: claim(false),
      claimOne: claim(true),
      // $3 is the lease time; the caller's now ($4) is the renewal time (and the lease clock when it is 'caller').
      heartbeat: `UPDATE ${s}.runs SET lease_expires_at = ${leaseNowSql(leaseClock, '$4')} + $3::bigint, lease_renewed_at = $4
        WHERE id = $1 AND lease_token = $2 AND status = '${LEASED}' RETURNING cancel_requested`,
      onHost: `SELECT id, lease_pid, lease_token FROM ${s}.runs WHERE status = '${LEASED}' AND lease_host = $1 ORDER BY id`,
      breakLease: `UPDATE ${s}.runs SET lease_expires_at = ${leaseNowSql(leaseClock, '$3')}, updated_at = $3
        WHERE id = $1 AND lease_token = $2 AND status = '${LEASED}'`,
      list: (where: string) => `SELECT * FROM ${s}.runs ${where} ORDER BY created_at DESC, id DESC LIMIT $1`,
    };
  }

  private async createMany(calls: CreateRunArgs[]): Promise<Array<CreatedRow | undefined>> {
    const rows = calls.map((c, op) => ({
      op,
      id: c.id,
      workflow: c.workflow,
      input: c.input,
      parent_run_id: c.parentRunId ?? null,
      now: c.now,
      trace_parent: c.traceParent ?? null,
      version: c.version ?? null,
    }));
    const values = [JSON.stringify(rows)];
    const res = await this.db.query<CreatedRow & { op: number }>('durable', 'll_runs_create', this.sql.create, values);
    const byOp = new Map(res.rows.map((r) => [r.op, r]));
    if (res.rows.some((r) => r.created)) this.notify();
    return calls.map((_, op) => byOp.get(op));
  }

  async create(args: CreateRunArgs): Promise<{ run: RunRecord; created: boolean }> {
    const row = await this.db.track([args.id], this.creates.add(args));
    if (row !== undefined) return { run: toRunRecord(row), created: row.created };
    // Inserted concurrently by a transaction that committed after this statement's snapshot:
    // the insert waited for it and did nothing; the run is visible to a new statement.
    const existing = await this.get(args.id);
    if (existing === null) throw new Error(`run ${args.id} neither inserted nor found`);
    return { run: existing, created: false };
  }

  private async getMany(ids: string[]): Promise<Array<RunRow | undefined>> {
    const res = await this.db.query<RunRow>('durable', 'll_runs_get', this.sql.byIds, [ids]);
    const byId = new Map(res.rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id));
  }

  /** Batched too: result() callers poll getRun, hundreds at a time under load. */
  async get(runId: string): Promise<RunRecord | null> {
    await this.db.afterWrites(runId);
    const row = await this.gets.add(runId);
    return row === undefined ? null : toRunRecord(row);
  }

  async claim(args: ClaimArgs): Promise<RunRecord[]> {
    if (args.limit <= 0 || args.workflows.length === 0) return [];
    const values: unknown[] = [
      args.workflows,
      args.now,
      Math.floor(args.limit),
      args.workerId,
      args.host,
      args.pid,
      args.leaseMs,
      INTERRUPTED_MESSAGE,
      args.maxClaimsWithoutProgress ?? null,
      PARKED_TEMPLATE,
      args.versions === undefined ? null : args.versions.map((v) => versionKey(v.workflow, v.version)),
    ];
    const one = args.runId !== undefined;
    if (one) values.push(args.runId);
    const res = await this.db.durable<RunRow>(null, one ? 'll_claim_one' : 'll_claim_any', one ? this.sql.claimOne : this.sql.claimAny, values);
    return res.rows.map(toRunRecord);
  }

  async heartbeat(args: LeaseArgs & { leaseMs: number }): Promise<{ ok: boolean; cancelRequested: boolean }> {
    const values = [args.runId, args.token, args.leaseMs, args.now];
    const row = (await this.db.soft<{ cancel_requested: number }>([args.runId], 'll_heartbeat', this.sql.heartbeat, values)).rows[0];
    return row === undefined ? { ok: false, cancelRequested: false } : { ok: true, cancelRequested: row.cancel_requested !== 0 };
  }

  async leasesOnHost(host: string): Promise<Array<{ runId: string; pid: number; token: string }>> {
    const res = await this.db.read<{ id: string; lease_pid: number | null; lease_token: string }>(undefined, 'll_on_host', this.sql.onHost, [host]);
    return res.rows.map((r) => ({ runId: r.id, pid: r.lease_pid ?? 0, token: r.lease_token }));
  }

  async breakLease(runId: string, token: string, now: number): Promise<boolean> {
    const res = await this.db.durable([runId], 'll_break_lease', this.sql.breakLease, [runId, token, now]);
    const broken = (res.rowCount ?? 0) > 0;
    if (broken) this.notify();
    return broken;
  }

  async list(filter: RunFilter = {}): Promise<RunRecord[]> {
    const where: string[] = [];
    const values: unknown[] = [filter.limit ?? 100];
    if (filter.status !== undefined) {
      values.push(Array.isArray(filter.status) ? filter.status : [filter.status]);
      where.push(`status = ANY($${values.length}::text[])`);
    }
    if (filter.workflow !== undefined) {
      values.push(filter.workflow);
      where.push(`workflow = $${values.length}`);
    }
    if (filter.parentRunId !== undefined) {
      values.push(filter.parentRunId);
      where.push(`parent_run_id = $${values.length}`);
    }
    const text = this.sql.list(where.length > 0 ? `WHERE ${where.join(' AND ')}` : '');
    // At most 8 filter shapes: one prepared statement each.
    const name = `ll_list_${filter.status !== undefined ? 's' : ''}${filter.workflow !== undefined ? 'w' : ''}${filter.parentRunId !== undefined ? 'p' : ''}`;
    return (await this.db.read<RunRow>(undefined, name, text, values)).rows.map(toRunRecord);
  }
}
