// Steps behind shared gates under the built CLI: a workflow file's `breakers`, `pricing` and
// `secrets` reach `run` and `worker`; a run deferred by an open breaker is visible in `show` and
// `runs`, can be cancelled, and `resume` makes it ask the gate again now.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { breakerConfig } from '../../src/breakers/config.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { assertFreshBuild } from '../dist-build.js';
import { tempDir } from '../helpers.js';

const root = resolve(import.meta.dirname, '../..');
const cli = join(root, 'build/src/cli/main.js');
const fixture = join(root, 'build/test/fixtures/cli-gated-workflow.js');
const SECRET = 'house-secret-0123456789';
let tmp: ReturnType<typeof tempDir>;
let db: string;

function lifeline(args: string[]) {
  const r = spawnSync(process.execPath, [cli, '--db', db, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Opens the breaker `house-api` in the store for an hour (two failed calls of two), as other workers would. */
async function openBreaker(): Promise<{ openUntil: number; reason: string }> {
  const store = await openSqliteStore(db);
  const now = Date.now();
  const config = breakerConfig({ windowSize: 4, minimumCalls: 2, coolDownMs: 3_600_000 }, 'test');
  const fail = { outcome: { kind: 'failure' as const, durationMs: 1 } };
  const update = await store.updateBreaker({ key: 'house-api', config, now, outcomes: [fail, fail] });
  await store.close();
  expect(update.record.data.state).toBe('open');
  return { openUntil: update.record.data.openUntil, reason: update.record.data.reason };
}

function closeBreaker(): void {
  const sql = new Database(db);
  sql.prepare("DELETE FROM breakers WHERE key = 'house-api'").run();
  sql.close();
}

function deferredEvents(runId: string): number {
  const sql = new Database(db, { readonly: true });
  const row = sql.prepare("SELECT count(*) AS n FROM events WHERE run_id = ? AND type = 'step.deferred'").get(runId) as { n: number };
  sql.close();
  return row.n;
}

beforeAll(() => {
  assertFreshBuild();
  tmp = tempDir();
  db = join(tmp.dir, 'gated.db');
});
afterAll(() => tmp?.cleanup());

describe('a workflow file configures the Lifeline of run and worker', () => {
  it('run: a step naming a breaker works, and a call is priced with the file’s pricing', async () => {
    const run = lifeline(['run', fixture, '-w', 'cli.gated-call', '--run-id', 'r1', '-q']);
    expect(run.err).toBe('');
    expect(run).toMatchObject({ code: 0, out: '"answered"\n' });
    const store = await openSqliteStore(db);
    const [entry] = await store.listCosts({ runId: 'r1' });
    await store.close();
    expect(entry).toMatchObject({ provider: 'house', model: 'house-model', costMicros: 3_000_000 });
    const breakers = JSON.parse(lifeline(['breakers', '--json']).out) as Array<{ key: string; state: string }>;
    expect(breakers).toMatchObject([{ key: 'house-api', state: 'closed' }]);
  });

  it('worker: a step naming a breaker works', async () => {
    const store = await openSqliteStore(db);
    await store.createRun({ id: 'w1', workflow: 'cli.gated-call', input: 'null', now: Date.now() });
    await store.close();
    const worker = spawn(process.execPath, [cli, '--db', db, 'worker', fixture], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    await new Promise<void>((done) => {
      worker.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (/■ .*w1.* (completed|failed)/.test(out)) done();
      });
    });
    const exited = once(worker, 'exit');
    worker.kill('SIGTERM');
    await exited;
    expect(out).toMatch(/■ .*w1.* completed/);
  });

  it('the file’s secrets are redacted from what a failed step stores and prints', () => {
    const run = lifeline(['run', fixture, '-w', 'cli.leaky', '--run-id', 'leak1']);
    expect(run.code).not.toBe(0);
    expect(run.out + run.err).toContain('upstream refused key [REDACTED]');
    expect(run.out + run.err).not.toContain(SECRET);
    const shown = lifeline(['show', 'leak1', '--json']);
    expect(shown.out).toContain('[REDACTED]');
    expect(shown.out).not.toContain(SECRET);
  });
});

describe('a run deferred by an open breaker', () => {
  let until: string;
  let reason: string; // "2 of 4 calls failed (50 % >= 50 %)": the earlier tests' calls succeeded
  beforeAll(async () => {
    const opened = await openBreaker();
    until = new Date(opened.openUntil).toISOString();
    reason = opened.reason;
  });

  it('sleeps without an attempt; run, show and runs say by which gate and until when', () => {
    const run = lifeline(['run', fixture, '-w', 'cli.gated-call', '--run-id', 'd1']);
    expect(run.code).toBe(6); // suspended
    expect(run.out).toContain(`  ⏸ call#0 deferred by breaker:house-api until ${until}: circuit open: ${reason}\n`);
    const shown = lifeline(['show', 'd1']);
    expect(shown.code, shown.err).toBe(0);
    expect(shown.out).toContain(`status    sleeping\n`);
    expect(shown.out).toContain(`wakes at  ${until}\n`);
    expect(reason).toMatch(/^2 of \d calls failed/);
    expect(shown.out).toContain(`gate      call#0 deferred by breaker:house-api until ${until}: circuit open: ${reason}\n`);
    expect(shown.out).not.toContain('\nattempts\n'); // no attempt was used
    const runs = lifeline(['runs']);
    const row = runs.out.split('\n').find((l) => l.startsWith('d1 '));
    // A run a gate deferred is a state of its own, with the gate and its time (UTC clock time) as the detail.
    const cells = row?.split(/ {2,}/) ?? [];
    expect(cells.slice(0, 3)).toEqual(['d1', 'cli.gated-call', 'deferred']);
    expect(cells.at(-1)).toMatch(
      new RegExp(`^step call#0 deferred by breaker:house-api until (\\d{4}-\\d\\d-\\d\\d )?${until.slice(11, 19)}: circuit open: 2 of`),
    );
  });

  it('cancel: the deferred run is cancelled', () => {
    const cancelled = lifeline(['cancel', 'd1']);
    expect(cancelled.code, cancelled.err).toBe(0);
    const shown = lifeline(['show', 'd1']);
    expect(shown.out).toContain('status    cancelled\n');
    expect(shown.out).not.toContain('gate      ');
  });

  it('resume asks the gate again now: deferred again while the breaker is open, executed once it closed', () => {
    expect(lifeline(['run', fixture, '-w', 'cli.gated-call', '--run-id', 'd2']).code).toBe(6);
    expect(deferredEvents('d2')).toBe(1);
    const again = lifeline(['resume', 'd2', fixture]);
    expect(again.out).toContain(`  ⏸ call#0 deferred by breaker:house-api until ${until}`);
    expect(again.code).toBe(6);
    expect(deferredEvents('d2')).toBe(2);
    closeBreaker();
    const resumed = lifeline(['resume', 'd2', fixture]);
    expect(resumed.out).toContain('✓ call#0 executed (attempt 1)');
    expect(resumed.code, resumed.err).toBe(0);
    expect(lifeline(['show', 'd2']).out).toContain('output    "answered"\n');
  });
});
