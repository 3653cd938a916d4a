// The cross-process shared-breaker scenario (issue 8 §3's test), for any backend: three real
// worker processes (test/fixtures/breaker-worker.ts) share the breaker "dep" on one database.
//   1. 5 failing runs spread 2/2/1 over the processes: no process alone reaches minimumCalls (5),
//      so the breaker opens only from the failures counted across them, at the 5th.
//   2. After the cool-down, 6 runs (2 per process) whose bodies hold until released: exactly
//      halfOpenProbes (2) bodies run, across all processes; the other 4 runs are deferred, and
//      deferred again each time they wake while the probes are held.
//   3. Released: the probes succeed, the breaker closes, the deferred runs run once each.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { ROOT, assertBuilt, until, untilAsync } from './harness.js';

const FIXTURE = join(ROOT, 'build/test/fixtures/breaker-worker.js');
const COOL_DOWN_MS = 1500;

function lines(path: string): string[] {
  return existsSync(path)
    ? readFileSync(path, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
    : [];
}

export async function runSharedBreakerScenario(db: string): Promise<void> {
  assertBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'lifeline-breakers-'));
  const procs: ChildProcess[] = [];
  let store: Store | undefined;
  try {
    writeFileSync(join(dir, 'mode'), 'fail');
    for (const index of [0, 1, 2]) {
      const child = spawn(process.execPath, [FIXTURE], {
        cwd: ROOT,
        env: { ...process.env, BRK_DB: db, BRK_DIR: dir, BRK_INDEX: String(index), BRK_COOL_DOWN_MS: String(COOL_DOWN_MS) },
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      procs.push(child);
    }
    await until(() => [0, 1, 2].every((i) => existsSync(join(dir, `ready-${i}`)))).promise;
    store = await openStore(db);
    const s = store;
    const execs = () => [0, 1, 2].map((i) => lines(join(dir, `execs-${i}.log`)));
    const events = () =>
      [0, 1, 2].flatMap((i) => lines(join(dir, `events-${i}.log`)).map((l) => JSON.parse(l) as { type: string; data: Record<string, unknown> }));
    const create = (id: string, proc: number) => s.createRun({ id, workflow: `brk.p${proc}`, input: 'null', now: Date.now() });
    const statusOf = async (ids: string[]) => Promise.all(ids.map(async (id) => (await s.getRun(id))?.status));

    // 1. Failures counted across the processes open the breaker at the 5th.
    const failing = ['f1', 'f2', 'f3', 'f4', 'f5'];
    for (const [i, id] of failing.entries()) await create(id, [0, 0, 1, 1, 2][i]!);
    await untilAsync(async () => (await statusOf(failing)).every((st) => st === 'failed'), 'the failing runs to fail');
    await untilAsync(async () => (await s.listBreakers(['dep']))[0]?.data.state === 'open', 'the breaker to open');
    expect(execs().map((l) => l.length)).toEqual([2, 2, 1]);
    const opened = events().filter((e) => e.type === 'breaker.opened');
    expect(opened).toHaveLength(1);
    expect(opened[0]?.data).toMatchObject({ key: 'dep', from: 'closed', calls: 5, failureRate: 100, reason: '5 of 5 calls failed (100 % >= 50 %)' });
    const openUntil = (await s.listBreakers(['dep']))[0]!.data.openUntil;

    // 2. After the cool-down: exactly the 2 granted probes run, across all processes.
    writeFileSync(join(dir, 'mode'), 'hold');
    await until(() => Date.now() >= openUntil).promise;
    const held = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'];
    for (const [i, id] of held.entries()) await create(id, i % 3);
    const phase2 = () =>
      execs()
        .flat()
        .filter((id) => id.startsWith('h'));
    const deferrals = async (id: string) => (await s.listEvents({ runId: id })).filter((e) => e.type === 'step.deferred').length;
    await until(() => phase2().length >= 2).promise;
    // Every run whose body did not start is deferred, and deferred again after it woke.
    await untilAsync(async () => {
      const started = new Set(phase2());
      if (started.size > 2) throw new Error(`more bodies ran than the 2 granted probes: ${[...started].join(', ')}`);
      const waiting = held.filter((id) => !started.has(id));
      return waiting.length === 4 && (await Promise.all(waiting.map(deferrals))).every((n) => n >= 2);
    }, 'the 4 other runs to be deferred twice each');
    expect(phase2()).toHaveLength(2);
    const probing = (await s.listBreakers(['dep']))[0]!.data;
    expect(probing).toMatchObject({ state: 'half_open', probeSuccesses: 0 });
    expect(probing.probes).toHaveLength(2);
    const deferred = (await s.listEvents({ runId: held.find((id) => !phase2().includes(id)) })).find((e) => e.type === 'step.deferred');
    expect(JSON.parse(deferred!.data)).toMatchObject({ gate: 'breaker:dep', reason: 'circuit half-open: its 2 probe call(s) are taken' });

    // 3. The probes succeed: closed, and each deferred run runs once.
    writeFileSync(join(dir, 'release'), '');
    await untilAsync(async () => (await statusOf(held)).every((st) => st === 'completed'), 'the held runs to complete');
    expect(phase2().sort()).toEqual([...held].sort());
    expect((await s.listBreakers(['dep']))[0]!.data.state).toBe('closed');
    expect(events().map((e) => e.type)).toEqual(expect.arrayContaining(['breaker.opened', 'breaker.half_open', 'breaker.closed']));
    expect(events().filter((e) => e.type === 'breaker.closed')).toHaveLength(1);
  } finally {
    await store?.close();
    await Promise.all(
      procs.map(async (p) => {
        if (p.exitCode !== null || p.signalCode !== null) return;
        const exited = once(p, 'exit');
        p.kill('SIGKILL');
        await exited;
      }),
    );
    rmSync(dir, { recursive: true, force: true });
  }
}
