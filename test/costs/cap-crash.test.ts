// A reservation of a SIGKILLed worker does not leak: it blocks the cap while it may still be a
// call in flight, stops counting when it expires, and the run's next attempt (after the takeover)
// releases it at once. Real worker process, real SIGKILL, real SQLite file; time in the test is a
// ManualClock started at the real time of the crash.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { assertFreshBuild } from '../dist-build.js';
import { Lifeline } from '../../src/engine/lifeline.js';
import { ManualClock } from '../../src/time/clock.js';
import { makeTempDir } from '../conformance/sqlite-temp.js';
import { COST_CRASH_CAP_MICROS, COST_CRASH_PRICING, COST_CRASH_TTL_MS, costCrashWorkflow } from '../fixtures/cost-workflows.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WORKER = join(ROOT, 'build/test/fixtures/cost-crash-worker.js');
// The compiled fixture (npm test builds it first): a worker started through tsx spends about a
// second of CPU compiling before it runs, for every process the test starts.
beforeAll(() => assertFreshBuild());

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

/** Resolves once `path` exists (the worker wrote it), or rejects when the process exits first. */
async function waitForFile(path: string, child: ReturnType<typeof spawn>, stderr: () => string): Promise<void> {
  let exited = false;
  child.once('exit', () => (exited = true));
  while (!existsSync(path)) {
    if (exited) throw new Error(`worker exited before writing ${path}: ${stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

it('a SIGKILLed attempt holds its reservation until it expires or the run is taken over', { timeout: 60_000 }, async () => {
  const tmp = await makeTempDir();
  cleanup.push(tmp.remove);
  const db = join(tmp.dir, 'crash.db');
  const marker = join(tmp.dir, 'reserved');
  const child = spawn(process.execPath, [WORKER, db, marker], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await waitForFile(marker, child, () => stderr);
  const crashedAt = Date.now();
  child.kill('SIGKILL');
  await exited;
  const reservationId = Number(readFileSync(marker, 'utf8'));

  const clock = new ManualClock(crashedAt);
  const workflow = costCrashWorkflow(join(tmp.dir, 'unused'));
  const lifeline = await Lifeline.open({ db, clock, workflows: [workflow], pricing: COST_CRASH_PRICING });
  cleanup.push(() => lifeline.close());
  const store = lifeline.store;
  const other = await lifeline.start(workflow, null, { runId: 'other' }); // not executed: no worker yet
  const tryOther = (now: number) =>
    store.reserveCost({
      runId: other.runId,
      workflow: workflow.name,
      stepId: 'call#0',
      attempt: 1,
      provider: 'test',
      model: 'm',
      now,
      micros: 1,
      expiresAt: now + 1,
      runCapMicros: null,
      workflowDayCapMicros: COST_CRASH_CAP_MICROS,
    });

  // The killed attempt's reservation fills the day's cap: another run's call is refused...
  const [held] = await lifeline.listCosts({ runId: 'crashed' });
  expect(held).toMatchObject({ id: reservationId, attempt: 1, state: 'reserved', reservedMicros: 1000 });
  expect(await tryOther(clock.now())).toEqual({ ok: false, refusal: { cap: 'workflow_day', capMicros: 1000, usedMicros: 1000, requestedMicros: 1 } });
  // ...until it expires (it cannot leak forever, even if the run is never resumed).
  const afterExpiry = await tryOther(held!.expiresAt!);
  expect(afterExpiry.ok).toBe(true);
  if (afterExpiry.ok) await store.releaseCost({ id: afterExpiry.entry.id, runId: other.runId, now: clock.now() });
  expect(held!.expiresAt! - held!.at).toBe(COST_CRASH_TTL_MS);

  // Taken over long before that (its lease lapsed): attempt 2 releases attempt 1's hold, so it fits.
  await clock.advance(5_000);
  const worker = lifeline.worker({ pollMs: 10, leaseMs: 1000, heartbeatMs: 200 });
  worker.start();
  expect(await lifeline.result('crashed')).toBe(2);
  const entries = (await lifeline.listCosts({ runId: 'crashed' })).map((e) => [e.attempt, e.state, e.costMicros]);
  expect(entries).toEqual([
    [1, 'released', 0],
    [2, 'committed', 400],
  ]);
});
