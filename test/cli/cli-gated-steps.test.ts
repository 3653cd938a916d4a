// Steps behind shared gates under the built CLI: a workflow file's `breakers`, `pricing` and
// `secrets` reach `run` and `worker`; a run deferred by an open breaker is visible in `show` and
// `runs`, can be cancelled, and `resume` makes it ask the gate again now.
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { breakerConfig } from '../../src/breakers/config.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { useCliFiles, fixturePath, cliOn, startCli } from './kit.js';

const fixture = fixturePath('cli-gated-workflow');
const SECRET = 'house-secret-0123456789';
const files = useCliFiles('gated.db');

const lifeline = cliOn(() => files.db);

/** Opens the breaker `house-api` in the store for an hour (two failed calls of two), as other workers would. */
async function openBreaker(): Promise<{ openUntil: number; reason: string }> {
  const store = await openSqliteStore(files.db);
  const now = Date.now();
  const config = breakerConfig({ windowSize: 4, minimumCalls: 2, coolDownMs: 3_600_000 }, 'test');
  const fail = { outcome: { kind: 'failure' as const, durationMs: 1 } };
  const update = await store.updateBreaker({ key: 'house-api', config, now, outcomes: [fail, fail] });
  await store.close();
  expect(update.record.data.state).toBe('open');
  return { openUntil: update.record.data.openUntil, reason: update.record.data.reason };
}

function closeBreaker(): void {
  const sql = new Database(files.db);
  sql.prepare("DELETE FROM breakers WHERE key = 'house-api'").run();
  sql.close();
}

function deferredEvents(runId: string): number {
  const sql = new Database(files.db, { readonly: true });
  const row = sql.prepare("SELECT count(*) AS n FROM events WHERE run_id = ? AND type = 'step.deferred'").get(runId) as { n: number };
  sql.close();
  return row.n;
}

describe('a workflow file configures the Lifeline of run and worker', () => {
  it('run: a step naming a breaker works, and a call is priced with the file’s pricing', async () => {
    const run = lifeline(['run', fixture, '-w', 'cli.gated-call', '--run-id', 'r1', '-q']);
    expect(run.err).toBe('');
    expect(run).toMatchObject({ code: 0, out: '"answered"\n' });
    const store = await openSqliteStore(files.db);
    const [entry] = await store.listCosts({ runId: 'r1' });
    await store.close();
    expect(entry).toMatchObject({ provider: 'house', model: 'house-model', costMicros: 3_000_000 });
    const breakers = JSON.parse(lifeline(['breakers', '--json']).out) as Array<{ key: string; state: string }>;
    expect(breakers).toMatchObject([{ key: 'house-api', state: 'closed' }]);
  });

  it('worker: a step naming a breaker works', async () => {
    const store = await openSqliteStore(files.db);
    await store.createRun({ id: 'w1', workflow: 'cli.gated-call', input: 'null', now: Date.now() });
    await store.close();
    const worker = startCli(['--db', files.db, 'worker', fixture]);
    await worker.printed(/■ .*w1.* (completed|failed)/);
    worker.child.kill('SIGTERM');
    await worker.exit;
    expect(worker.out()).toMatch(/■ .*w1.* completed/);
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
