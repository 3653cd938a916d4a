// Drives a chaos scenario: N worker processes on one database, a random one SIGKILLed and
// restarted every 0.5-2 s (seeded), optional extra faults, until every run completed. Then
// the caller checks invariants on the database and on the test-owned effect tables.
// A kill comes only once every worker process has executed a step: a replacement worker needs
// seconds of CPU to start on a loaded machine, and kills paced by wall time alone then hit
// workers still starting, so the load never finished (the scenario's work grew with the load).
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { assertFreshBuild } from '../dist-build.js';
import { mulberry32 } from '../helpers.js';
import { FIRST_EXECUTION } from '../fixtures/chaos-workflow.js';

const root = resolve(import.meta.dirname, '../..');
export const CLI = join(root, 'build/src/cli/main.js');
export const CHAOS_WORKFLOW = join(root, 'build/test/fixtures/chaos-workflow.js');

/** Chaos tests run the built CLI: refuse a missing or stale build. */
export function requireBuild(): void {
  assertFreshBuild();
}

export interface ChaosOptions {
  db: string;
  effects: string;
  runs: number;
  workers: number;
  seed: number;
  /** Wall-clock bound of the whole scenario. */
  maxSeconds: number;
  /** Runs each worker process executes at once (`--concurrency`). Default 4. */
  concurrency?: number;
  /** Called once, after `faultAfterKills` kills: e.g. restart the database server. */
  fault?: () => Promise<void>;
  faultAfterKills?: number;
  /** Instead of SIGKILL + restart, SIGSTOP the victim for this long, then SIGCONT it (a stall). */
  stallMs?: number;
  /** Extra `lifeline worker` arguments and environment. */
  workerArgs?: string[];
  env?: Record<string, string>;
}

export interface ChaosReport {
  /** Faults injected: kills, or stalls with `stallMs`. */
  kills: number;
  /** Pids of the worker processes that were SIGKILLed. */
  killedPids: Set<number>;
  seconds: number;
  stderr: string;
  store: Store;
  /** The workers' `--concurrency`: bounds how many steps one kill can cut short. */
  concurrency?: number;
  /** How many runs had completed when each kill was made, in kill order. */
  completedAtKills?: number[];
  /** With `stallMs`: each stall, with the wall times just before SIGSTOP and just after SIGCONT was sent. */
  stalls: Stall[];
}

export interface Stall {
  pid: number;
  stoppedAt: number;
  continuedAt: number;
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const random = mulberry32(options.seed);
  const concurrency = options.concurrency ?? 4;
  const store = await openStore(options.db);
  for (let i = 0; i < options.runs; i++) {
    await store.createRun({ id: `chaos-${i}`, workflow: 'chaos.ten', input: JSON.stringify({ i }), now: Date.now() });
  }
  let stderr = '';
  const env = { ...process.env, ...options.env, CHAOS_EFFECTS: options.effects };
  /** Workers that have executed a step (the fixture's FIRST_EXECUTION line), and a wake-up for the wait on them. */
  const working = new Set<ChildProcess>();
  let onWorking: () => void = () => {};
  const spawnWorker = (slot: number): ChildProcess => {
    const child = spawn(
      process.execPath,
      [CLI, '--db', options.db, 'worker', CHAOS_WORKFLOW, '-q', '--concurrency', String(concurrency), '--host', 'chaos-host', ...(options.workerArgs ?? [])],
      { env, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      if (text.includes(`${FIRST_EXECUTION} ${child.pid}`)) {
        working.add(child);
        onWorking();
      }
      stderr += `[worker ${slot}] ${text}`;
    });
    return child;
  };
  const workers = Array.from({ length: options.workers }, (_, slot) => spawnWorker(slot));
  const started = Date.now();
  let kills = 0;
  const killedPids = new Set<number>();
  const completedAtKills: number[] = [];
  const stalls: Stall[] = [];
  let faulted = false;
  try {
    for (;;) {
      const done = await store.listRuns({ status: 'completed', limit: options.runs + 1 });
      if (done.length === options.runs) break;
      // A run that failed or was cancelled can never complete: stop now, not at maxSeconds.
      const ended = await store.listRuns({ status: ['failed', 'cancelled'], limit: 5 });
      if (ended.length > 0) {
        const described = ended.map((r) => `${r.id} ${r.status}: ${r.error ? `${r.error.name}: ${r.error.message}` : 'no error recorded'}`);
        throw new Error(`chaos (seed ${options.seed}): runs ended without completing after ${kills} kills:\n${described.join('\n')}\n${stderr.slice(-3000)}`);
      }
      if ((Date.now() - started) / 1000 > options.maxSeconds) {
        throw new Error(
          `chaos (seed ${options.seed}): only ${done.length}/${options.runs} runs completed after ${options.maxSeconds} s and ${kills} kills\n${stderr.slice(-3000)}`,
        );
      }
      // Before a kill, every worker is working (or the runs left are too few to reach it: the
      // wait is cut short by the next look at the progress above). Stalled workers are never
      // replaced, so stalls keep their wall-time schedule.
      if (options.stallMs === undefined && !workers.every((w) => working.has(w))) {
        await new Promise<void>((r) => {
          const poll = setTimeout(r, 500);
          onWorking = () => {
            clearTimeout(poll);
            r();
          };
        });
        continue;
      }
      // The driver's pauses are the chaos schedule itself, not synchronisation of the test.
      await new Promise((r) => setTimeout(r, 500 + random() * 1500));
      completedAtKills.push((await store.listRuns({ status: 'completed', limit: options.runs + 1 })).length);
      const slot = Math.floor(random() * workers.length);
      const victim = workers[slot]!;
      if (options.stallMs !== undefined) {
        const stoppedAt = Date.now();
        victim.kill('SIGSTOP');
        await new Promise((r) => setTimeout(r, options.stallMs)); // the stall itself
        victim.kill('SIGCONT');
        stalls.push({ pid: victim.pid ?? -1, stoppedAt, continuedAt: Date.now() });
        kills++;
        continue;
      }
      victim.kill('SIGKILL');
      if (victim.pid !== undefined) killedPids.add(victim.pid);
      await new Promise((r) => (victim.exitCode !== null || victim.signalCode !== null ? r(null) : victim.once('exit', r)));
      kills++;
      workers[slot] = spawnWorker(slot);
      if (options.fault && !faulted && kills >= (options.faultAfterKills ?? 2)) {
        faulted = true;
        await options.fault();
      }
    }
  } catch (error) {
    await store.close();
    throw error;
  } finally {
    await Promise.all(
      workers.map(
        (w) =>
          new Promise((r) => {
            if (w.exitCode !== null || w.signalCode !== null) return r(null);
            w.once('exit', r);
            if (options.stallMs !== undefined) w.kill('SIGCONT'); // a stopped process would never handle SIGTERM
            w.kill('SIGTERM');
          }),
      ),
    );
  }
  return { kills, killedPids, seconds: (Date.now() - started) / 1000, stderr, store, concurrency, completedAtKills, stalls };
}
