// Shared limits across real worker processes (node + tsx, one file or one PostgreSQL schema):
// every step call appends enter/exit to one log file, and the log proves the limits held over
// all processes together: at most K calls at once per key (also per user AND per provider on
// one call), a rate limit over processes, a SIGKILLed worker's slot freed by its lease, and
// reserved tokens given back after the call reported its real usage.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertFreshBuild } from '../dist-build.js';
import { Lifeline } from '../../src/engine/lifeline.js';
import type { LimitsConfig } from '../../src/options/limit-options.js';
import { limitedCall, type LimitedCall } from '../fixtures/limits-workflow.js';
import { tempDir } from '../helpers.js';
import { usePostgres } from '../pg/pg-fixture.js';
import { ROOT, until } from './harness.js';

const WORKER = join(ROOT, 'build/test/fixtures/limits-worker.js');
// The compiled fixture (npm test builds it first): a worker started through tsx spends about a
// second of CPU compiling before it runs, for every process the test starts.
beforeAll(() => assertFreshBuild());
const pg = usePostgres();

interface Proc {
  child: ChildProcess;
  ready: Promise<void>;
  exit: Promise<void>;
  stderr: string;
}

let procs: Proc[] = [];
let cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const p of procs) p.child.kill('SIGKILL');
  await Promise.all(procs.map((p) => p.exit));
  procs = [];
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

function spawnWorker(db: string, log: string, limits: LimitsConfig, env: Record<string, string> = {}): Proc {
  const child = spawn(process.execPath, [WORKER, db, JSON.stringify(limits)], {
    cwd: ROOT,
    env: { ...process.env, LIMITS_LOG: log, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const proc: Proc = { child, stderr: '', ready: Promise.resolve(), exit: new Promise((r) => child.once('exit', () => r())) };
  proc.ready = new Promise((resolve, reject) => {
    child.stderr?.on('data', (d: Buffer) => {
      proc.stderr += d.toString();
      if (proc.stderr.includes('ready\n')) resolve();
    });
    void proc.exit.then(() => reject(new Error(`worker exited before it was ready: ${proc.stderr}`)));
  });
  procs.push(proc);
  return proc;
}

interface Entry {
  what: 'enter' | 'exit';
  runId: string;
  pid: number;
  at: number;
  keys: string[];
}

function readLog(log: string): Entry[] {
  if (!existsSync(log)) return [];
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const [what, runId, pid, at, keys] = l.split(' ');
      return { what: what as 'enter' | 'exit', runId: runId!, pid: Number(pid), at: Number(at), keys: keys!.split(',') };
    });
}

/** The most calls inside at once (over all processes), counting only calls that name `key`. */
function maxConcurrent(entries: readonly Entry[], key?: string): number {
  let now = 0;
  let max = 0;
  for (const e of entries) {
    if (key !== undefined && !e.keys.includes(key)) continue;
    now += e.what === 'enter' ? 1 : -1;
    max = Math.max(max, now);
  }
  return max;
}

/** Polls until no key has a slot in use (releases follow run completions by a moment); the first key's status. */
async function slotsFreed(client: Lifeline) {
  for (;;) {
    const keys = await client.store.listLimits(Date.now());
    if (keys.every((k) => k.inUse === 0)) return keys[0];
    await new Promise((r) => setTimeout(r, 20)); // polling the database for a condition
  }
}

interface Backend {
  name: string;
  /** A fresh database location every worker process and the test open. */
  open(): Promise<string>;
}

const BACKENDS: Backend[] = [
  {
    name: 'sqlite',
    open: () => {
      const { dir, cleanup } = tempDir('lifeline-limits-');
      cleanups.push(cleanup);
      return Promise.resolve(join(dir, 'limits.db'));
    },
  },
  {
    name: 'postgres',
    open: () => {
      const schema = pg.freshSchema();
      cleanups.push(() => pg.withClient(async (c) => void (await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`))));
      return Promise.resolve(`${pg.server().url}${pg.server().url.includes('?') ? '&' : '?'}schema=${schema}`);
    },
  },
];

describe.each(BACKENDS)('shared limits over worker processes: $name', (backend) => {
  /** The database, the log, a client (no worker) that starts runs, and `n` started worker processes. */
  async function setup(limits: LimitsConfig, workers: number, env: Record<string, string> = {}) {
    const db = await backend.open();
    const { dir, cleanup } = tempDir('lifeline-limits-log-');
    cleanups.push(cleanup);
    const log = join(dir, 'calls.log');
    // The client opens (and migrates) first, so the workers do not race to create the schema.
    const client = await Lifeline.open({ db, workflows: [limitedCall] });
    cleanups.push(() => client.close());
    const started = Array.from({ length: workers }, () => spawnWorker(db, log, limits, env));
    await Promise.all(started.map((p) => p.ready));
    const start = (input: LimitedCall) => client.start(limitedCall, input);
    return { db, log, client, start };
  }

  it('at most K concurrent calls of a key over three processes', async () => {
    // One run at a time per process: a process that claimed many runs at once could take them all
    // (a deferred run gives its worker slot back), and the calls must really spread over processes.
    const { log, client, start } = await setup({ openai: { concurrency: 2, slotRetryMs: 20 } }, 3, { LIMITS_WORKER_CONCURRENCY: '1' });
    const handles = await Promise.all(Array.from({ length: 24 }, () => start({ keys: ['openai'], holdMs: 30 })));
    const pids = await Promise.all(handles.map((h) => client.result<number>(h.runId, { pollMs: 50 })));
    const entries = readLog(log);
    expect(entries.filter((e) => e.what === 'enter')).toHaveLength(24);
    expect(maxConcurrent(entries)).toBe(2); // never more, and the limit was reached
    expect(new Set(pids).size).toBeGreaterThan(1); // the calls really ran in several processes
    // A slot is released just after its run completed (the engine does not wait for it).
    const status = await slotsFreed(client);
    expect(status).toMatchObject({ key: 'openai', concurrency: 2, inUse: 0 });
    expect(status!.throttled).toBeGreaterThan(0);
  });

  it('per user AND per provider on one call: both hold over processes, no slot is left behind', async () => {
    const limits = { openai: { concurrency: 3, slotRetryMs: 20 }, 'customer-*': { concurrency: 1, slotRetryMs: 20 } };
    const { log, client, start } = await setup(limits, 3);
    const handles = await Promise.all(Array.from({ length: 20 }, (_, i) => start({ keys: ['openai', `customer-${i % 4}`], holdMs: 25 })));
    await Promise.all(handles.map((h) => client.result(h.runId, { pollMs: 50 })));
    const entries = readLog(log);
    expect(maxConcurrent(entries, 'openai')).toBeLessThanOrEqual(3);
    for (let c = 0; c < 4; c++) expect(maxConcurrent(entries, `customer-${c}`)).toBe(1);
    expect(maxConcurrent(entries)).toBeGreaterThan(1); // different customers did run at once
    await slotsFreed(client);
    const statuses = await client.store.listLimits(Date.now());
    expect(statuses.map((s) => [s.key, s.inUse])).toEqual([
      ['customer-0', 0],
      ['customer-1', 0],
      ['customer-2', 0],
      ['customer-3', 0],
      ['openai', 0],
    ]);
  });

  it('a calls-per-minute limit holds over processes: the rest sleep until the bucket refills', async () => {
    const { log, client, start } = await setup({ openai: { callsPerMinute: 4 } }, 3);
    const began = Date.now();
    const handles = await Promise.all(Array.from({ length: 10 }, () => start({ keys: ['openai'], holdMs: 0 })));
    // Wait until every run either called or sleeps because it was told to wait.
    await until(() => readLog(log).filter((e) => e.what === 'exit').length >= 4, 20).promise;
    let sleeping = await client.listRuns({ status: 'sleeping' });
    while (sleeping.length + readLog(log).filter((e) => e.what === 'exit').length < handles.length) {
      await new Promise((r) => setTimeout(r, 20)); // polling the database for a condition
      sleeping = await client.listRuns({ status: 'sleeping' });
    }
    const elapsed = Date.now() - began;
    const enters = readLog(log).filter((e) => e.what === 'enter').length;
    // 4 at once, then one per 15 s.
    expect(enters).toBeLessThanOrEqual(4 + Math.floor(elapsed / 15_000));
    expect(enters).toBeGreaterThanOrEqual(4);
    for (const run of sleeping) expect(run.wakeAt).toBeGreaterThan(began + 10_000);
  });

  it('tokens reserved from the estimate are given back after the call reports its usage', async () => {
    const { log, client, start } = await setup({ openai: { tokensPerMinute: 1000 } }, 3);
    // One after another: without the give-back the third 400-token reservation would have to wait 12 s or more.
    for (let i = 0; i < 5; i++) {
      const h = await start({ keys: ['openai'], holdMs: 0, estimatedTokens: 400, usedTokens: 10 });
      await client.result(h.runId, { pollMs: 20 });
      // The release is written after the run completes: wait for it before the next reservation.
      for (;;) {
        const [s] = await client.store.listLimits(Date.now());
        if ((s?.tokens?.left ?? 0) > 600) break;
        await new Promise((r) => setTimeout(r, 10)); // polling the database for a condition
      }
    }
    expect(readLog(log).filter((e) => e.what === 'enter')).toHaveLength(5);
    expect((await client.store.listEvents({ limit: 10_000 })).filter((e) => e.type === 'step.deferred')).toEqual([]);
    const [status] = await client.store.listLimits(Date.now());
    expect(status!.tokens!.left).toBeGreaterThanOrEqual(950);
  });

  it("a SIGKILLed worker's slot frees itself after its lease", async () => {
    const limits = { openai: { concurrency: 1, slotLeaseMs: 1500, slotRetryMs: 50 } };
    const { db, log, client, start } = await setup(limits, 1, { LIMITS_HANG: '1' });
    const [hung] = procs;
    const first = await start({ keys: ['openai'], holdMs: 0 });
    await until(() => readLog(log).some((e) => e.what === 'enter')).promise;
    hung!.child.kill('SIGKILL');
    await hung!.exit;
    const killedAt = Date.now();
    const healthy = spawnWorker(db, log, limits);
    await healthy.ready;
    const second = await start({ keys: ['openai'], holdMs: 0 });
    await client.result(second.runId, { pollMs: 50 });
    await client.result(first.runId, { pollMs: 50 });
    const entries = readLog(log).filter((e) => e.pid === healthy.child.pid);
    // The dead worker renewed its slot every 500 ms until it died: the slot expired 1000-1500 ms
    // after the kill, and no call of the healthy worker entered before.
    expect(Math.min(...entries.filter((e) => e.what === 'enter').map((e) => e.at))).toBeGreaterThanOrEqual(killedAt + 900);
    expect(maxConcurrent(entries)).toBe(1);
    const [status] = await client.store.listLimits(Date.now());
    expect(status).toMatchObject({ inUse: 0 });
  });
});
