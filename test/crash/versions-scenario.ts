// Issue 12 §4's crash test, for any backend: two real `lifeline worker` processes, one loading
// version 1 of `versions.crash`, the other version 2; runs of both versions are started. The v1
// worker is SIGKILLed while its step bodies are inside (they wait for a gate file). Then the v2
// worker, alive all along, sees the v1 runs claimable (it breaks the dead pid's leases itself, or
// they lapse) and claims a v2 run created after that, yet never a v1 run; a new v1 worker finishes
// the v1 runs. Every execution of a step body is a line in a file, so the counts are exact.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { ROOT, WorkerPool, assertBuilt, untilAsync } from './harness.js';

const FIXTURE = join(ROOT, 'build/test/fixtures/versions-workflow.js');
const WF = 'versions.crash';

export async function runVersionsCrashScenario(db: string): Promise<void> {
  assertBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'lifeline-versions-'));
  const effects = join(dir, 'effects.log');
  const gate = join(dir, 'gate');
  const pool = (version: number) => new WorkerPool(db, effects, ['--poll-ms', '50'], FIXTURE, { VERSIONS_LOADED: String(version), VERSIONS_GATE: gate });
  const v1Pool = pool(1);
  const v2Pool = pool(2);
  const lines = () =>
    existsSync(effects)
      ? readFileSync(effects, 'utf8')
          .split('\n')
          .filter((l) => l !== '')
      : [];
  let store: Store | undefined;
  try {
    const oldWorker = v1Pool.spawn();
    const newWorker = v2Pool.spawn();
    await Promise.all([oldWorker.ready, newWorker.ready]);
    store = await openStore(db);
    const s = store;
    const now = Date.now();
    for (const [id, version, at] of [
      ['v1-a', 1, now],
      ['v1-b', 1, now + 1],
      ['v2-a', 2, now + 2],
      ['v2-b', 2, now + 3],
    ] as const) {
      await s.createRun({ id, workflow: WF, input: 'null', now: at, version });
    }
    const status = async (id: string) => (await s.getRun(id))?.status;
    // Both v1 bodies are inside their step (waiting for the gate) on the v1 worker; the v2 runs are done.
    await untilAsync(async () => lines().filter((l) => l.startsWith('start v1-')).length === 2, 'the v1 step bodies to start');
    await untilAsync(async () => (await status('v2-a')) === 'completed' && (await status('v2-b')) === 'completed', 'the v2 runs to complete');
    expect((await s.getRun('v1-a'))?.lease?.pid).toBe(oldWorker.pid);
    await v1Pool.kill(oldWorker, 'SIGKILL');

    // The v1 runs become claimable (the v2 worker breaks the dead pid's leases, or they lapse).
    await untilAsync(async () => {
      const runs = await Promise.all(['v1-a', 'v1-b'].map((id) => s.getRun(id)));
      return runs.every((r) => r?.status === 'pending' || (r?.status === 'running' && (r.lease?.expiresAt ?? 0) <= Date.now()));
    }, 'the killed worker leases to be claimable');
    // A claim by the v2 worker after that point: had it ignored versions, it would have taken the
    // older v1 runs (oldest first, and it has free slots) along with this one.
    await s.createRun({ id: 'v2-probe', workflow: WF, input: 'null', now: Date.now(), version: 2 });
    await untilAsync(async () => (await status('v2-probe')) === 'completed', 'the probe v2 run to complete');
    expect(await s.getRun('v1-a')).toMatchObject({ claimCount: 1, version: 1 });
    expect(await s.getRun('v1-b')).toMatchObject({ claimCount: 1, version: 1 });

    writeFileSync(gate, 'open');
    const replacement = v1Pool.spawn();
    await untilAsync(async () => (await status('v1-a')) === 'completed' && (await status('v1-b')) === 'completed', 'the v1 runs to complete');
    await Promise.all([v1Pool.kill(replacement, 'SIGTERM'), v2Pool.kill(newWorker, 'SIGTERM')]);

    for (const id of ['v1-a', 'v1-b']) {
      expect(await s.getRun(id)).toMatchObject({ status: 'completed', output: '"v1"', claimCount: 2 });
      // Executed twice: by the killed worker (started, never done) and by the replacement.
      expect(lines().filter((l) => l.includes(` ${id} `))).toEqual([
        `start ${id} v1 ${oldWorker.pid}`,
        `start ${id} v1 ${replacement.pid}`,
        `done ${id} v1 ${replacement.pid}`,
      ]);
      const attempts = await s.listAttempts(id);
      expect(attempts.map((a) => a.outcome)).toEqual(['interrupted', 'succeeded']);
    }
    for (const id of ['v2-a', 'v2-b', 'v2-probe']) {
      expect(await s.getRun(id)).toMatchObject({ status: 'completed', output: '"v2"', claimCount: 1 });
      expect(lines().filter((l) => l.includes(` ${id} `))).toEqual([`start ${id} v2 ${newWorker.pid}`, `done ${id} v2 ${newWorker.pid}`]);
    }
    // The v2 worker never executed a v1 step body.
    expect(lines().filter((l) => l.endsWith(` ${newWorker.pid}`) && l.includes(' v1 '))).toEqual([]);
    expect(lines()).toHaveLength(4 + 2 + 6);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n  v1 workers:\n  ${v1Pool.describe()}\n  v2 workers:\n  ${v2Pool.describe()}`, { cause: error });
  } finally {
    await store?.close();
    await v1Pool.killAll();
    await v2Pool.killAll();
    rmSync(dir, { recursive: true, force: true });
  }
}
