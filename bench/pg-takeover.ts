// TAKEOVER: failover to another host on PostgreSQL. A worker process started with --host host-a
// executes a run of slow steps (each appends "<stepId> <epoch ms> <pid>" to a file, then sleeps
// 100 ms). A second worker process, --host host-b, is started and ready. After a random delay of
// 0-1000 ms (so the kill falls anywhere in host-a's 1000 ms heartbeat cycle) host-a is SIGKILLed.
// host-b is another host: it cannot check host-a's pid, so it must wait for the lease (default
// leaseMs 3000) to lapse, then claim the run at its next poll (pollMs 200). Measured: seconds
// from the kill to the first line written by host-b, with its parts (lease left at the kill,
// lease expiry to claim, claim to first step). Median of 3.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Lifeline } from '../src/engine/lifeline.js';
import { median, round, ROOT, sleep, tempDir } from './common.js';
import { connect, dropSchema, freshSchema, schemaUrl } from './pg-common.js';
import { spawnWorker, stopWorker, type WorkerProcess } from './pg-procs.js';
import { takeover, type TakeoverInput } from './fixtures/takeover-workflow.js';

const WORKFLOW = join(ROOT, 'build', 'bench', 'fixtures', 'takeover-workflow.js');

export interface TakeoverRep {
  /** Kill -> first step line of host-b, ms. */
  killToFirstStepMs: number;
  /** lease_expires_at - kill: what was left of host-a's lease, ms. */
  leaseLeftAtKillMs: number;
  /** Lease expiry -> host-b's claim (runs.updated_at of the claim), ms: up to one poll interval. */
  expiryToClaimMs: number;
  /** host-b's claim -> its first step line (history load, replay, step start), ms. */
  claimToFirstStepMs: number;
  randomDelayMs: number;
  stepsByHostA: number;
  firstStepOfHostB: string;
  /** Steps host-a had committed that host-b executed again (must be 0). */
  completedStepsReExecuted: number;
  /** The step in flight at the kill, executed again by host-b (at-least-once). */
  inFlightReExecuted: number;
  claimCount: number;
}

export interface TakeoverResult {
  leaseMs: number;
  heartbeatMs: number;
  pollMs: number;
  stepSleepMs: number;
  reps: TakeoverRep[];
  killToFirstStepMs: number;
  completedStepsReExecuted: number;
}

interface Line {
  stepId: string;
  at: number;
  pid: number;
}

function readLines(path: string): Line[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      const [stepId = '', at = '0', pid = '0'] = l.split(' ');
      return { stepId, at: Number(at), pid: Number(pid) };
    });
}

async function waitFor<T>(what: string, fn: () => T | undefined, ms = 30_000, every = 5): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`TAKEOVER: timed out waiting for ${what}`);
    await sleep(every);
  }
}

async function rep(url: string, index: number): Promise<TakeoverRep> {
  const schema = freshSchema('takeover');
  const db = schemaUrl(url, schema);
  const tmp = tempDir('takeover');
  const log = join(tmp.dir, 'steps.log');
  const runId = `takeover-${index}`;
  const procs: WorkerProcess[] = [];
  const monitor = await connect(url, 'lifeline-bench-monitor');
  try {
    // Created before any worker exists: the migration is done and host-a claims on its first poll.
    const creator = await Lifeline.open({ db, workflows: [takeover] });
    const input: TakeoverInput = { log, steps: 200, sleepMs: 100 };
    await creator.start(takeover, input, { runId });
    await creator.close();

    const a = spawnWorker(db, WORKFLOW, ['--host', 'host-a', '--concurrency', '1']);
    procs.push(a);
    await a.ready;
    await waitFor('host-a to execute steps', () => (readLines(log).length >= 3 ? true : undefined), 30_000);
    const b = spawnWorker(db, WORKFLOW, ['--host', 'host-b', '--concurrency', '1']);
    procs.push(b);
    await b.ready;
    const randomDelayMs = Math.floor(Math.random() * 1000);
    await sleep(randomDelayMs);

    const killedAt = Date.now();
    a.child.kill('SIGKILL');
    await a.exited;
    const atKill = (
      await monitor.query<{ exp: number; owner: string }>(`SELECT lease_expires_at::float8 AS exp, lease_owner AS owner FROM "${schema}".runs WHERE id = $1`, [
        runId,
      ])
    ).rows[0];
    if (!atKill?.owner.startsWith('host-a:')) throw new Error(`TAKEOVER: the run is not leased by host-a at the kill (${atKill?.owner})`);

    const firstB = await waitFor('host-b to execute a step', () => readLines(log).find((l) => l.pid === b.pid), 30_000);
    const claim = (
      await monitor.query<{ at: number; claims: number; owner: string | null }>(
        `SELECT updated_at::float8 AS at, claim_count AS claims, lease_owner AS owner FROM "${schema}".runs WHERE id = $1`,
        [runId],
      )
    ).rows[0];
    if (!claim?.owner?.startsWith('host-b:')) throw new Error(`TAKEOVER: the run is not leased by host-b (${claim?.owner})`);
    // Let host-b run a few more steps, then look for re-executions.
    await waitFor('host-b to execute 3 steps', () => (readLines(log).filter((l) => l.pid === b.pid).length >= 3 ? true : undefined), 30_000);
    await stopWorker(b);

    const lines = readLines(log);
    const attempts = (
      await monitor.query<{ step_id: string; outcome: string; worker_id: string }>(
        `SELECT step_id, outcome, worker_id FROM "${schema}".attempts WHERE run_id = $1 ORDER BY id`,
        [runId],
      )
    ).rows;
    const committedByA = new Set(attempts.filter((r) => r.worker_id.startsWith('host-a:') && r.outcome === 'succeeded').map((r) => r.step_id));
    const byA = new Set(lines.filter((l) => l.pid === a.pid).map((l) => l.stepId));
    const byB = lines.filter((l) => l.pid === b.pid).map((l) => l.stepId);
    const inFlight = [...byA].filter((s) => !committedByA.has(s));
    return {
      killToFirstStepMs: firstB.at - killedAt,
      leaseLeftAtKillMs: atKill.exp - killedAt,
      expiryToClaimMs: claim.at - atKill.exp,
      claimToFirstStepMs: firstB.at - claim.at,
      randomDelayMs,
      stepsByHostA: byA.size,
      firstStepOfHostB: firstB.stepId,
      completedStepsReExecuted: byB.filter((s) => committedByA.has(s)).length,
      inFlightReExecuted: byB.filter((s) => inFlight.includes(s)).length,
      claimCount: claim.claims,
    };
  } finally {
    await Promise.all(procs.map((p) => stopWorker(p)));
    await monitor.end();
    await dropSchema(url, schema);
    tmp.cleanup();
  }
}

export async function benchTakeover(url: string, log: (s: string) => void, reps = 3): Promise<TakeoverResult> {
  const results: TakeoverRep[] = [];
  for (let i = 0; i < reps; i++) {
    const r = await rep(url, i);
    log(
      `  TAKEOVER ${i}: ${r.killToFirstStepMs} ms (lease left ${r.leaseLeftAtKillMs}, expiry->claim ${r.expiryToClaimMs}, claim->step ${r.claimToFirstStepMs})`,
    );
    results.push(r);
  }
  return {
    leaseMs: 3000,
    heartbeatMs: 1000,
    pollMs: 200,
    stepSleepMs: 100,
    reps: results,
    killToFirstStepMs: round(median(results.map((r) => r.killToFirstStepMs)), 1),
    completedStepsReExecuted: Math.max(...results.map((r) => r.completedStepsReExecuted)),
  };
}
