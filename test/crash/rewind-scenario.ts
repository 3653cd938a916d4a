// Issue 12 §2's crash test, for any backend: a completed run of `rewind.pipeline` (fetch,
// transform, save, publish) is rewound with the real CLI to `transform`; the worker process that
// re-runs it is SIGKILLed inside the re-run `save` body; a second worker process takes the run
// over (the first one's lease names a dead pid on this host) and finishes it. Bodies are counted
// from the file the fixture appends to when a body starts (test/fixtures/rewind-workflow.ts).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { CLI_JS, ROOT, WorkerPool, assertBuilt, until, untilAsync } from './harness.js';

const FIXTURE = join(ROOT, 'build/test/fixtures/rewind-workflow.js');

function bodies(dir: string): Array<{ step: string; pid: number }> {
  const log = join(dir, 'bodies.log');
  if (!existsSync(log)) return [];
  return readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .map((l) => ({ step: l.split(' ')[0]!, pid: Number(l.split(' ')[1]) }));
}

export async function runRewindCrashScenario(db: string): Promise<void> {
  assertBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'lifeline-rewind-crash-'));
  const pool = new WorkerPool(db, join(dir, 'unused.log'), ['-q', '--lease-ms', '2000', '--heartbeat-ms', '250'], FIXTURE, { REWIND_DIR: dir });
  let store: Store | undefined;
  try {
    const first = pool.spawn();
    await first.ready;
    store = await openStore(db);
    const s = store;
    await s.createRun({ id: 'r', workflow: 'rewind.pipeline', input: 'null', now: Date.now() });
    await untilAsync(async () => (await s.getRun('r'))?.status === 'completed', 'the first generation to complete');
    const gen1 = await s.getSteps('r');
    expect(gen1.map((x) => x.output)).toEqual(['fetch', 'transform', 'save', 'publish'].map((step) => JSON.stringify(`${step} by ${first.pid}`)));

    // The re-run save hangs in the first worker; rewind through the real CLI.
    writeFileSync(join(dir, 'hang'), '');
    const rewind = spawnSync(process.execPath, [CLI_JS, '--db', db, 'rewind', 'r', '--to', 'transform', '--by', 'crash-test'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect([rewind.status, rewind.stderr]).toEqual([0, '']);
    await until(() => bodies(dir).filter((b) => b.step === 'save').length === 2).promise;
    expect(await first.child.kill('SIGKILL')).toBe(true);
    expect((await first.exit).signal).toBe('SIGKILL');
    // Where it died: transform committed again in the new generation, save not.
    expect((await s.getSteps('r')).map((x) => [x.stepId, x.status])).toEqual([
      ['fetch#0', 'completed'],
      ['transform#0', 'completed'],
    ]);

    rmSync(join(dir, 'hang'));
    const second = pool.spawn();
    await second.ready;
    await untilAsync(async () => (await s.getRun('r'))?.status === 'completed', 'the second generation to complete');

    // Bodies: fetch never again; transform once more (by the first worker); save started by the
    // first worker (killed) and once more by the second; publish once more, by the second.
    expect(bodies(dir)).toEqual([
      { step: 'fetch', pid: first.pid },
      { step: 'transform', pid: first.pid },
      { step: 'save', pid: first.pid },
      { step: 'publish', pid: first.pid },
      { step: 'transform', pid: first.pid },
      { step: 'save', pid: first.pid },
      { step: 'save', pid: second.pid },
      { step: 'publish', pid: second.pid },
    ]);
    // Generation 2: each step committed once; fetch is generation 1's record, untouched.
    const steps = await s.getSteps('r');
    expect(steps.map((x) => [x.stepId, x.status, x.output])).toEqual([
      ['fetch#0', 'completed', JSON.stringify(`fetch by ${first.pid}`)],
      ['transform#0', 'completed', JSON.stringify(`transform by ${first.pid}`)],
      ['save#0', 'completed', JSON.stringify(`save by ${second.pid}`)],
      ['publish#0', 'completed', JSON.stringify(`publish by ${second.pid}`)],
    ]);
    expect(steps[0]).toEqual(gen1[0]);
    // Generation 1 intact: the three results set aside as they were.
    const earlier = await s.listStepGenerations('r');
    expect(earlier.map(({ generation, setAsideAt: _at, ...step }) => [generation, step])).toEqual(gen1.slice(1).map((step) => [1, step]));
    const run = await s.getRun('r');
    expect(run).toMatchObject({ status: 'completed', generation: 2 });
    expect(run?.output).toBe(
      JSON.stringify(['fetch', 'transform', 'save', 'publish'].map((step, i) => `${step} by ${i < 2 ? first.pid : second.pid}`).join(', ')),
    );
    // Attempts numbered on: save's first-generation attempt, the killed one (interrupted), the one that committed.
    const saves = (await s.listAttempts('r')).filter((a) => a.stepId === 'save#0');
    expect(saves.map((a) => [a.attempt, a.outcome])).toEqual([
      [1, 'succeeded'],
      [2, 'interrupted'],
      [3, 'succeeded'],
    ]);
    const rewound = (await s.listEvents({ runId: 'r' })).filter((e) => e.type === 'run.rewound');
    expect(rewound.map((e) => JSON.parse(e.data) as unknown)).toEqual([{ to: 'transform#0', generation: 2, setAside: 3, from: 'completed', by: 'crash-test' }]);
  } finally {
    await store?.close();
    await pool.killAll();
    rmSync(dir, { recursive: true, force: true });
  }
}
