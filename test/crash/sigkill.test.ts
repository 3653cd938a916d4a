// Real crashes: `lifeline worker` processes (the compiled CLI) are SIGKILLed at seeded random
// moments while they execute runs of test/fixtures/crash-workflow.ts, and restarted, until
// every run has completed. Then the database and the side-effect log must show that no
// completed step ever ran again, nothing is left running, and every run has its exact output.
// Kill times come from mulberry32(seed); set CRASH_SEED to replay another sequence.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lifeline } from '../../src/engine/lifeline.js';
import { crashPipeline } from '../fixtures/crash-workflow.js';
import { assertBuilt, checkInvariants, mulberry32, timer, until, WorkerPool, type WorkerProcess } from './harness.js';

const SEED = Number(process.env.CRASH_SEED ?? 0x5eed_c0de);
// Not 6: a worker finishes 6 runs of the fixture ~300 ms after it starts, so most kill delays
// (50-600 ms) would land after the work is done and the test would exercise nothing. 96 runs
// keep one worker busy for several seconds (the runs are fsync-bound: ~9 durable commits each).
const RUNS = Number(process.env.CRASH_RUNS ?? 96);
const MAX_KILLS = 40;
const KILL_MIN_MS = 50;
const KILL_MAX_MS = 600;
/** After this long, stop killing and let the workers finish (a loaded machine is slow, not wrong). */
const KILL_PHASE_MS = 25_000;
/** Then fail, naming the seed, rather than run into the test timeout. */
const DEADLINE_MS = 55_000;

const pools: WorkerPool[] = [];
const observers: Database.Database[] = [];
const dirs: string[] = [];

beforeAll(() => assertBuilt());

afterAll(async () => {
  for (const t of overdueTimers) t.cancel();
  // Even when an assertion failed mid-scenario: no worker may outlive the test.
  await Promise.all(pools.map((p) => p.killAll()));
  for (const db of observers) if (db.open) db.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface Scenario {
  db: Database.Database;
  dbPath: string;
  sideEffects: string;
  runIds: string[];
  pool: WorkerPool;
  completed: () => boolean;
  context: (what: string) => string;
}

async function setUp(name: string, workerArgs: string[]): Promise<Scenario> {
  const dir = mkdtempSync(join(tmpdir(), `lifeline-${name}-`));
  dirs.push(dir);
  const dbPath = join(dir, 'crash.db');
  const sideEffects = join(dir, 'side-effects.log');
  const runIds = Array.from({ length: RUNS }, (_, i) => `${name}-run-${i}`);
  const client = await Lifeline.open({ db: dbPath, workflows: [crashPipeline] });
  for (const [i, runId] of runIds.entries()) await client.start(crashPipeline, { label: `run ${i}` }, { runId });
  // The observer connection (reads only) opens while the file is in WAL mode and in use.
  const db = new Database(dbPath, { readonly: true });
  db.pragma('busy_timeout = 5000');
  observers.push(db);
  await client.close();
  const pool = new WorkerPool(dbPath, sideEffects, workerArgs);
  pools.push(pool);
  const countCompleted = db.prepare(`SELECT COUNT(*) AS n FROM runs WHERE status = 'completed'`);
  const started = Date.now();
  return {
    db,
    dbPath,
    sideEffects,
    runIds,
    pool,
    completed: () => {
      try {
        return (countCompleted.get() as { n: number }).n === RUNS;
      } catch (error) {
        // The observer may meet a lock held by a worker (WAL recovery after a kill): look again later.
        if (/SQLITE_BUSY|SQLITE_LOCKED/.test(String((error as { code?: unknown }).code))) return false;
        throw new Error(`observer query failed: ${String(error)} (seed=${SEED}, db ${dbPath})`, { cause: error });
      }
    },
    context: (what) =>
      `${what}\n  seed=${SEED} (CRASH_SEED=${SEED} to replay) after ${Date.now() - started} ms; db ${dbPath}\n  workers:\n  ${pool.describe()}`,
  };
}

/** Fails the test if a worker exits without being told to: its stderr says why. */
function unexpectedExit(s: Scenario, proc: WorkerProcess): Promise<never> {
  const died = proc.exit.then((exit) => {
    if (proc.killedBy) return new Promise<never>(() => {}); // we stopped it: not a failure
    throw new Error(s.context(`worker #${proc.index} (pid ${proc.pid}) exited by itself: ${JSON.stringify(exit)}`));
  });
  died.catch(() => {}); // seen by the Promise.race it is part of, not reported as unhandled meanwhile
  return died;
}

/** Rejects once the scenario has run DEADLINE_MS: the final wait for completion must not hang. */
function overdue(s: Scenario, started: number, kills: () => number): Promise<never> {
  const t = timer(Math.max(0, DEADLINE_MS - (Date.now() - started)));
  const p = t.promise.then(() => {
    throw new Error(s.context(`runs not completed within ${DEADLINE_MS} ms (${kills()} kills)`));
  });
  p.catch(() => {});
  overdueTimers.push(t);
  return p;
}
const overdueTimers: Array<{ cancel(): void }> = [];

function summarize(s: Scenario, label: string, kills: number, started: number): ReturnType<typeof checkInvariants> {
  const result = checkInvariants(s.db, s.runIds, s.sideEffects, s.pool, { spawnOrderRule: label === 'one worker' });
  const { stats } = result;
  console.log(
    `[crash/${label}] seed=${SEED} kills=${kills} midStepKills=${stats.midStepKills} interruptedAttempts=${stats.interruptedAttempts} ` +
      `duplicateSideEffects=${stats.duplicateSideEffects} resumedRuns=${stats.resumedRuns} processes=${s.pool.all.length} ${Date.now() - started} ms`,
  );
  return result;
}

function assertNoBusy(s: Scenario): void {
  const busy = s.pool.all.flatMap((p) =>
    p.output
      .split('\n')
      .filter((l) => /SQLITE_BUSY|SQLITE_LOCKED/.test(l))
      .map((l) => `#${p.index}: ${l}`),
  );
  expect(busy, s.context('SQLITE_BUSY reached a worker')).toEqual([]);
}

describe('SIGKILL at random moments', () => {
  it('one worker at a time: killed and restarted until every run completed; no completed step runs again', { timeout: 60_000 }, async () => {
    const started = Date.now();
    const s = await setUp('one', ['-q', '--concurrency', '4']);
    const random = mulberry32(SEED);
    let kills = 0;
    const late = overdue(s, started, () => kills);
    while (!s.completed()) {
      const proc = s.pool.spawn();
      const died = unexpectedExit(s, proc);
      // Kill delays count from the moment the worker runs, so they land in its work, not its start-up.
      await Promise.race([proc.ready, died, late]);
      const done = until(s.completed);
      if (kills < MAX_KILLS && Date.now() - started < KILL_PHASE_MS) {
        const delay = timer(KILL_MIN_MS + Math.floor(random() * (KILL_MAX_MS - KILL_MIN_MS + 1)));
        const first = await Promise.race([delay.promise.then(() => 'kill' as const), done.promise.then(() => 'done' as const), died]);
        delay.cancel();
        done.cancel();
        if (first === 'kill') {
          const exit = await s.pool.kill(proc, 'SIGKILL');
          expect(exit.signal, s.context('SIGKILL did not end the worker')).toBe('SIGKILL');
          kills++;
          continue;
        }
      } else {
        await Promise.race([done.promise, died, late]);
      }
      // Final iteration: every run is done; a graceful stop must exit cleanly.
      const exit = await s.pool.kill(proc, 'SIGTERM');
      expect(exit, s.context('worker did not exit 143 (stopped by SIGTERM, cleanly) on SIGTERM')).toEqual({ code: 143, signal: null });
    }

    const { violations, stats } = summarize(s, 'one worker', kills, started);
    expect(violations, s.context('invariants violated')).toEqual([]);
    expect(
      stats.interruptedAttempts + stats.duplicateSideEffects,
      s.context(`no kill landed mid-step (kills=${kills}): the test exercised nothing`),
    ).toBeGreaterThan(0);
    assertNoBusy(s);
    s.db.close();
  });

  it('two workers on one file, one of them killed at random each round; no SQLITE_BUSY, same invariants', { timeout: 60_000 }, async () => {
    const started = Date.now();
    // Without -q: worker errors (a SQLITE_BUSY caught by the claim loop, say) are printed, so they can be checked.
    const s = await setUp('two', ['--concurrency', '4']);
    const random = mulberry32(SEED ^ 0x2222);
    let kills = 0;
    const slots: WorkerProcess[] = [];
    const deaths: Array<Promise<never>> = [overdue(s, started, () => kills)];
    const fill = async () => {
      for (let i = 0; i < 2; i++) {
        if (slots[i] && !slots[i]!.killedBy) continue;
        const proc = s.pool.spawn();
        slots[i] = proc;
        deaths.push(unexpectedExit(s, proc));
        await Promise.race([proc.ready, ...deaths]);
      }
    };
    while (!s.completed()) {
      await fill();
      const done = until(s.completed);
      if (kills >= MAX_KILLS || Date.now() - started > KILL_PHASE_MS) {
        await Promise.race([done.promise, ...deaths]);
        break;
      }
      const delay = timer(KILL_MIN_MS + Math.floor(random() * (KILL_MAX_MS - KILL_MIN_MS + 1)));
      const victim = slots[Math.floor(random() * 2)]!;
      const first = await Promise.race([delay.promise.then(() => 'kill' as const), done.promise.then(() => 'done' as const), ...deaths]);
      delay.cancel();
      done.cancel();
      if (first === 'done') break;
      const exit = await s.pool.kill(victim, 'SIGKILL');
      expect(exit.signal, s.context('SIGKILL did not end the worker')).toBe('SIGKILL');
      kills++;
    }
    for (const proc of slots.filter((p) => !p.killedBy)) {
      const exit = await s.pool.kill(proc, 'SIGTERM');
      expect(exit, s.context(`worker #${proc.index} did not exit 143 (stopped by SIGTERM, cleanly) on SIGTERM`)).toEqual({ code: 143, signal: null });
    }

    const { violations, stats } = summarize(s, 'two workers', kills, started);
    expect(violations, s.context('invariants violated')).toEqual([]);
    expect(
      stats.interruptedAttempts + stats.duplicateSideEffects,
      s.context(`no kill landed mid-step (kills=${kills}): the test exercised nothing`),
    ).toBeGreaterThan(0);
    assertNoBusy(s);
    const workerErrors = s.pool.all.flatMap((p) =>
      p.output
        .split('\n')
        .filter((l) => l.includes('worker error'))
        .map((l) => `#${p.index}: ${l}`),
    );
    expect(workerErrors, s.context('workers reported errors')).toEqual([]);
    s.db.close();
  });
});
