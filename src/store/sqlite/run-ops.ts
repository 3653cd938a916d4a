// Run creation, lookup, listing, claiming and leases. Prepared once; every method runs
// synchronously inside the caller's transaction (or outside one, for reads).
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { LeaseLostError } from '../../errors/store-errors.js';
import type { ClaimArgs, CreateRunArgs, LeaseArgs, RunFilter } from '../store.js';
import type { RunRecord } from '../types.js';
import { errorToText, INTERRUPTED_MESSAGE, toRunRecord, type RunRow } from '../rows.js';
import { PARKED_EVENT, parkedError } from '../parking.js';
import { isPoison, LEASED, sqlClaimable } from '../lifecycle.js';
import type { EventStatements } from './signal-ops.js';
import { versionKey } from '../versions.js';

// Claimable as the lifecycle spec says. Each OR branch is a search of runs_status_wake (a MULTI-INDEX OR plan).
const CLAIMABLE = sqlClaimable('@now', '@now');

// @versions: null (any version) or a JSON array of versionKey()s, `name@version` (`name@` unversioned).
const WORKFLOW_IN =
  "workflow IN (SELECT value FROM json_each(@workflows)) AND (@versions IS NULL OR (workflow || '@' || COALESCE(version, '')) IN (SELECT value FROM json_each(@versions)))";

export class RunStatements {
  private readonly insert: Database.Statement;
  private readonly byId: Database.Statement;
  private readonly fenceRow: Database.Statement;
  private readonly claimableAny: Database.Statement;
  private readonly claimableOne: Database.Statement;
  private readonly takeLease: Database.Statement;
  private readonly park: Database.Statement;
  private readonly interruptAttempts: Database.Statement;
  private readonly endRunningAttempts: Database.Statement;
  private readonly extendLease: Database.Statement;
  private readonly onHost: Database.Statement;
  private readonly expireLease: Database.Statement;
  private readonly listCache = new Map<string, Database.Statement>();

  constructor(
    private readonly db: Database.Database,
    private readonly events: EventStatements,
  ) {
    this.insert = db.prepare(
      `INSERT INTO runs (id, workflow, status, input, parent_run_id, created_at, updated_at, trace_parent, version)
       VALUES (@id, @workflow, 'pending', @input, @parentRunId, @now, @now, @traceParent, @version)
       ON CONFLICT (id) DO NOTHING RETURNING *`,
    );
    this.byId = db.prepare('SELECT * FROM runs WHERE id = ?');
    this.fenceRow = db.prepare('SELECT status, lease_token, lease_owner, parent_run_id FROM runs WHERE id = ?');
    // Claiming is select-then-update inside one IMMEDIATE transaction (no other writer can run
    // in between), so each run gets its own crypto.randomUUID() token; measured faster than a
    // single UPDATE ... WHERE id IN (subquery) RETURNING as well.
    this.claimableAny = db.prepare(`SELECT id, claims_without_progress FROM runs WHERE ${WORKFLOW_IN} AND ${CLAIMABLE} ORDER BY created_at, id LIMIT @limit`);
    this.claimableOne = db.prepare(`SELECT id, claims_without_progress FROM runs WHERE id = @runId AND ${WORKFLOW_IN} AND ${CLAIMABLE}`);
    this.takeLease = db.prepare(
      `UPDATE runs SET status = '${LEASED}', lease_owner = @workerId, lease_host = @host, lease_pid = @pid,
         lease_token = @token, lease_expires_at = @expiresAt, lease_renewed_at = @now, claim_count = claim_count + 1,
         claims_without_progress = claims_without_progress + 1, updated_at = @now
       WHERE id = @id RETURNING *`,
    );
    this.park = db.prepare(
      `UPDATE runs SET status = 'parked', error = @error, wake_at = NULL, updated_at = @now, lease_owner = NULL,
         lease_host = NULL, lease_pid = NULL, lease_token = NULL, lease_expires_at = NULL
       WHERE id = @id RETURNING *`,
    );
    // Run before the new lease is taken: the previous holder's last renewal is when its process
    // was last known alive; an attempt started after it ends at its start (a lower bound).
    const diedAt = `MIN(@now, MAX(started_at, COALESCE((SELECT lease_renewed_at FROM runs WHERE id = @runId), @now)))`;
    this.interruptAttempts = db.prepare(
      `UPDATE attempts SET outcome = 'interrupted', ended_at = ${diedAt}, duration_ms = MAX(0, ${diedAt} - started_at),
         error_class = 'interrupted', error_message = @message
       WHERE run_id = @runId AND outcome = 'running'`,
    );
    // The run's own worker moved it on (finish, release): its attempts still running end now.
    this.endRunningAttempts = db.prepare(
      `UPDATE attempts SET outcome = 'interrupted', ended_at = @now, duration_ms = MAX(0, @now - started_at),
         error_class = 'interrupted', error_message = @message
       WHERE run_id = @runId AND outcome = 'running'`,
    );
    this.extendLease = db.prepare(
      `UPDATE runs SET lease_expires_at = @expiresAt, lease_renewed_at = @now
       WHERE id = @runId AND lease_token = @token AND status = '${LEASED}' RETURNING cancel_requested`,
    );
    this.onHost = db.prepare(`SELECT id, lease_pid, lease_token FROM runs WHERE status = '${LEASED}' AND lease_host = ? ORDER BY id`);
    this.expireLease = db.prepare(
      `UPDATE runs SET lease_expires_at = @now, updated_at = @now
       WHERE id = @runId AND lease_token = @token AND status = '${LEASED}'`,
    );
  }

  create(args: CreateRunArgs): { run: RunRecord; created: boolean } {
    const row = this.insert.get({
      id: args.id,
      workflow: args.workflow,
      input: args.input,
      parentRunId: args.parentRunId ?? null,
      now: args.now,
      traceParent: args.traceParent ?? null,
      version: args.version ?? null,
    }) as RunRow | undefined;
    if (row !== undefined) return { run: toRunRecord(row), created: true };
    return { run: this.require(args.id), created: false };
  }

  get(runId: string): RunRecord | null {
    const row = this.byId.get(runId) as RunRow | undefined;
    return row === undefined ? null : toRunRecord(row);
  }

  /** For write paths that just read the run in the same transaction. */
  require(runId: string): RunRecord {
    const run = this.get(runId);
    if (run === null) throw new Error(`run ${runId} vanished inside a transaction`);
    return run;
  }

  /** Throws LeaseLostError unless `token` still holds the running run. */
  fence(args: Pick<LeaseArgs, 'runId' | 'token'>): { workerId: string; parentRunId: string | null } {
    const row = this.fenceRow.get(args.runId) as
      { status: string; lease_token: string | null; lease_owner: string | null; parent_run_id: string | null } | undefined;
    if (row === undefined || row.status !== LEASED || row.lease_token !== args.token) {
      throw new LeaseLostError(args.runId);
    }
    return { workerId: row.lease_owner ?? '', parentRunId: row.parent_run_id };
  }

  claim(args: ClaimArgs): RunRecord[] {
    if (args.limit <= 0 || args.workflows.length === 0) return [];
    const versions = args.versions === undefined ? null : JSON.stringify(args.versions.map((v) => versionKey(v.workflow, v.version)));
    const filter = { now: args.now, limit: args.limit, workflows: JSON.stringify(args.workflows), versions };
    const ids = (args.runId === undefined ? this.claimableAny.all(filter) : this.claimableOne.all({ ...filter, runId: args.runId })) as Array<{
      id: string;
      claims_without_progress: number;
    }>;
    const lease = {
      workerId: args.workerId,
      host: args.host,
      pid: args.pid,
      now: args.now,
      expiresAt: args.now + args.leaseMs,
    };
    const max = args.maxClaimsWithoutProgress;
    const claimed: RunRecord[] = [];
    for (const { id, claims_without_progress: claims } of ids) {
      this.interruptAttempts.run({ runId: id, now: args.now, message: INTERRUPTED_MESSAGE }); // before the new lease: it reads the old one's last renewal
      if (isPoison(claims, max)) {
        this.events.append([{ runId: id, type: PARKED_EVENT, data: { claims }, at: args.now }]);
        claimed.push(toRunRecord(this.park.get({ id, now: args.now, error: errorToText(parkedError(claims)) }) as RunRow));
        continue;
      }
      claimed.push(toRunRecord(this.takeLease.get({ ...lease, id, token: randomUUID() }) as RunRow));
    }
    return claimed;
  }

  /** Ends every attempt of the run still marked running as `interrupted`, now (the run moved on). */
  interruptRunning(runId: string, now: number, message: string): void {
    this.endRunningAttempts.run({ runId, now, message });
  }

  heartbeat(args: LeaseArgs & { leaseMs: number }): { ok: boolean; cancelRequested: boolean } {
    const row = this.extendLease.get({ runId: args.runId, token: args.token, now: args.now, expiresAt: args.now + args.leaseMs }) as
      { cancel_requested: number } | undefined;
    return row === undefined ? { ok: false, cancelRequested: false } : { ok: true, cancelRequested: row.cancel_requested !== 0 };
  }

  leasesOnHost(host: string): Array<{ runId: string; pid: number; token: string }> {
    const rows = this.onHost.all(host) as Array<{ id: string; lease_pid: number | null; lease_token: string }>;
    return rows.map((r) => ({ runId: r.id, pid: r.lease_pid ?? 0, token: r.lease_token }));
  }

  breakLease(runId: string, token: string, now: number): boolean {
    return this.expireLease.run({ runId, token, now }).changes > 0;
  }

  list(filter: RunFilter = {}): RunRecord[] {
    const where: string[] = [];
    const params: Record<string, unknown> = { limit: filter.limit ?? 100 };
    if (filter.status !== undefined) {
      where.push('status IN (SELECT value FROM json_each(@statuses))');
      params['statuses'] = JSON.stringify(Array.isArray(filter.status) ? filter.status : [filter.status]);
    }
    if (filter.workflow !== undefined) {
      where.push('workflow = @workflow');
      params['workflow'] = filter.workflow;
    }
    if (filter.parentRunId !== undefined) {
      where.push('parent_run_id = @parentRunId');
      params['parentRunId'] = filter.parentRunId;
    }
    const sql = `SELECT * FROM runs ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ` + 'ORDER BY created_at DESC, id DESC LIMIT @limit';
    // At most 8 filter shapes exist, so caching by SQL text keeps "prepare once".
    let stmt = this.listCache.get(sql);
    if (stmt === undefined) {
      stmt = this.db.prepare(sql);
      this.listCache.set(sql, stmt);
    }
    return (stmt.all(params) as RunRow[]).map(toRunRecord);
  }
}
