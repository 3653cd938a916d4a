// `lifeline watch` and `runs --state` against real processes: a `lifeline worker` child executes a
// run whose step fails once (rate_limit) and whose second attempt runs until the test creates a
// file; a `lifeline watch` child (stdout a pipe: plain lines) follows it. Synchronised on the
// watcher's output and on files, never on durations.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertFreshBuild } from '../dist-build.js';
import { tempDir } from '../helpers.js';

const root = resolve(import.meta.dirname, '../..');
const cli = join(root, 'build/src/cli/main.js');
const fixture = join(root, 'build/test/fixtures/cli-workflows.js');
const watchFixture = join(root, 'build/test/fixtures/cli-watch-workflow.js');
let tmp: ReturnType<typeof tempDir>;
let db: string;
const children: ChildProcess[] = [];

function lifeline(args: string[]) {
  const r = spawnSync(process.execPath, [cli, '--db', db, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function start(args: string[]): { child: ChildProcess; out: () => string; exit: Promise<number | null>; printed: (text: string) => Promise<void> } {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NO_COLOR;
  const child = spawn(process.execPath, [cli, '--db', db, ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  const waiters: Array<{ text: string; resolve: () => void }> = [];
  const onData = (d: Buffer) => {
    out += d.toString();
    for (const w of waiters.splice(0))
      if (out.includes(w.text)) w.resolve();
      else waiters.push(w);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const printed = (text: string) => new Promise<void>((resolve) => (out.includes(text) ? resolve() : waiters.push({ text, resolve })));
  return { child, out: () => out, exit, printed };
}

/** Creates a pending run as an app would (no worker in this process: the worker child takes it). */
function createRun(id: string, input: unknown): void {
  const script = `import('${join(root, 'build/src/index.js')}').then(async ({ Lifeline }) => {
      const l = await Lifeline.open({ db: ${JSON.stringify(db)}, workflows: [] });
      await l.store.createRun({ id: ${JSON.stringify(id)}, workflow: 'cli.watched', input: ${JSON.stringify(JSON.stringify(input))}, now: Date.now() });
      await l.close();
    })`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
}

beforeAll(() => {
  assertFreshBuild();
  tmp = tempDir('lifeline-watch-');
  db = join(tmp.dir, 'watch.db');
});
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  tmp.cleanup();
});

describe('lifeline watch', () => {
  it('follows a run through its retry to the end in plain lines, exits 0; runs --state lists it as retrying meanwhile', async () => {
    // History for the ETA: two completed runs of the workflow.
    for (const id of ['h1', 'h2']) expect(lifeline(['run', watchFixture, '-w', 'cli.watched', '--run-id', id, '-q']).code).toBe(0);
    createRun('w1', { dir: tmp.dir });
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

    writeFileSync(join(tmp.dir, 'release'), '');
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
