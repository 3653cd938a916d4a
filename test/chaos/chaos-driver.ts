// Drives a chaos scenario: N worker processes on one database, a random one SIGKILLed and
// restarted every 0.5-2 s (seeded), optional extra faults, until every run completed. Then
// the caller checks invariants on the database and on the test-owned effect tables.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { mulberry32 } from '../helpers.js';

const root = resolve(import.meta.dirname, '../..');
export const CLI = join(root, 'build/src/cli/main.js');
export const CHAOS_WORKFLOW = join(root, 'build/test/fixtures/chaos-workflow.js');

export function requireBuild(): void {
  if (!existsSync(CLI) || !existsSync(CHAOS_WORKFLOW)) throw new Error('Chaos tests run the built CLI: run `npm run build` first (npm test does).');
}


export interface ChaosOptions {
  db: string;
  effects: string;
  runs: number;
  workers: number;
  seed: number;
  /** Wall-clock bound of the whole scenario. */
  maxSeconds: number;
  /** Called once, after `faultAfterKills` kills: e.g. restart the database server. */
  fault?: () => Promise<void>;
  faultAfterKills?: number;
}

export interface ChaosReport {
  kills: number;
  /** Pids of the worker processes that were SIGKILLed. */
  killedPids: Set<number>;
  seconds: number;
  stderr: string;
  store: Store;
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const random = mulberry32(options.seed);
  const store = await openStore(options.db);
  for (let i = 0; i < options.runs; i++) {
    await store.createRun({ id: `chaos-${i}`, workflow: 'chaos.ten', input: JSON.stringify({ i }), now: Date.now() });
  }
  let stderr = '';
  const env = { ...process.env, CHAOS_EFFECTS: options.effects };
  const spawnWorker = (slot: number): ChildProcess => {
    const child = spawn(process.execPath, [CLI, '--db', options.db, 'worker', CHAOS_WORKFLOW, '-q', '--concurrency', '4', '--host', 'chaos-host'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.on('data', (chunk: Buffer) => (stderr += `[worker ${slot}] ${chunk.toString()}`));
    return child;
  };
  const workers = Array.from({ length: options.workers }, (_, slot) => spawnWorker(slot));
  const started = Date.now();
  let kills = 0;
  const killedPids = new Set<number>();
  let faulted = false;
  try {
    for (;;) {
      const done = await store.listRuns({ status: 'completed', limit: options.runs + 1 });
      if (done.length === options.runs) break;
      if ((Date.now() - started) / 1000 > options.maxSeconds) {
        throw new Error(`chaos (seed ${options.seed}): only ${done.length}/${options.runs} runs completed after ${options.maxSeconds} s and ${kills} kills\n${stderr.slice(-3000)}`);
      }
      // The driver's pauses are the chaos schedule itself, not synchronisation of the test.
      await new Promise((r) => setTimeout(r, 500 + random() * 1500));
      const slot = Math.floor(random() * workers.length);
      const victim = workers[slot]!;
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
  } finally {
    await Promise.all(
      workers.map(
        (w) =>
          new Promise((r) => {
            if (w.exitCode !== null || w.signalCode !== null) return r(null);
            w.once('exit', r);
            w.kill('SIGTERM');
          }),
      ),
    );
  }
  return { kills, killedPids, seconds: (Date.now() - started) / 1000, stderr, store };
}
