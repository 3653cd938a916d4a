// The step cache across real `lifeline worker` processes (issue 12 §1), on one SQLite file and on
// one PostgreSQL schema: three runs wanting one key in three processes run the body exactly once
// (the other two wait, deferred, and then hit); when the computing process is SIGKILLed, another
// computes once the dead run's lease and the key's lease are gone: two bodies, one cached value.
// Bodies are counted in a file the fixture appends to when a body starts, not from commits.
// Leases are short only where the test waits for them to lapse (after the SIGKILL): with a run
// lease of 1 s and a key lease of 1.5 s, a computing process stalled for a second by a loaded
// machine lost its key, a second run computed too, and the wait for the deferrals below ran
// into its deadline (the flake of the full suite). Without a kill nothing has to lapse: the
// leases are long, and a second body before the deferrals fails at once, saying so.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { usePostgres } from '../pg/pg-fixture.js';
import { ROOT, WorkerPool, assertBuilt, until, untilAsync } from './harness.js';

const FIXTURE = join(ROOT, 'build/test/fixtures/cache-workflow.js');
const RUNS = ['c1', 'c2', 'c3'];
const pg = usePostgres();

let cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

function bodies(dir: string): Array<{ pid: number; runId: string }> {
  const log = join(dir, 'bodies.log');
  if (!existsSync(log)) return [];
  return readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .map((l) => {
      const [pid, runId] = l.split(' ');
      return { pid: Number(pid), runId: runId! };
    });
}

/** Run lease, heartbeat and key lease (ms): short where a lease must lapse, long where none may. */
const LAPSING = { lease: 2000, heartbeat: 400, keyLease: 2500 };
const HOLDING = { lease: 60_000, heartbeat: 2000, keyLease: 60_000 };

async function scenario(db: string, { killComputer }: { killComputer: boolean }): Promise<void> {
  assertBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'lifeline-cache-mp-'));
  const leases = killComputer ? LAPSING : HOLDING;
  const env: Record<string, string> = { CACHE_DIR: dir, CACHE_LEASE_MS: String(leases.keyLease), ...(killComputer ? { CACHE_HANG_FIRST: '1' } : {}) };
  const args = ['-q', '--lease-ms', String(leases.lease), '--heartbeat-ms', String(leases.heartbeat)];
  const pool = new WorkerPool(db, join(dir, 'unused.log'), args, FIXTURE, env);
  cleanups.push(async () => {
    await pool.killAll();
    rmSync(dir, { recursive: true, force: true });
  });
  const procs = [pool.spawn(), pool.spawn(), pool.spawn()];
  await Promise.all(procs.map((p) => p.ready));
  const s: Store = await openStore(db);
  cleanups.push(() => s.close());
  for (const id of RUNS) await s.createRun({ id, workflow: 'cache.shared', input: JSON.stringify({ topic: 'tides' }), now: Date.now() });

  // One body starts; the two other runs are deferred on the key (no attempt, gate "cache").
  await until(() => bodies(dir).length >= 1).promise;
  const computing = bodies(dir)[0]!;
  const others = RUNS.filter((id) => id !== computing.runId);
  await untilAsync(async () => {
    const started = bodies(dir);
    if (started.length > 1) throw new Error(`a second body started before the other runs were deferred (the key's lease lapsed?): ${JSON.stringify(started)}`);
    return (await Promise.all(others.map(async (id) => (await s.listEvents({ runId: id })).some((e) => e.type === 'step.deferred')))).every(Boolean);
  }, 'the other runs to be deferred on the key');
  expect(bodies(dir)).toHaveLength(1);
  const deferred = (await s.listEvents({ runId: others[0] })).find((e) => e.type === 'step.deferred');
  expect(JSON.parse(deferred!.data)).toMatchObject({
    stepId: 'research#0',
    gate: 'cache',
    reason: expect.stringContaining(`computed by run ${computing.runId}`) as string,
  });

  writeFileSync(join(dir, 'go'), '');
  if (killComputer) await pool.kill(pool.byPid(computing.pid)!, 'SIGKILL');

  await untilAsync(async () => (await Promise.all(RUNS.map((id) => s.getRun(id)))).every((r) => r?.status === 'completed'), 'every run to complete');
  const ran = bodies(dir);
  const entries = await s.listCacheEntries({ workflow: 'cache.shared' });
  expect(entries).toHaveLength(1);
  const value = JSON.parse(entries[0]!.output!) as { by: string };
  expect(entries[0]!.sourceRunId).toBe(value.by);
  for (const id of RUNS) expect(JSON.parse((await s.getRun(id))!.output!)).toEqual({ topic: 'tides', notes: 'notes on tides', by: value.by });
  if (killComputer) {
    expect(ran).toHaveLength(2);
    expect(ran[1]!.pid).not.toBe(computing.pid);
  } else {
    expect(ran).toEqual([computing]);
  }
  // Every run but the computing one got the value from the cache: a `cached` attempt, no body.
  const outcomes = await Promise.all(RUNS.map(async (id) => (await s.listAttempts(id)).filter((a) => a.outcome === 'cached').length));
  expect(outcomes.reduce((a, b) => a + b, 0)).toBe(2);
}

describe('step cache across worker processes', () => {
  it('SQLite: three processes, one key: the body runs exactly once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lifeline-cache-db-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    await scenario(join(dir, 'cache.db'), { killComputer: false });
  }, 120_000);

  it('SQLite: the computing process is SIGKILLed: another computes after the lease, two bodies, one cached value', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lifeline-cache-db-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    await scenario(join(dir, 'cache.db'), { killComputer: true });
  }, 120_000);

  it('PostgreSQL: three processes, one key: the body runs exactly once', async () => {
    const schema = pg.freshSchema();
    cleanups.push(() => pg.withClient((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)).then(() => undefined));
    await scenario(`${pg.server().url}?schema=${schema}`, { killComputer: false });
  }, 120_000);

  it('PostgreSQL: the computing process is SIGKILLed: another computes after the lease, two bodies, one cached value', async () => {
    const schema = pg.freshSchema();
    cleanups.push(() => pg.withClient((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)).then(() => undefined));
    await scenario(`${pg.server().url}?schema=${schema}`, { killComputer: true });
  }, 120_000);
});
