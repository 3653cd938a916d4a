// Step results, attempts, signals read by steps, and events. Every write is one statement with
// data-modifying CTEs (autocommit: one round trip, one WAL flush); commitStep calls are batched
// (commit-batch.ts) and attempt starts held and merged (attempt-starts.ts).
import { LifelineError } from '../../errors/lifeline-error.js';
import { LeaseLostError, StepAlreadyCommittedError } from '../../errors/store-errors.js';
import type { CommitStepArgs, EndAttemptArgs, NewEvent, StartAttemptArgs } from '../store.js';
import type { AttemptRecord, EventRecord, SignalRecord, StepRecord } from '../types.js';
import { toAttemptRecord, toEventRecord, toSignalRecord, toStepRecord, type AttemptRow, type EventRow, type SignalRow, type StepRow } from '../rows.js';
import { AttemptStarts } from './attempt-starts.js';
import { BATCHING, StatementBatcher } from './batcher.js';
import { commitSql, commitValues, SIGNAL_ALREADY_CONSUMED, type CommitCall, type CommitResult } from './commit-batch.js';
import { commitOneSql, commitOneValues, isLoneCall } from './commit-one.js';
import { refusalCode, type PgExec } from './exec.js';
import { leaseNowSql, type LeaseClock } from './lease-clock.js';
import { LEASED } from '../lifecycle.js';
import { ATTEMPT_DETAIL_COLUMNS, ATTEMPT_END_UPDATE, mergedTags, tagsText } from './attempt-details.js';

/** Events as four parallel arrays, inserted with unnest() by the statements that take them. */
export function eventArrays(events: readonly NewEvent[] | undefined): [string[], string[], string[], number[]] {
  const list = events ?? [];
  return [list.map((e) => e.runId), list.map((e) => e.type), list.map((e) => JSON.stringify(e.data ?? null)), list.map((e) => e.at)];
}

/** INSERT of the events passed as arrays $n..$n+3, when `condition` holds. */
export function insertEvents(s: string, n: number, condition = 'true'): string {
  return `INSERT INTO ${s}.events (run_id, type, data, at)
    SELECT * FROM unnest($${n}::text[], $${n + 1}::text[], $${n + 2}::text[], $${n + 3}::bigint[]) WHERE ${condition}`;
}

export class StepOps {
  private readonly sql;
  private readonly starts: AttemptStarts;
  private readonly commits: StatementBatcher<CommitCall, CommitResult>;

  constructor(
    private readonly db: PgExec,
    s: string,
    leaseClock: LeaseClock,
  ) {
    const leaseNow = (callerExpr: string) => leaseNowSql(leaseClock, callerExpr);
    this.commits = new StatementBatcher<CommitCall, CommitResult>(
      async (calls) =>
        isLoneCall(calls)
          ? (await this.db.query<CommitResult>('durable', 'll_commit_one', this.sql.commitOne, commitOneValues(calls[0]!))).rows
          : (await this.db.query<CommitResult>('durable', 'll_commit_steps', this.sql.commit, commitValues(calls))).rows,
      { ...BATCHING, keyOf: (c) => `${c.args.runId}\u0000${c.args.step.stepId}` },
    );
    this.starts = new AttemptStarts(async (starts) => {
      const rows = (
        await this.db.query<{ i: number; fenced: boolean }>('soft', 'll_attempts_start', this.sql.startAttempts, [
          JSON.stringify(
            starts.map((a, i) => ({
              i,
              r: a.runId,
              s: a.stepId,
              n: a.stepName,
              a: a.attempt,
              t: a.startedAt,
              w: a.workerId,
              k: a.token ?? null,
              l: a.leaseMs ?? null,
              v: a.alternative ?? null,
              h: a.host ?? null,
              g: a.tags == null ? null : JSON.stringify(a.tags),
            })),
          ),
        ])
      ).rows;
      return rows.map((row) => row.fenced);
    });
    this.sql = {
      steps: `SELECT * FROM ${s}.step_results WHERE run_id = $1 ORDER BY seq, step_id`,
      attempts: `SELECT * FROM ${s}.attempts WHERE run_id = $1 ORDER BY id`,
      // A row that already exists keeps its first record: it may already tell how the attempt
      // ended (commitStep or endAttempt can land first: they run on other connections).
      // A start with a token (k) is fenced: written only while that token holds the run.
      startAttempts: `
        WITH u AS (SELECT * FROM json_to_recordset($1::json) AS u (i int, r text, s text, n text, a int, t bigint, w text, k text, l bigint, v text, h text, g text)),
        -- The fence locks the run row FOR KEY SHARE (like commitStep): it conflicts with a claim, so
        -- a start cannot pass the check while a takeover is uncommitted and land after it.
        held AS (SELECT u.i FROM u JOIN ${s}.runs AS run ON run.id = u.r AND run.lease_token = u.k AND run.status = '${LEASED}'
          FOR KEY SHARE OF run),
        f AS (SELECT u.* FROM u WHERE u.k IS NULL OR u.i IN (SELECT i FROM held)),
        -- A fenced start with a lease time (l) extends the lease like a heartbeat, and records the
        -- renewal (where an attempt interrupted by a takeover ends), as SQLite's does.
        ext AS (UPDATE ${s}.runs AS run SET lease_expires_at = ${leaseNow('f.t')} + f.l, lease_renewed_at = f.t FROM f
          WHERE run.id = f.r AND f.k IS NOT NULL AND f.l IS NOT NULL),
        ins AS (INSERT INTO ${s}.attempts (run_id, step_id, step_name, attempt, started_at, outcome, worker_id, alternative, host, tags)
          SELECT r, s, n, a, t, 'running', w, v, h, g FROM f ON CONFLICT (run_id, step_id, attempt) DO NOTHING)
        SELECT u.i, EXISTS (SELECT 1 FROM f WHERE f.i = u.i) AS fenced FROM u ORDER BY u.i`,
      // Without a started row, record what is known: the step name is the stepId's prefix
      // ("fetch#0" -> "fetch"), the start is the end, the worker the lease holder.
      // With a token ($15) the end is fenced like the start: nothing is written once the run moved on.
      endAttempt: `
        WITH held AS (SELECT 1 FROM ${s}.runs WHERE id = $1 AND lease_token = $15::text AND status = '${LEASED}' FOR KEY SHARE
        ), f AS (SELECT ($15::text IS NULL OR EXISTS (SELECT 1 FROM held)) AS ok
        ), att AS (
          INSERT INTO ${s}.attempts AS a (run_id, step_id, step_name, attempt, started_at, ended_at, outcome,
            error_class, error_message, duration_ms, worker_id, alternative, moved_on, ${ATTEMPT_DETAIL_COLUMNS})
          SELECT $1, $2, COALESCE($13::text, regexp_replace($2, '#\\d+$', '')), $3, COALESCE($12::bigint, $4::bigint), $4, $5, $6, $7,
            GREATEST(0, $4::bigint - COALESCE($12::bigint, $4::bigint)),
            COALESCE($14::text, (SELECT lease_owner FROM ${s}.runs WHERE id = $1 AND lease_token IS NOT NULL), ''),
            COALESCE($16::text, $18::text), $17::text,
            CASE WHEN $12::bigint IS NULL THEN (SELECT lease_host FROM ${s}.runs WHERE id = $1 AND lease_token IS NOT NULL) ELSE $19::text END,
            ${mergedTags('$20::text', '$21::text')}, $22::text, $23::text, $24::text, $25::int, $26::bigint
          FROM f WHERE f.ok
          ON CONFLICT (run_id, step_id, attempt) DO UPDATE SET ${ATTEMPT_END_UPDATE}
        ), ev AS (${insertEvents(s, 8, '(SELECT ok FROM f)')})
        SELECT ok AS fenced FROM f`,
      commit: commitSql(s),
      commitOne: commitOneSql(s),
      peekSignal: `SELECT * FROM ${s}.signals WHERE run_id = $1 AND name = $2 AND consumed_by_step IS NULL ORDER BY id LIMIT 1`,
      appendEvents: insertEvents(s, 1),
      eventsAll: `SELECT * FROM ${s}.events WHERE id > $1 ORDER BY id LIMIT $2`,
      eventsOfRun: `SELECT * FROM ${s}.events WHERE run_id = $3 AND id > $1 ORDER BY id LIMIT $2`,
    };
  }

  async getSteps(runId: string): Promise<StepRecord[]> {
    return (await this.db.read<StepRow>(runId, 'll_steps', this.sql.steps, [runId])).rows.map(toStepRecord);
  }

  async listAttempts(runId: string): Promise<AttemptRecord[]> {
    return (await this.db.read<AttemptRow>(runId, 'll_attempts', this.sql.attempts, [runId])).rows.map(toAttemptRecord);
  }

  startAttempt(a: StartAttemptArgs): Promise<void> {
    return this.db.track([a.runId], this.starts.add(a));
  }

  /** Writes the held starts now (before close). */
  flushStarts(): Promise<void> {
    return this.starts.flush();
  }

  async endAttempt(a: EndAttemptArgs): Promise<void> {
    const taken = this.starts.take(a.runId, a.stepId, a.attempt);
    const values = [
      a.runId,
      a.stepId,
      a.attempt,
      a.endedAt,
      a.outcome,
      a.errorClass ?? null,
      a.errorMessage ?? null,
      ...eventArrays(a.events),
      taken?.start.startedAt ?? null,
      taken?.start.stepName ?? null,
      taken?.start.workerId ?? null,
      a.token ?? null,
      a.alternative ?? null,
      a.movedOn ?? null,
      taken?.start.alternative ?? null,
      taken?.start.host ?? null,
      tagsText(taken?.start.tags),
      tagsText(a.tags),
      a.errorName ?? null,
      a.errorKind ?? null,
      a.fingerprint ?? null,
      a.fingerprintVersion ?? null,
      a.costMicros ?? null,
    ];
    await settle(
      taken,
      this.db.soft(runIdsOf(a.runId, a.events), 'll_attempt_end', this.sql.endAttempt, values).then((r) => {
        if ((r.rows[0] as { fenced?: boolean } | undefined)?.fenced === false) throw new LeaseLostError(a.runId);
      }),
    );
  }

  async commitStep(args: CommitStepArgs): Promise<void> {
    const taken = this.starts.take(args.runId, args.step.stepId, args.attempt?.attempt);
    let result: CommitResult;
    try {
      result = await this.db.track(runIdsOf(args.runId, args.events), this.commits.add({ args, start: taken?.start ?? null }));
    } catch (error) {
      taken?.done(error);
      if (refusalCode(error) !== SIGNAL_ALREADY_CONSUMED) throw error;
      throw new LifelineError(
        SIGNAL_ALREADY_CONSUMED,
        'logic',
        `Signal ${args.consumeSignalId} of run ${args.runId} cannot be consumed by step ${args.step.stepId}: it is already consumed or belongs to another run.`,
      );
    }
    const refused = !result.fenced ? new LeaseLostError(args.runId) : result.stepped ? null : new StepAlreadyCommittedError(args.runId, args.step.stepId);
    taken?.done(refused ?? undefined);
    if (refused !== null) throw refused;
  }

  async peekSignal(runId: string, name: string): Promise<SignalRecord | null> {
    const row = (await this.db.read<SignalRow>(runId, 'll_signal_peek', this.sql.peekSignal, [runId, name])).rows[0];
    return row === undefined ? null : toSignalRecord(row);
  }

  async appendEvents(events: NewEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.db.soft(runIdsOf(undefined, events), 'll_events_append', this.sql.appendEvents, eventArrays(events));
  }

  async listEvents(filter: { runId?: string; afterId?: number; limit?: number }): Promise<EventRecord[]> {
    const values: unknown[] = [filter.afterId ?? 0, filter.limit ?? 1000];
    const res =
      filter.runId === undefined
        ? await this.db.read<EventRow>(undefined, 'll_events_all', this.sql.eventsAll, values)
        : await this.db.read<EventRow>(filter.runId, 'll_events_run', this.sql.eventsOfRun, [...values, filter.runId]);
    return res.rows.map(toEventRecord);
  }
}

/** Tells a taken-over start how the statement that carried it ended. */
async function settle<T>(taken: { done: (error?: unknown) => void } | null, write: Promise<T>): Promise<T> {
  try {
    const result = await write;
    taken?.done();
    return result;
  } catch (error) {
    taken?.done(error);
    throw error;
  }
}

/** The runs a write touches, for read-your-writes. */
export function runIdsOf(runId: string | undefined, events: readonly NewEvent[] | undefined): string[] {
  const ids = new Set<string>(runId === undefined ? [] : [runId]);
  for (const e of events ?? []) ids.add(e.runId);
  return [...ids];
}
