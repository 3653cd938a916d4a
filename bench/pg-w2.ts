// W2-PG: 500 runs x 3 steps on PostgreSQL, executed by separate worker processes
// (`lifeline worker build/bench/fixtures/pg-w2-workflow.js -q --concurrency N`).
//  - The bench process creates the 500 runs first (no worker running), in a fresh schema.
//  - Then it spawns the workers. The clock starts when the FIRST worker says it is running
//    (its `worker ... running workflows` line, printed right after worker.start(); the later
//    workers' start-up therefore overlaps the measurement) and stops when a poll of the runs
//    table (every 20 ms) sees all 500 completed. From spawn, and from the LAST worker ready,
//    are reported as well.
//    This is the "cold" mode (the figure compared with the target).
//  - "warm" mode (diagnostic): the runs are created the same way, then hidden from the workers
//    (status 'sleeping', wake_at far away, by a direct UPDATE), the workers are spawned, and once
//    ALL of them are ready the runs are released in one UPDATE (back to 'pending') followed by a
//    NOTIFY on the store's channel; the clock starts at the release. This is throughput without
//    process start-up in the window (on 2 cores, 4 starting node processes compete with the others).
//  - "split": a total concurrency of 16 split across the processes (16, 8+8, 4x4);
//    "each16": every process runs with --concurrency 16.
// Diagnostics: CPU used by the worker processes and by the PostgreSQL server (its backends)
// during the phase, transactions and WAL flushes per run (pg_stat_database / pg_stat_wal, read
// after the workers exited so their backends have reported), runs per worker.
import { Lifeline } from '../src/engine/lifeline.js';
import { median, noiseMeter, round, ROOT, sleep, type Noise } from './common.js';
import { connect, counterDelta, dropSchema, freshSchema, processCpuMs, readCounters, schemaUrl, ServerCpu, type PgCounters } from './pg-common.js';
import { spawnWorker, stopWorker, type WorkerProcess } from './pg-procs.js';
import { pgW2 } from './fixtures/pg-w2-workflow.js';
import { join } from 'node:path';

const WORKFLOW = join(ROOT, 'build', 'bench', 'fixtures', 'pg-w2-workflow.js');

export interface W2PgRep {
  runsPerSec: number;
  /** ms from the first worker ready to the poll that saw every run completed. */
  ms: number;
  /** Runs/s counted from spawning the processes, and from the last worker ready. */
  runsPerSecFromSpawn: number;
  runsPerSecFromLastReady: number;
  /** ms from spawn to each worker's ready line (process start-up, module loading, store open). */
  readyMs: number[];
  /** The last run's completion time (runs.updated_at) vs the poll that saw it, ms. */
  pollLagMs: number;
  /** CPU ms during the phase: the worker processes (after their start-up) and the server. */
  cpu: { workersMs: number; serverMs: number | null; perRunMs: number | null; wallMs: number };
  /** Per run, from the server's counters (minus the bench's own polling). */
  perRun: { transactions: number; walSyncs: number; walRecords: number; walBytes: number };
  runsPerWorker: number[];
  noise: Noise;
}

export type W2PgMode = 'cold' | 'warm';

export interface W2PgConfig {
  processes: number;
  concurrencyEach: number;
  mode: W2PgMode;
  reps: W2PgRep[];
  runsPerSec: number;
  runsPerSecFromSpawn: number;
}

export interface W2PgResult {
  runs: number;
  steps: number;
  split: W2PgConfig[];
  each16: W2PgConfig[];
  /** The same configurations in warm mode (runs released once every worker is ready). */
  splitWarm: W2PgConfig[];
  each16Warm: W2PgConfig[];
}

async function createRuns(dbUrl: string, runs: number): Promise<void> {
  const creator = await Lifeline.open({ db: dbUrl, workflows: [pgW2] });
  try {
    await Promise.all(Array.from({ length: runs }, (_, n) => creator.start(pgW2, { n })));
  } finally {
    await creator.close();
  }
}

async function once(url: string, processes: number, concurrencyEach: number, runs: number, mode: W2PgMode): Promise<W2PgRep> {
  const schema = freshSchema('w2');
  const dbUrl = schemaUrl(url, schema);
  await createRuns(dbUrl, runs);
  const monitor = await connect(url, 'lifeline-bench-monitor');
  if (mode === 'warm') await monitor.query(`UPDATE "${schema}".runs SET status = 'sleeping', wake_at = 9000000000000000 WHERE status = 'pending'`);
  const serverCpu = await ServerCpu.find(url);
  const workers: WorkerProcess[] = [];
  try {
    const counters0: PgCounters = await readCounters(monitor);
    let benchXacts = 1; // the bench's own transactions in the window (counter reads, polls)
    const cpu0 = serverCpu?.snapshot();
    const noise = noiseMeter();
    const spawnedAt = Date.now();
    for (let i = 0; i < processes; i++) workers.push(spawnWorker(dbUrl, WORKFLOW, ['--concurrency', String(concurrencyEach)]));
    const workerCpuAtReady = new Map<number, number>();
    const readyAts = await Promise.all(
      workers.map((w) =>
        w.ready.then((at) => {
          workerCpuAtReady.set(w.pid, processCpuMs(w.pid) ?? 0);
          return at;
        }),
      ),
    );
    let firstReady = Math.min(...readyAts);
    const lastReady = Math.max(...readyAts);
    if (mode === 'warm') {
      firstReady = Date.now();
      await monitor.query(`UPDATE "${schema}".runs SET status = 'pending', wake_at = NULL WHERE status = 'sleeping'`);
      await monitor.query('SELECT pg_notify($1, $2)', [`lifeline_${schema}`, '']);
      benchXacts += 2;
    }
    let doneAt = 0;
    const deadline = Date.now() + 120_000;
    for (;;) {
      const row = (
        await monitor.query<{ done: number; bad: number }>(
          `SELECT count(*) FILTER (WHERE status = 'completed')::int AS done,
                count(*) FILTER (WHERE status IN ('failed', 'cancelled'))::int AS bad FROM "${schema}".runs`,
        )
      ).rows[0];
      benchXacts++;
      if ((row?.bad ?? 0) > 0) throw new Error(`W2-PG: ${row?.bad} runs failed`);
      if ((row?.done ?? 0) >= runs) {
        doneAt = Date.now();
        break;
      }
      if (Date.now() > deadline) throw new Error(`W2-PG: only ${row?.done} of ${runs} runs completed in 120 s`);
      for (const w of workers) if (w.child.exitCode !== null) throw new Error(`W2-PG: a worker exited (${w.child.exitCode}): ${w.stderr()}`);
      await sleep(20);
    }
    const workersMs = workers.reduce((sum, w) => sum + ((processCpuMs(w.pid) ?? 0) - (workerCpuAtReady.get(w.pid) ?? 0)), 0);
    const serverMs = serverCpu && cpu0 ? ServerCpu.delta(cpu0, serverCpu.snapshot()) : null;
    const machine = noise();
    const last = (await monitor.query<{ last: number }>(`SELECT max(updated_at)::float8 AS last FROM "${schema}".runs`)).rows[0]?.last ?? doneAt;
    const perWorker = (
      await monitor.query<{ w: string; n: number }>(
        `SELECT worker_id AS w, count(DISTINCT run_id)::int AS n FROM "${schema}".attempts GROUP BY worker_id ORDER BY n DESC`,
      )
    ).rows.map((r) => r.n);
    benchXacts += 2;
    await Promise.all(workers.map((w) => stopWorker(w)));
    await sleep(300); // the workers' backends report their statistics as they exit
    const counters1 = await readCounters(monitor);
    const d = counterDelta(counters0, counters1);
    const ms = doneAt - firstReady;
    const wallMs = doneAt - firstReady;
    return {
      runsPerSec: round(runs / (ms / 1000), 1),
      ms,
      runsPerSecFromSpawn: round(runs / ((doneAt - spawnedAt) / 1000), 1),
      runsPerSecFromLastReady: round(runs / ((doneAt - lastReady) / 1000), 1),
      readyMs: readyAts.map((at) => at - spawnedAt),
      pollLagMs: round(doneAt - last, 1),
      cpu: {
        workersMs,
        serverMs,
        perRunMs: serverMs === null ? null : round((workersMs + serverMs) / runs, 3),
        wallMs,
      },
      perRun: {
        // The stop (SIGTERM: release, close) adds a few transactions per worker; the bench's own polls are subtracted.
        transactions: round((d.xactCommit - benchXacts) / runs, 2),
        walSyncs: round(d.walSync / runs, 3),
        walRecords: round(d.walRecords / runs, 1),
        walBytes: round(d.walBytes / runs, 0),
      },
      runsPerWorker: perWorker,
      noise: machine,
    };
  } finally {
    await Promise.all(workers.map((w) => stopWorker(w)));
    await monitor.end();
    await dropSchema(url, schema);
  }
}

export async function benchW2PgConfig(
  url: string,
  processes: number,
  concurrencyEach: number,
  runs: number,
  reps: number,
  mode: W2PgMode,
  log: (s: string) => void,
): Promise<W2PgConfig> {
  const results: W2PgRep[] = [];
  for (let r = 0; r < reps; r++) {
    const rep = await once(url, processes, concurrencyEach, runs, mode);
    log(
      `  W2-PG ${mode} ${processes} x c${concurrencyEach}: ${rep.runsPerSec} runs/s (from spawn ${rep.runsPerSecFromSpawn}; CPU/run ${rep.cpu.perRunMs} ms, ${rep.perRun.transactions} txns/run; machine busy ${rep.noise.machineBusyPct}%)`,
    );
    results.push(rep);
  }
  return {
    processes,
    concurrencyEach,
    mode,
    reps: results,
    runsPerSec: round(median(results.map((r) => r.runsPerSec)), 1),
    runsPerSecFromSpawn: round(median(results.map((r) => r.runsPerSecFromSpawn)), 1),
  };
}

export async function benchW2Pg(url: string, log: (s: string) => void, runs = 500, reps = 3): Promise<W2PgResult> {
  await once(url, 1, 16, runs, 'cold'); // warm-up (server caches, page cache of the CLI's modules), not counted
  const out: W2PgResult = { runs, steps: 3, split: [], each16: [], splitWarm: [], each16Warm: [] };
  for (const p of [1, 2, 4]) {
    out.split.push(await benchW2PgConfig(url, p, 16 / p, runs, reps, 'cold', log));
    out.splitWarm.push(await benchW2PgConfig(url, p, 16 / p, runs, reps, 'warm', log));
  }
  for (const p of [2, 4]) {
    out.each16.push(await benchW2PgConfig(url, p, 16, runs, reps, 'cold', log));
    out.each16Warm.push(await benchW2PgConfig(url, p, 16, runs, reps, 'warm', log));
  }
  return out;
}
