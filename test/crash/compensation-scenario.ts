// Issue 12 §3's crash test, for any backend: a worker process runs the saga (compensation-workflow.ts)
// to its final failure and is SIGKILLed while the flight's compensation runs (the second: the
// hotel's committed before it; the body signals it started, then blocks). A second worker takes
// the run over (the lease names a dead pid on this host), replays it to learn its compensations,
// skips the hotel's (committed) and runs the flight's again: every compensation commits once, the
// interrupted one ran twice (two attempt rows), the hotel's once, and the run ends failed with
// its own error and compensation `done`.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { ROOT, assertBuilt, until, untilAsync } from './harness.js';

const FIXTURE = join(ROOT, 'build/test/fixtures/compensation-worker.js');

export async function runCompensationCrashScenario(db: string): Promise<void> {
  assertBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'lifeline-comp-'));
  const journal = join(dir, 'journal');
  const procs: ChildProcess[] = [];
  let store: Store | undefined;
  const start = (env: Record<string, string>) => {
    const child = spawn(process.execPath, [FIXTURE], {
      cwd: ROOT,
      env: { ...process.env, COMP_DB: db, COMP_DIR: dir, COMP_JOURNAL: journal, ...env },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    procs.push(child);
    return child;
  };
  try {
    const first = start({ COMP_BLOCK_DIR: dir });
    const exited = once(first, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    await until(() => existsSync(join(dir, `ready-${first.pid}`))).promise;
    store = await openStore(db);
    const s = store;
    await s.createRun({ id: 'trip', workflow: 'comp.saga', input: JSON.stringify({ trip: 't', fail: true }), now: Date.now() });
    await until(() => existsSync(join(dir, `undo-started-${first.pid}`))).promise;
    first.kill('SIGKILL');
    expect((await exited)[1]).toBe('SIGKILL');
    // Where it died: compensating, the hotel's compensation committed, the flight's started and not committed.
    expect((await s.getRun('trip'))?.compensation).toBe('running');
    const before = (await s.getSteps('trip')).map((x) => x.stepId);
    expect(before).toContain('compensate:book-hotel#0');
    expect(before).not.toContain('compensate:book-flight#0');

    const second = start({});
    await until(() => existsSync(join(dir, `ready-${second.pid}`))).promise;
    await untilAsync(async () => (await s.getRun('trip'))?.status === 'failed', 'the run to end failed');

    const lines = readFileSync(journal, 'utf8').trim().split('\n');
    expect(lines).toEqual(['flight', 'hotel', 'charge', 'undo H-t', 'undo F-t', 'undo F-t']);
    const run = await s.getRun('trip');
    expect(run?.compensation).toBe('done');
    expect(run?.error?.message).toContain('card declined');
    const steps = (await s.getSteps('trip')).map((x) => [x.stepId, x.status]);
    expect(steps).toEqual([
      ['book-flight#0', 'completed'],
      ['book-hotel#0', 'completed'],
      ['charge-card#0', 'failed'],
      ['compensate:book-hotel#0', 'completed'],
      ['compensate:book-flight#0', 'completed'],
    ]);
    const attempts = await s.listAttempts('trip');
    const of = (stepId: string) => attempts.filter((a) => a.stepId === stepId).map((a) => [a.attempt, a.outcome]);
    expect(of('compensate:book-flight#0')).toEqual([
      [1, 'interrupted'],
      [2, 'succeeded'],
    ]);
    expect(of('compensate:book-hotel#0')).toEqual([[1, 'succeeded']]);
    const ended = (await s.listEvents({ runId: 'trip' })).filter((e) => e.type === 'run.compensated');
    expect(ended.map((e) => JSON.parse(e.data) as unknown)).toEqual([
      { reason: 'failed', compensated: ['book-hotel#0', 'book-flight#0'], failed: [], unreached: [] },
    ]);
  } finally {
    await store?.close();
    await Promise.all(
      procs.map(async (p) => {
        if (p.exitCode !== null || p.signalCode !== null) return;
        const gone = once(p, 'exit');
        p.kill('SIGKILL');
        await gone;
      }),
    );
    rmSync(dir, { recursive: true, force: true });
  }
}
