// `lifeline watch` and `runs --state` against real processes: a `lifeline worker` child executes a
// run whose step fails once (rate_limit) and whose second attempt runs until the test creates a
// file; a `lifeline watch` child (stdout a pipe: plain lines) follows it. Synchronised on the
// watcher's output and on files, never on durations.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { useCliFiles, fixturePath, cliOn, startCli, killCliChildren, createRunElsewhere, type CliChild } from './kit.js';

const fixture = fixturePath('cli-workflows');
const watchFixture = fixturePath('cli-watch-workflow');
const files = useCliFiles('watch.db', 'lifeline-watch-');

const lifeline = cliOn(() => files.db);

/** A CLI child on this file's database, with NO_COLOR unset (its output is plain because stdout is a pipe). */
function start(args: string[]): CliChild {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NO_COLOR;
  return startCli(['--db', files.db, ...args], { env });
}

afterAll(() => {
  killCliChildren();
});

describe('lifeline watch', () => {
  it('follows a run through its retry to the end in plain lines, exits 0; runs --state lists it as retrying meanwhile', async () => {
    // History for the ETA: two completed runs of the workflow.
    for (const id of ['h1', 'h2']) expect(lifeline(['run', watchFixture, '-w', 'cli.watched', '--run-id', id, '-q']).code).toBe(0);
    createRunElsewhere(files.db, { id: 'w1', workflow: 'cli.watched', input: { dir: files.dir } });
    const worker = start(['worker', watchFixture, '-q']);
    const watch = start(['watch', 'w1', '--interval', '20']);
    await watch.printed('      ✗ attempt 1 failed [rate_limit] HTTP 429 from the data service\n');
    await watch.printed('  ▸ fetch#0  running  attempt 2\n');
    expect(watch.out()).toContain('run w1 (cli.watched): retrying\n');
    expect(watch.out()).toMatch(/\n {2}step fetch#0 attempt 2 running since \d\d:\d\d:\d\d \(1 failed before, last failure rate_limit\)\n/);
    expect(watch.out()).toMatch(/\n {2}progress 1\/3 steps · 33% · ETA (\S+)\n/);

    // Meanwhile, for scripts: the live runs once, and the run among the retrying ones (not the stuck ones).
    const once = lifeline(['watch', '--once']);
    expect(once.code, once.err).toBe(0);
    expect(once.out).toMatch(/^1 live run\nw1 {2}cli\.watched {2}retrying {2}1\/3 steps · 33% · ETA \S+ {2}step fetch#0 attempt 2 running since/);
    const retrying = JSON.parse(lifeline(['runs', '--state', 'retrying', '--json']).out) as Array<{
      id: string;
      activity: { state: string };
      progress: { done: number; expected: number };
    }>;
    expect(retrying.map((r) => [r.id, r.activity.state, r.progress.done, r.progress.expected])).toEqual([['w1', 'retrying', 1, 3]]);
    expect(lifeline(['runs', '--state', 'stuck']).out).toBe('no runs\n');
    expect(lifeline(['runs', '--state', 'busy'])).toMatchObject({
      code: 2,
      err: 'lifeline: Unknown state "busy" (known: pending, running, retrying, stuck, waiting, sleeping, deferred, parked, completed, failed, cancelled)\n',
    });

    writeFileSync(join(files.dir, 'release'), '');
    expect(await watch.exit).toBe(0);
    const out = watch.out();
    expect(out).toContain('run w1 (cli.watched): completed\n  progress 3/3 steps · 100%\n');
    expect(out).toMatch(/ {2}✓ report#0 {2}completed {2}1 attempt {2}\d+ ms\n/);
    expect(out).not.toContain('\x1b'); // not a TTY: no redraw codes, no colours
    // Plain lines are printed when they change, not on every read (the watcher read many times meanwhile).
    expect(out.split('\n').filter((l) => l === 'run w1 (cli.watched): retrying')).toHaveLength(1);
    expect(out.split('\n').filter((l) => l === '      ✗ attempt 1 failed [rate_limit] HTTP 429 from the data service')).toHaveLength(1);

    worker.child.kill('SIGTERM');
    await worker.exit;
  }, 60_000);

  it('exits by the outcome of a run that ended: failed 1, unknown run 4', () => {
    expect(lifeline(['run', fixture, '-w', 'cli.leaky', '--run-id', 'f1', '-q']).code).toBe(1);
    const failed = lifeline(['watch', 'f1']);
    expect(failed.code, failed.err).toBe(1);
    expect(failed.out).toMatch(/^run f1 \(cli\.leaky\): failed\n {2}\[\w+\] /);
    expect(lifeline(['watch', 'nope'])).toMatchObject({ code: 4, err: 'lifeline: No run with id "nope" in this database.\n' });
    expect(lifeline(['watch', '--interval', '5'])).toMatchObject({ code: 2, err: 'lifeline: --interval must be at least 10 ms (got 5)\n' });
  });
});
