// Issue 12 §5's test, for any backend: three real `lifeline worker` processes on one database fire
// a schedule that ticks every second. Then the store's write lock (SQLite) or the schedule's row
// lock (PostgreSQL) is held by the test, so the next firing blocks inside its store write; the
// worker that printed it is firing that tick is SIGKILLed there, and the lock released. Checked
// on the database afterwards: every second from the first tick to the last has exactly one run
// (none lost, none doubled, the killed worker's tick included), each fired (created) by one
// worker only, and every run completed.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { scheduleRunId } from '../../src/store/schedules.js';
import { ROOT, WorkerPool, assertBuilt, until, type WorkerProcess } from './harness.js';

const FIXTURE = join(ROOT, 'build/test/fixtures/schedule-workflow.js');
const SCHEDULE = 'sched.crash:default';

interface LogLine {
  event: string;
  scheduleId?: string;
  ticks?: string[];
}

function logLines(proc: WorkerProcess): LogLine[] {
  return proc.output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);
}

/** Holds the lock the schedule's firing needs until `release` is called. */
export interface FiringLock {
  hold(): Promise<void>;
  release(): Promise<void>;
}

async function untilAsync(condition: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25)); // the poll interval of a condition, not a wait for time
  }
}

export async function runScheduleScenario(db: string, lock: FiringLock): Promise<void> {
  assertBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'lifeline-sched-'));
  const effects = join(dir, 'effects.log');
  // A long poll: an idle worker wakes at the schedule's ticks (and when a run of its ends or, on
  // PostgreSQL, is created), so between two ticks no worker writes once the last run completed.
  const pool = new WorkerPool(db, effects, ['--log', 'json', '--poll-ms', '60000'], FIXTURE);
  let store: Store | undefined;
  try {
    const workers = [pool.spawn(), pool.spawn(), pool.spawn()];
    const t0 = Date.now();
    const mark = (what: string) => process.env.SCHED_TRACE && process.stderr.write(`${Date.now() - t0} ms: ${what}\n`);
    await Promise.all(workers.map((w) => w.ready));
    mark('ready');
    store = await openStore(db);
    const s = store;
    const ticksRun = () =>
      existsSync(effects)
        ? readFileSync(effects, 'utf8')
            .split('\n')
            .filter((l) => l !== '').length
        : 0;
    await until(() => ticksRun() >= 3).promise;
    mark('3 ticks');

    // Once every run so far completed, block the next firing inside its store write, and SIGKILL
    // the worker that is firing.
    await untilAsync(
      async () => (await s.listRuns({ workflow: 'sched.crash', limit: 100_000 })).every((r) => r.status === 'completed'),
      'the runs so far to complete',
    );
    const offsets = workers.map((w) => w.output.length);
    await lock.hold();
    mark('locked');
    let victim: WorkerProcess | undefined;
    let killedTick: string | undefined;
    try {
      await until(() => {
        for (const [i, w] of workers.entries()) {
          const firing = logLines({ ...w, output: w.output.slice(offsets[i]) }).find((l) => l.event === 'schedule.firing' && (l.ticks?.length ?? 0) > 0);
          if (firing) {
            victim = w;
            killedTick = firing.ticks![0];
            return true;
          }
        }
        return false;
      }).promise;
      await pool.kill(victim!, 'SIGKILL');
      // Killed while firing: its tick has no run yet (the firing waits for the lock the test holds).
      expect(await s.getRun(scheduleRunId(SCHEDULE, Date.parse(killedTick!)))).toBeNull();
    } finally {
      await lock.release();
    }
    const killedAt = Date.parse(killedTick!);
    mark('killed');
    // The others fire the killed worker's tick and go on.
    await untilAsync(async () => {
      const runs = await s.listRuns({ workflow: 'sched.crash', limit: 100_000 });
      const ticks = runs.map((r) => Date.parse(r.id.slice(r.id.indexOf('@') + 1)));
      return ticks.some((t) => t >= killedAt + 2000) && runs.every((r) => r.status === 'completed');
    }, 'ticks after the kill to run');
    mark('after');
    await Promise.all(workers.filter((w) => w !== victim).map((w) => pool.kill(w, 'SIGTERM')));
    mark('stopped');

    const runs = await s.listRuns({ workflow: 'sched.crash', limit: 100_000 });
    const perTick = new Map<number, number>();
    for (const r of runs) {
      const tick = Date.parse(r.id.slice(r.id.indexOf('@') + 1));
      perTick.set(tick, (perTick.get(tick) ?? 0) + 1);
    }
    const ticks = [...perTick.keys()].sort((a, b) => a - b);
    const first = ticks[0]!;
    const last = ticks[ticks.length - 1]!;
    // Every second from the first tick to the last: one run each.
    expect(ticks).toEqual(Array.from({ length: (last - first) / 1000 + 1 }, (_, i) => first + i * 1000));
    expect([...perTick.values()].every((n) => n === 1)).toBe(true);
    expect(perTick.get(killedAt)).toBe(1);
    expect(runs.every((r) => r.status === 'completed')).toBe(true);
    // Each tick was fired (its run created) by exactly one worker; the killed one did not fire its tick.
    const firedBy = new Map<string, number[]>();
    for (const w of workers)
      for (const l of logLines(w)) if (l.event === 'schedule.fired') for (const t of l.ticks ?? []) firedBy.set(t, [...(firedBy.get(t) ?? []), w.index]);
    expect([...firedBy.values()].filter((by) => by.length !== 1)).toEqual([]);
    expect(firedBy.get(killedTick!)).not.toContain(victim!.index);
    expect(firedBy.get(killedTick!)).toHaveLength(1);
    expect((await s.listSchedules([SCHEDULE]))[0]).toMatchObject({ paused: false, catchUp: 'all' });
  } catch (error) {
    throw new Error(`${(error as Error).message}\n  workers:\n  ${pool.describe()}`, { cause: error });
  } finally {
    await store?.close();
    await pool.killAll();
    rmSync(dir, { recursive: true, force: true });
  }
}
