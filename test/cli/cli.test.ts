import { once } from 'node:events';
import Database from 'better-sqlite3';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { ROOT, fixturePath, requireBuild, runCli, cliOn, expectCode, startCli, createRunElsewhere } from './kit.js';

const fixture = fixturePath('cli-workflows');
let tmp: ReturnType<typeof tempDir>;
let db: string;

const lifeline = cliOn(() => db);

/** Creates a pending run directly in the database, as another process (an app) would. */
const createRun = (id: string, workflow: string) => createRunElsewhere(db, { id, workflow });

beforeAll(() => {
  requireBuild();
  tmp = tempDir();
  db = join(tmp.dir, 'cli.db');
});
afterAll(() => tmp.cleanup());

describe('lifeline CLI', () => {
  it('runs a workflow, lists it and shows it (text and JSON)', () => {
    const run = lifeline(['run', fixture, '-w', 'cli.greet', '--input', '{"name":"ada"}', '--run-id', 'g1']);
    expect(run.code).toBe(0);
    expect(run.out).toContain('✓ hello#0 executed (attempt 1)');
    expect(run.out).toContain('"hello": "hello ada"');
    const runs = lifeline(['runs', '--status', 'completed']);
    expectCode(runs, 0);
    expect(runs.out).toMatch(/g1\s+cli\.greet\s+completed/);
    const show = lifeline(['show', 'g1', '--json']);
    expectCode(show, 0);
    const parsed = JSON.parse(show.out) as {
      run: { status: string };
      steps: Array<{ stepId: string; output: unknown }>;
      attempts: unknown[];
      events: Array<{ type: string }>;
    };
    expect(parsed.run.status).toBe('completed');
    expect(parsed.steps).toMatchObject([{ stepId: 'hello#0', output: 'hello ada' }]);
    expect(parsed.attempts).toHaveLength(1);
    expect(parsed.events.map((e) => e.type)).toContain('run.completed');
    const text = lifeline(['show', 'g1']);
    expectCode(text, 0);
    expect(text.out).toMatch(/hello#0\s+step\s+completed\s+1/);
    // same run id again: the existing run, not a second one
    const again = lifeline(['run', fixture, '-w', 'cli.greet', '--input', '{"name":"bob"}', '--run-id', 'g1', '-q']);
    expectCode(again, 0);
    expect(again.out.trim()).toBe('{"hello":"hello ada"}');
  });

  it('runs a TypeScript workflow file directly (loaded through tsx), e.g. the hello example', () => {
    const run = lifeline(['run', join(ROOT, 'examples/hello/hello.ts'), '--input', '{"name":"Ada"}', '-q']);
    expectCode(run, 0);
    expect(run.err).toBe('');
    expect(JSON.parse(run.out)).toMatchObject({ greeting: 'Hello, Ada!', shout: 'HELLO, ADA!' });
  });

  it('waits for a signal, then continues when resumed with the signal sent', () => {
    const run = lifeline(['run', fixture, '-w', 'cli.approval', '--run-id', 'a1']);
    expect(run.code).toBe(6);
    expect(run.out).toContain('waiting for signal "approve"');
    expect(lifeline(['signal', 'a1', 'approve', '{"ok":true}']).code).toBe(0);
    const resumed = lifeline(['resume', 'a1', fixture]);
    expect(resumed.code).toBe(0);
    expect(resumed.out).toContain('"approved"');
  });

  it('retries a failed run from its failed step after the cause is fixed', () => {
    const fix = join(tmp.dir, 'fixed');
    const env = { CLI_FIX_FILE: fix };
    const failed = lifeline(['run', fixture, '-w', 'cli.fragile', '--run-id', 'f1'], env);
    expect(failed.code).toBe(1);
    expect(failed.err).toContain(
      'run f1 failed [configuration]: Step "second#0" failed with configuration error after 1 attempt: API key for the data service is missing',
    );
    writeFileSync(fix, '');
    const retried = lifeline(['retry', 'f1', fixture], env);
    expect(retried.code).toBe(0);
    expect(retried.out).toContain('↺ first#0 replayed from checkpoint');
    expect(retried.out).toContain('✓ second#0 executed');
    const completed = lifeline(['retry', 'f1']);
    expectCode(completed, 2);
    expect(completed.err).toContain('Cannot retry run f1: it is completed.');
  });

  it('cancels a waiting run', () => {
    expectCode(lifeline(['run', fixture, '-w', 'cli.approval', '--run-id', 'c1']), 6);
    const cancel = lifeline(['cancel', 'c1']);
    expectCode(cancel, 0);
    expect(cancel.out).toContain('run c1 cancelled');
    const cancelled = lifeline(['runs', '--status', 'cancelled', '--json']);
    expectCode(cancelled, 0);
    expect(cancelled.out).toContain('"id": "c1"');
  });

  it('SIGTERM stops a worker gracefully: the running step finishes and the lease is released', async () => {
    expectCode(lifeline(['run', fixture, '-w', 'cli.approval', '--run-id', 'unused']), 6); // make sure the db exists
    createRun('s1', 'cli.slow');
    // The step runs until this file exists: it is created only once the worker has taken SIGTERM.
    const release = join(tmp.dir, 'release-s1');
    const env = { ...process.env, CLI_RELEASE_FILE: release };
    const worker = startCli(['--db', db, 'worker', fixture], { env });
    const exited = once(worker.child, 'exit');
    await worker.printed('s1 started');
    worker.child.kill('SIGTERM');
    await worker.printed('SIGTERM: stopping worker');
    writeFileSync(release, '');
    const [code, signal] = (await exited) as [number | null, string | null];
    expect({ code, signal }).toEqual({ code: 143, signal: null }); // stopped by SIGTERM: 128 + 15, leases released
    const check = new Database(db, { readonly: true });
    const row = check.prepare("SELECT status, lease_token FROM runs WHERE id = 's1'").get() as { status: string; lease_token: string | null };
    const steps = check.prepare("SELECT step_id FROM step_results WHERE run_id = 's1'").all();
    check.close();
    expect(row).toEqual({ status: 'pending', lease_token: null });
    expect(steps).toEqual([{ step_id: 'slow#0' }]);
    const resumed = lifeline(['resume', 's1', fixture], { CLI_RELEASE_FILE: release });
    expect(resumed.out).toContain('↺ slow#0 replayed from checkpoint');
    expectCode(resumed, 0);
  });

  it('worker --log json writes structured events, with secrets redacted everywhere', async () => {
    createRun('leak1', 'cli.leaky');
    const worker = startCli(['--db', db, 'worker', fixture, '--log', 'json']);
    await worker.printed('"event":"run.failed"');
    const exited = once(worker.child, 'exit');
    worker.child.kill('SIGTERM');
    expect(await exited).toEqual([143, null]); // stopped by SIGTERM: 128 + 15
    const out = worker.stdout();
    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { level: number; event: string; runId?: string; errorClass?: string });
    expect(lines.find((l) => l.event === 'step.failed')).toMatchObject({ level: 40, runId: 'leak1', errorClass: 'configuration' });
    expect(lines.find((l) => l.event === 'run.failed')).toMatchObject({ level: 50 });
    expect(out).not.toContain('hunter2secret');
    expect(out).not.toContain('sk-live-abcdefghijklmnop1234');
    const show = lifeline(['show', 'leak1', '--json']);
    expectCode(show, 0);
    const shown = show.out;
    expect(shown).toContain('[REDACTED]');
    expect(shown).not.toContain('hunter2secret');
    expect(shown).not.toContain('sk-live-abcdefghijklmnop1234');
  });

  it('a run that kills its worker every time is parked after 5 claims: run exits 7, runs/show tell why, resume continues it once fixed', () => {
    const fix = join(tmp.dir, 'crasher-fixed');
    const attempt = () => lifeline(['run', fixture, '-w', 'cli.crasher', '--run-id', 'p1']);
    // SIGKILLed by its own step: once after committing "before" (progress), then 5 times without progress.
    for (let i = 0; i < 6; i++) expect(attempt()).toMatchObject({ code: null });
    const parked = attempt();
    expect(parked.code).toBe(7);
    expect(parked.out).toContain('■ p1 parked after 5 claims without progress (lifeline resume p1 once fixed)');
    expect(parked.err).toMatch(/^run p1 is parked: Run parked: claimed 5 times in a row without committing a step .*\(lifeline resume RUN\)\.\n$/);
    expect(lifeline(['runs', '--status', 'parked']).out).toMatch(
      /p1\s+cli\.crasher\s+parked\s+\S+\s+1 step · calculating…\s+\[interrupted\] Run parked: claimed 5 times/,
    );
    const show = lifeline(['show', 'p1']).out;
    expect(show).toMatch(/status {4}parked\n/);
    expect(show).toContain('parked    [interrupted] Run parked: claimed 5 times in a row');
    expect(show).toContain('claims    6 (5 since the last committed step)');
    expect(show).toMatch(/before#0\s+step\s+completed/);
    writeFileSync(fix, 'fixed');
    expect(lifeline(['resume', 'p1'])).toMatchObject({
      code: 0,
      out: 'run p1 was parked; it is pending again; a running `lifeline worker FILE` picks it up, or execute it here with `lifeline resume p1 FILE`\n',
    });
    const resumed = lifeline(['run', fixture, '-w', 'cli.crasher', '--run-id', 'p1', '-q'], { CLI_FIX_FILE: fix });
    expect(resumed).toMatchObject({ code: 0, out: '"survived"\n' });
  });

  it('exits with documented codes and clear messages on bad input', () => {
    expect(lifeline(['show', 'nope'])).toMatchObject({ code: 4, err: 'lifeline: No run with id "nope" in this database.\n' });
    expect(lifeline(['signal', 'nope', 'x']).code).toBe(4);
    const badInput = lifeline(['run', fixture, '-w', 'cli.greet', '--input', '{bad']);
    expectCode(badInput, 2);
    expect(badInput.err).toContain('--input is not valid JSON');
    const noWorkflow = lifeline(['run', fixture]);
    expectCode(noWorkflow, 2);
    expect(noWorkflow.err).toContain(
      'defines 7 workflows (cli.greet, cli.approval, cli.fragile, cli.slow, cli.leaky, cli.crasher, cli.escalating); choose one with --workflow',
    );
    expect(lifeline(['run', join(tmp.dir, 'missing.js')]).code).toBe(4);
    const badStatus = lifeline(['runs', '--status', 'bogus']);
    expectCode(badStatus, 2);
    expect(badStatus.err).toContain('Unknown status "bogus"');
    expect(lifeline(['frobnicate']).code).toBe(2);
    const notDb = join(tmp.dir, 'text.db');
    writeFileSync(notDb, 'this is not a database, just text '.repeat(100));
    const before = readFileSync(notDb);
    const r = runCli(notDb, ['runs']);
    expect(r.code).toBe(5);
    expect(r.err).toContain('not a SQLite database or corrupted');
    expect(readFileSync(notDb).equals(before)).toBe(true);
  });
});
